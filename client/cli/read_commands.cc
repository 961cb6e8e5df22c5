// `mailvault ls | read | search`: reading mail on this device. `ls` opens
// only the small summary records; `read` and `search` open bodies (fetched
// once, then taken from the local cache of sealed bodies).
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "client/cli/cli_context.h"
#include "client/cli/terminal_text.h"
#include "client/device/device.h"
#include "client/device/trusted_key_log.h"
#include "client/vault/provenance.h"
#include "client/vault/opened_mailbox.h"
#include "server/imap/mime/message_structure.h"

namespace mailvault::client {
namespace {

std::string ShortDate(int64_t unix_seconds) { return UtcTime(unix_seconds, "%Y-%m-%d %H:%M"); }

struct Reader {
  Device device;
  std::unique_ptr<VaultSession> vault;
  KeyRing keys;

  static Result<Reader> Open(const CliOptions& options) {
    Reader reader;
    MV_ASSIGN_OR_RETURN(reader.device, UnlockDevice(options.profile_dir(), options.passphrase));
    MV_ASSIGN_OR_RETURN(reader.vault, OpenVault(reader.device));
    reader.keys = EncryptionKeysOf(reader.device.keys.keys);
    return reader;
  }
  Result<OpenedMailbox> Mailbox(const std::string& name) {
    return OpenedMailbox::Open(*vault, device.profile.account, name, keys,
                               device.profile.cache_dir());
  }
};

Status RunLs(const CliOptions& options, const std::string& mailbox) {
  MV_ASSIGN_OR_RETURN(Reader reader, Reader::Open(options));
  MV_ASSIGN_OR_RETURN(OpenedMailbox box, reader.Mailbox(mailbox));
  MV_ASSIGN_OR_RETURN(auto summaries, box.Summaries());
  std::printf("%6s  %-16s  %-28s  %8s  %s\n", "UID", "DATE", "FROM", "SIZE", "SUBJECT");
  for (const OpenedMessage& message : box.messages()) {
    auto summary = summaries.find(message.meta.uid);
    if (summary == summaries.end()) {
      std::printf("%6u  %-16s  %-28s  %8s  %s\n", message.meta.uid,
                  ShortDate(message.meta.internal_date).c_str(), "?", "?",
                  "(no key of this device opens it)");
      continue;
    }
    const MessageSummary& s = summary->second;
    const bool seen = std::count(message.meta.flags.begin(), message.meta.flags.end(), "\\Seen");
    std::printf("%6u%c %-16s  %-28s  %8llu  %s\n", message.meta.uid, seen ? ' ' : '*',
                ShortDate(message.meta.internal_date).c_str(),
                Printable(imap::DecodeHeaderText(s.from), 28).c_str(),
                static_cast<unsigned long long>(s.size),
                Printable(imap::DecodeHeaderText(s.subject), 200).c_str());
  }
  return Status::Ok();
}

Status RunRead(const CliOptions& options, const std::string& mailbox, uint32_t uid) {
  MV_ASSIGN_OR_RETURN(Reader reader, Reader::Open(options));
  MV_ASSIGN_OR_RETURN(OpenedMailbox box, reader.Mailbox(mailbox));
  const OpenedMessage* message = box.Find(uid);
  if (message == nullptr) {
    return Status(ErrorCode::kNotFound, "there is no message " + std::to_string(uid) + " in " + mailbox);
  }
  // Who sealed it, proven before a byte is shown: this account's device
  // (signed), or the vault on delivery.
  MV_ASSIGN_OR_RETURN(TrustedKeyLog key_log, FetchTrustedKeyLog(*reader.vault, reader.device));
  MV_ASSIGN_OR_RETURN(auto summaries, box.Summaries(std::to_string(uid)));
  std::string sealed_body_hash;
  MV_ASSIGN_OR_RETURN(std::string body, box.ReadBody(*message, &sealed_body_hash));
  auto summary = summaries.find(uid);
  if (summary == summaries.end()) {
    return Status(ErrorCode::kNotFound, "message " + std::to_string(uid) + " has no summary");
  }
  MV_ASSIGN_OR_RETURN(Provenance provenance,
                      CheckProvenance(summary->second, key_log.state, reader.device.profile.account,
                                      message->wrap->blob_id, sealed_body_hash));
  if (provenance.by_device) {
    std::fprintf(stderr, "Sealed on your device (signing key %s)\n",
                 provenance.signer.ToHex().c_str());
  } else {
    std::fprintf(stderr, "Sealed by the vault on delivery\n");
  }
  // The message exactly as delivered: `mailvault read 3 > msg.eml` keeps it.
  if (std::fwrite(body.data(), 1, body.size(), stdout) != body.size()) {
    return Status(ErrorCode::kIOError, "cannot write the message to standard output");
  }
  return Status::Ok();
}


Status RunSearch(const CliOptions& options, const std::string& query,
                 const std::vector<std::string>& mailboxes) {
  MV_ASSIGN_OR_RETURN(Reader reader, Reader::Open(options));
  std::vector<std::string> names = mailboxes;
  if (names.empty()) {
    MV_ASSIGN_OR_RETURN(auto all, reader.vault->ListMailboxes());
    for (const VaultMailbox& box : all) {
      if (box.selectable && box.messages > 0) names.push_back(box.name);
    }
  }
  const std::string needle = imap::FoldCase(query);
  size_t hits = 0;
  for (const std::string& name : names) {
    MV_ASSIGN_OR_RETURN(OpenedMailbox box, reader.Mailbox(name));
    for (const OpenedMessage& message : box.messages()) {
      if (!message.readable()) continue;
      MV_ASSIGN_OR_RETURN(std::string body, box.ReadBody(message));
      auto parsed = imap::MessageStructure::Parse(body);
      if (!parsed.ok()) continue;
      // Headers as written, then the decoded text of every part (so base64
      // and quoted-printable bodies are searched too).
      const size_t header_end = body.find("\r\n\r\n");
      std::string haystack = imap::FoldCase(std::string_view(body).substr(0, header_end));
      for (const char* field : {"Subject", "From", "To", "Cc"}) {  // RFC 2047 decoded
        for (const std::string& value : parsed->HeaderValues(field)) haystack += "\n" + imap::FoldCase(value);
      }
      haystack += "\n" + imap::FoldCase(parsed->BodyText());
      if (haystack.find(needle) == std::string::npos) continue;
      ++hits;
      const auto subject = parsed->HeaderValues("Subject");
      const auto from = parsed->HeaderValues("From");
      std::printf("%-12s %6u  %-16s  %-28s  %s\n", Printable(name, 12).c_str(), message.meta.uid,
                  ShortDate(message.meta.internal_date).c_str(),
                  Printable(from.empty() ? "" : from[0], 28).c_str(),
                  Printable(subject.empty() ? "" : subject[0], 200).c_str());
    }
  }
  std::fprintf(stderr, "%zu messages match\n", hits);
  return Status::Ok();
}

}  // namespace

void AddReadCommands(CLI::App& app, CliOptions& options, CommandRunner& run) {
  auto mailbox = std::make_shared<std::string>("INBOX");
  CLI::App* ls = app.add_subcommand("ls", "list a mailbox (from the summaries; no body is downloaded)");
  ls->add_option("MAILBOX", *mailbox, "default INBOX");
  ls->callback([&options, &run, mailbox] { run = [&options, mailbox] { return RunLs(options, *mailbox); }; });

  auto read_mailbox = std::make_shared<std::string>("INBOX");
  auto uid = std::make_shared<uint32_t>(0);
  CLI::App* read = app.add_subcommand("read", "print a message exactly as it was delivered");
  read->add_option("UID", *uid, "the message's uid (from `mailvault ls`)")->required();
  read->add_option("--mailbox", *read_mailbox, "default INBOX");
  read->callback([&options, &run, read_mailbox, uid] {
    run = [&options, read_mailbox, uid] { return RunRead(options, *read_mailbox, *uid); };
  });

  auto query = std::make_shared<std::string>();
  auto search_boxes = std::make_shared<std::vector<std::string>>();
  CLI::App* search = app.add_subcommand("search", "search decrypted mail (headers and text, any case)");
  search->add_option("QUERY", *query, "the text to find")->required();
  search->add_option("--mailbox", *search_boxes, "only these mailboxes (default: all)");
  search->callback([&options, &run, query, search_boxes] {
    run = [&options, query, search_boxes] { return RunSearch(options, *query, *search_boxes); };
  });
}

}  // namespace mailvault::client
