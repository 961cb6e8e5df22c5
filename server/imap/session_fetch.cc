// FETCH and UID FETCH (RFC 9051 6.4.5, BINARY RFC 3516, CONDSTORE RFC 7162).
#include <algorithm>
#include <set>

#include "common/imap/fetch_args.h"
#include "server/imap/fetch_response.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/session.h"

namespace mailvault::imap {
namespace {

bool NeedsContent(const FetchArgs& args) {
  return std::any_of(args.items.begin(), args.items.end(), [](const FetchItem& item) {
    switch (item.kind) {
      case FetchItemKind::kEnvelope:
      case FetchItemKind::kRfc822:
      case FetchItemKind::kRfc822Header:
      case FetchItemKind::kRfc822Text:
      case FetchItemKind::kBody:
      case FetchItemKind::kBodyStructure:
      case FetchItemKind::kBodySection:
      case FetchItemKind::kBinary:
      case FetchItemKind::kBinarySize:
        return true;
      default:
        return false;
    }
  });
}

std::string PartText(const std::vector<uint32_t>& part) {
  std::string out;
  for (size_t i = 0; i < part.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(part[i]);
  }
  return out;
}

// The section as the response names it: "BODY[HEADER.FIELDS (FROM)]<0>".
std::string SectionName(const FetchItem& item) {
  std::string name = item.kind == FetchItemKind::kBinary ? "BINARY[" : "BODY[";
  name += PartText(item.section.part);
  const bool has_part = !item.section.part.empty();
  auto text = [&](std::string_view t) {
    if (has_part) name += '.';
    name += t;
  };
  switch (item.section.text) {
    case SectionText::kAll: break;
    case SectionText::kHeader: text("HEADER"); break;
    case SectionText::kText: text("TEXT"); break;
    case SectionText::kMime: text("MIME"); break;
    case SectionText::kHeaderFields:
    case SectionText::kHeaderFieldsNot: {
      text(item.section.text == SectionText::kHeaderFields ? "HEADER.FIELDS (" : "HEADER.FIELDS.NOT (");
      for (size_t i = 0; i < item.section.header_fields.size(); ++i) {
        if (i > 0) name += ' ';
        name += item.section.header_fields[i];
      }
      name += ')';
      break;
    }
  }
  name += ']';
  if (item.partial) name += "<" + std::to_string(item.partial->offset) + ">";
  return name;
}

// The items a FETCH asks for that are built from the whole parse.
struct ParsedItems {
  std::string envelope;
  std::string body;            // BODY
  std::string body_structure;  // BODYSTRUCTURE
};

ParsedItems ParseItems(const FetchArgs& args, const MessageStructure& message, Charset charset) {
  ParsedItems items;
  for (const FetchItem& item : args.items) {
    if (item.kind == FetchItemKind::kEnvelope) items.envelope = message.Envelope(charset);
    if (item.kind == FetchItemKind::kBody) items.body = message.BodyStructure(charset, /*extensible=*/false);
    if (item.kind == FetchItemKind::kBodyStructure) {
      items.body_structure = message.BodyStructure(charset, /*extensible=*/true);
    }
  }
  return items;
}

}  // namespace

asio::awaitable<Session::Reply> Session::Fetch(ImapCommand& command) {
  auto args = ParseFetchArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (args->uses_condstore) condstore_ = true;
  auto seqs = selected_->Resolve(args->set, command.uid);
  if (!seqs.ok()) co_return Reply{"BAD", "", seqs.status().message()};
  if (args->partial) {
    // RFC 9394 3.3 and 3.4: the window is of the messages the FETCH would
    // return, so after CHANGEDSINCE has left out the unchanged ones.
    if (args->changed_since) {
      std::erase_if(*seqs, [&](uint32_t seq) {
        return selected_->at(seq).modseq <= *args->changed_since;
      });
    }
    const auto [begin, end] = args->partial->Window(seqs->size());
    *seqs = std::vector<uint32_t>(seqs->begin() + begin, seqs->begin() + end);
  }
  if (args->vanished) {
    if (!qresync_) co_return Reply{"BAD", "", "VANISHED needs ENABLE QRESYNC first"};
    // RFC 7162 3.2.6: the set's uids expunged since CHANGEDSINCE come first.
    const uint32_t max_uid = selected_->info().uidnext > 0 ? selected_->info().uidnext - 1 : 0;
    const Status reported = co_await ReportChangesSince(
        *args->changed_since, args->set.Resolve(max_uid).ClampedTo(max_uid), false);
    if (!reported.ok()) co_return Reply{"NO", "SERVERBUG", "FETCH failed; try again"};
  }
  const bool content = NeedsContent(*args);
  const std::string mailbox = selected_->name();
  bool any_failed = false;

  // Reading a body sets \Seen (unless PEEK) on a read-write mailbox: for
  // every message of the command in one change (one batch on the vault).
  std::set<uint32_t> seen_now;  // the uids whose \Seen this FETCH set
  if (args->sets_seen && !selected_->read_only()) {
    std::vector<uint32_t> unseen;
    for (uint32_t seq : *seqs) {
      const MessageMeta& meta = selected_->at(seq);
      if (args->changed_since && meta.modseq <= *args->changed_since) continue;
      if (std::find(meta.flags.begin(), meta.flags.end(), "\\Seen") == meta.flags.end()) {
        unseen.push_back(meta.uid);
      }
    }
    if (!unseen.empty()) {
      std::vector<uint32_t> ignored;
      auto stored = co_await OnPool([&] {
        return backend_->StoreFlags(mailbox, unseen, FlagChange::kAdd, {"\\Seen"}, std::nullopt,
                                    ignored);
      });
      if (stored.ok() && !stored->empty()) {
        for (const MessageMeta& meta : *stored) {
          selected_->Update(meta);
          seen_now.insert(meta.uid);
        }
        context_.events.Notify(backend_->account(), mailbox);
      }
    }
  }

  for (uint32_t seq : *seqs) {
    const MessageMeta meta = selected_->at(seq);
    if (args->changed_since && meta.modseq <= *args->changed_since) continue;
    std::optional<MessageStructure> structure;
    ParsedItems parsed_items;
    if (content) {
      // Read, parsed, and its ENVELOPE and BODYSTRUCTURE built on the pool,
      // not on the network thread that serves other sessions too: a 20 MiB
      // header or a digest of thousands of messages takes a tenth of a
      // second (bridge_mime_bomb_test). Parse takes the fetched bytes
      // over: one copy of the message.
      const Charset wanted_charset = charset();
      auto parsed = co_await OnPool([&]() -> Result<MessageStructure> {
        MV_ASSIGN_OR_RETURN(std::string fetched, backend_->FetchMessage(mailbox, meta));
        MV_ASSIGN_OR_RETURN(MessageStructure message,
                            MessageStructure::ParseOwned(std::move(fetched)));
        parsed_items = ParseItems(*args, message, wanted_charset);
        return message;
      });
      if (!parsed.ok()) {
        any_failed = true;  // e.g. expunged by another session meanwhile
        continue;
      }
      structure.emplace(std::move(parsed).value());
    }

    FetchResponse response;
    response.text() = "* " + std::to_string(seq) + " FETCH (";
    bool first = true;
    auto item_start = [&](std::string_view name) {
      std::string& text = response.text();
      if (!first) text += ' ';
      first = false;
      text += name;
      text += ' ';
    };
    bool flags_sent = false;
    bool uid_sent = false;
    bool modseq_sent = false;
    for (const FetchItem& item : args->items) {
      switch (item.kind) {
        case FetchItemKind::kUid:
          item_start("UID");
          response.text() += std::to_string(meta.uid);
          uid_sent = true;
          break;
        case FetchItemKind::kFlags:
          item_start("FLAGS");
          selected_->AppendFlags(response.text(), meta);
          flags_sent = true;
          break;
        case FetchItemKind::kInternalDate:
          item_start("INTERNALDATE");
          AppendDateTime(response.text(), meta.internal_date, 0);
          break;
        case FetchItemKind::kRfc822Size:
          item_start("RFC822.SIZE");
          // What is served, when this FETCH read it: a back-end's index may
          // not know yet that a message with NULs is served larger
          // (mime/nul_free_message.h).
          response.text() += std::to_string(structure ? structure->size() : meta.size);
          break;
        case FetchItemKind::kModSeq:
          item_start("MODSEQ");
          response.text() += "(" + std::to_string(meta.modseq) + ")";
          modseq_sent = true;
          break;
        case FetchItemKind::kEnvelope:
          item_start("ENVELOPE");
          response.text() += parsed_items.envelope;
          break;
        case FetchItemKind::kBody:
          item_start("BODY");
          response.text() += parsed_items.body;
          break;
        case FetchItemKind::kBodyStructure:
          item_start("BODYSTRUCTURE");
          response.text() += parsed_items.body_structure;
          break;
        case FetchItemKind::kRfc822:
        case FetchItemKind::kRfc822Header:
        case FetchItemKind::kRfc822Text:
        case FetchItemKind::kBodySection: {
          FetchSection section = item.section;
          std::string name;
          if (item.kind == FetchItemKind::kBodySection) {
            name = SectionName(item);
          } else if (item.kind == FetchItemKind::kRfc822) {
            name = "RFC822";
            section = FetchSection{};
          } else {
            const bool header = item.kind == FetchItemKind::kRfc822Header;
            name = header ? "RFC822.HEADER" : "RFC822.TEXT";
            section = FetchSection{};
            section.text = header ? SectionText::kHeader : SectionText::kText;
          }
          std::string built;
          std::string_view bytes = structure->SectionView(section, built);
          if (!built.empty()) bytes = response.Keep(std::move(built));
          item_start(name);
          response.AddLiteral(ApplyPartial(bytes, item.partial));
          break;
        }
        case FetchItemKind::kBinary:
        case FetchItemKind::kBinarySize: {
          auto decoded = structure->Binary(item.section.part);
          if (!decoded.ok()) {
            co_return Reply{"NO", "UNKNOWN-CTE", "Cannot decode the part's transfer encoding"};
          }
          if (item.kind == FetchItemKind::kBinarySize) {
            item_start("BINARY.SIZE[" + PartText(item.section.part) + "]");
            response.text() += std::to_string(decoded->size());
          } else {
            item_start(SectionName(item));
            response.AddLiteral(ApplyPartial(response.Keep(std::move(decoded).value()),
                                             item.partial));
          }
          break;
        }
      }
      // Sections of one message overlap (BODY[], BODY[TEXT], BINARY[1],
      // partials of them), and BINARY's decodings are held until sent: a
      // response is kept to a few times the message (docs/PROTOCOL.md,
      // "Limits"), checked before any of it is sent.
      if (response.size() > uint64_t{4} * meta.size + (1u << 20)) {
        co_return Reply{"NO", "LIMIT", "The FETCH response for message " + std::to_string(seq) +
                                           " would exceed four times its size; ask for fewer "
                                           "sections at once"};
      }
    }
    // A \Seen set by this FETCH is reported even if FLAGS was not asked for.
    if (args->sets_seen && !flags_sent && !selected_->read_only()) {
      item_start("FLAGS");
      selected_->AppendFlags(response.text(), meta);
    }
    // RFC 7162 3.2.4: once CONDSTORE is enabled, a FETCH response that
    // reports a flag change (here the \Seen this FETCH set) carries the
    // message's UID and new MODSEQ, so a client's cache stays exact.
    if (condstore_ && seen_now.count(meta.uid) != 0) {
      if (!uid_sent) {
        item_start("UID");
        response.text() += std::to_string(meta.uid);
      }
      if (!modseq_sent) {
        item_start("MODSEQ");
        response.text() += "(" + std::to_string(meta.modseq) + ")";
      }
    }
    response.text() += ")\r\n";
    if (!co_await SendFetchResponse(response)) co_return Reply{"", "", ""};
  }
  if (any_failed) co_return Reply{"NO", "", "Some messages could not be fetched"};
  co_return Reply{"OK", "", "FETCH completed"};
}

// Small pieces gather in the output buffer, which goes out once past
// 1 MiB; a literal of 64 KiB or more is written from where it lies.
asio::awaitable<bool> Session::SendFetchResponse(const FetchResponse& response) {
  constexpr size_t kWriteDirectlyFrom = 64 << 10;
  for (const FetchResponse::Piece& piece : response.pieces()) {
    out_ += piece.text;
    if (!piece.has_literal) continue;
    if (piece.literal8) out_ += '~';
    out_ += "{" + std::to_string(piece.literal.size()) + "}\r\n";
    if (piece.literal.size() < kWriteDirectlyFrom) {
      out_ += piece.literal;
      continue;
    }
    if (!co_await Flush()) co_return false;
    ArmDeadline();
    boost::system::error_code ec;
    co_await connection_.Write(piece.literal, ec);
    if (ec) co_return false;
  }
  if (out_.size() > (1 << 20)) co_return co_await Flush();
  co_return true;
}

}  // namespace mailvault::imap
