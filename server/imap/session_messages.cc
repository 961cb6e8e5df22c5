// Commands that change messages: APPEND, STORE, COPY, MOVE, EXPUNGE (and
// their UID forms), with UIDPLUS and CONDSTORE responses.
#include <algorithm>
#include <ctime>

#include "common/crypto/wiping_string.h"
#include "common/imap/append_args.h"
#include "common/imap/simple_args.h"
#include "common/imap/store_args.h"
#include "server/imap/catenate.h"
#include "server/imap/session.h"

namespace mailvault::imap {
namespace {

Session::Reply TargetError(const Status& status, std::string_view command) {
  if (status.code() == ErrorCode::kNotFound) {
    return {"NO", "TRYCREATE", "No such target mailbox"};
  }
  if (status.code() == ErrorCode::kInvalidArgument || status.code() == ErrorCode::kKeyNotActive) {
    return {"NO", "CANNOT", status.message()};
  }
  if (status.code() == ErrorCode::kAlreadyExists) return {"NO", "ALREADYEXISTS", status.message()};
  // The keys to seal to cannot be trusted (a key log that does not check):
  // nothing was stored, and trying again will not help until it is fixed.
  if (status.code() == ErrorCode::kTampered) return {"NO", "UNAVAILABLE", status.message()};
  if (status.code() == ErrorCode::kNoSpace) return Session::StorageFull();
  return {"NO", "SERVERBUG", std::string(command) + " failed; try again"};
}

std::string UidSetString(const std::vector<uint32_t>& uids) {
  return NumberSet::FromNumbers(uids).ToString();
}

// CATENATE where it is not offered (the vault, whose messages are sealed):
// a URL part names content the server cannot read, so it gets BADURL as
// RFC 4469 asks for a URL that cannot be resolved; TEXT parts alone would
// be a plain APPEND, and the client is told to send one.
Session::Reply CatenateRefused(const std::vector<CatenatePart>& parts) {
  for (const CatenatePart& part : parts) {
    if (part.kind == CatenatePart::Kind::kUrl) {
      return {"NO", BadUrlCode(part.text),
              "Messages are sealed on the vault: it cannot read a message or part to join it. "
              "Join them on the device (the bridge offers CATENATE) and APPEND the result"};
    }
  }
  return {"NO", "CANNOT",
          "CATENATE is not offered by the vault (see CAPABILITY): send the message as one "
          "APPEND literal"};
}

}  // namespace

asio::awaitable<Session::Reply> Session::Append(ImapCommand& command) {
  auto args = ParseAppendArgs(std::move(command));
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  std::vector<NewMessage> messages;
  // The messages are plaintext: wiped however this returns. The back-end
  // wipes those it is given.
  struct WipeOnReturn {
    AppendArgs& args;
    std::vector<NewMessage>& messages;
    ~WipeOnReturn() {
      WipeMessages(args.messages);
      for (NewMessage& message : messages) WipeAndClear(message.data);
    }
  } wipe{*args, messages};
  auto name = DecodeName(args->mailbox, MailboxNameUse::kExisting);
  if (!name.ok()) co_return Reply{"BAD", "", name.status().message()};
  messages.reserve(args->messages.size());
  for (AppendMessage& message : args->messages) {
    NewMessage next;
    next.flags = std::move(message.flags);
    next.internal_date = message.internal_date ? message.internal_date->unix_seconds
                                               : static_cast<int64_t>(std::time(nullptr));
    if (!message.catenated()) {
      next.data = std::move(message.data);
    } else if (!context_.options.content_visible) {
      co_return CatenateRefused(message.catenate);
    } else {
      // RFC 4469 5: the joined message is within the same limit as a literal.
      const auto failed = co_await OnPool([&] {
        return JoinCatenateParts(*backend_, message.catenate, context_.options.max_literal,
                                 next.data);
      });
      if (failed) co_return Reply{"NO", failed->code, failed->text};
    }
    // A message has at least a header (RFC 5322 3.5); nothing is stored of
    // an empty one, as Dovecot refuses it too.
    if (next.data.empty()) co_return Reply{"NO", "CANNOT", "An empty message cannot be stored"};
    messages.push_back(std::move(next));
  }
  // All messages in one step or none (MULTIAPPEND, RFC 3502).
  auto appended = co_await OnPool([&] { return backend_->AppendAll(*name, std::move(messages)); });
  if (!appended.ok()) co_return TargetError(appended.status(), "APPEND");
  context_.events.Notify(backend_->account(), *name);
  std::vector<uint32_t> uids;
  for (const AppendOutcome& outcome : *appended) uids.push_back(outcome.uid);
  // A back-end that knows the messages are stored but not their uids (uid
  // 0: an answer lost and the append found done) answers without
  // APPENDUID, which RFC 4315 allows.
  if (appended->empty() || std::find(uids.begin(), uids.end(), 0u) != uids.end()) {
    co_return Reply{"OK", "", "APPEND completed"};
  }
  co_return Reply{
      "OK", "APPENDUID " + std::to_string(appended->front().uidvalidity) + " " + UidSetString(uids),
      "APPEND completed"};
}

asio::awaitable<Session::Reply> Session::Store(ImapCommand& command) {
  auto args = ParseStoreArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (selected_->read_only()) co_return Reply{"NO", "READ-ONLY", "The mailbox is read-only"};
  if (args->unchanged_since) condstore_ = true;
  auto seqs = selected_->Resolve(args->set, command.uid);
  if (!seqs.ok()) co_return Reply{"BAD", "", seqs.status().message()};
  std::vector<uint32_t> uids;
  for (uint32_t seq : *seqs) uids.push_back(selected_->at(seq).uid);
  const FlagChange change = args->mode == StoreMode::kAdd      ? FlagChange::kAdd
                            : args->mode == StoreMode::kRemove ? FlagChange::kRemove
                                                               : FlagChange::kReplace;
  std::vector<uint32_t> modified;
  const std::string mailbox = selected_->name();
  auto changed = co_await OnPool([&] {
    return backend_->StoreFlags(mailbox, uids, change, args->flags, args->unchanged_since,
                                modified);
  });
  if (!changed.ok()) co_return TargetError(changed.status(), "STORE");
  for (const MessageMeta& meta : *changed) {
    selected_->Update(meta);
    if (args->silent && !condstore_) continue;
    const auto seq = selected_->SeqOf(meta.uid);
    if (!seq) continue;
    std::string line = std::to_string(*seq) + " FETCH (";
    // RFC 7162 3.2.4: with CONDSTORE enabled, every FETCH response to a
    // STORE carries the UID (and the MODSEQ, below), UID STORE or not.
    if (command.uid || condstore_) line += "UID " + std::to_string(meta.uid) + " ";
    if (!args->silent) {
      line += "FLAGS ";
      selected_->AppendFlags(line, meta);
      if (condstore_) line += " ";
    }
    if (condstore_) line += "MODSEQ (" + std::to_string(meta.modseq) + ")";
    line += ")";
    Untagged(line);
  }
  if (!changed->empty()) context_.events.Notify(backend_->account(), mailbox);
  if (!modified.empty()) {
    // RFC 7162 3.1.3: the messages left alone because they changed since.
    std::vector<uint32_t> numbers;
    for (uint32_t uid : modified) {
      if (command.uid) {
        numbers.push_back(uid);
      } else if (auto seq = selected_->SeqOf(uid)) {
        numbers.push_back(*seq);
      }
    }
    co_return Reply{"OK", "MODIFIED " + UidSetString(numbers), "Conditional STORE completed"};
  }
  co_return Reply{"OK", "", "STORE completed"};
}

asio::awaitable<Session::Reply> Session::Copy(ImapCommand& command) {
  co_return co_await CopyOrMove(command, false);
}

asio::awaitable<Session::Reply> Session::Move(ImapCommand& command) {
  co_return co_await CopyOrMove(command, true);
}

asio::awaitable<Session::Reply> Session::CopyOrMove(ImapCommand& command, bool move) {
  auto args = ParseCopyArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  auto target = DecodeName(args->mailbox, MailboxNameUse::kExisting);
  if (!target.ok()) co_return Reply{"BAD", "", target.status().message()};
  if (move && selected_->read_only()) co_return Reply{"NO", "READ-ONLY", "The mailbox is read-only"};
  auto seqs = selected_->Resolve(args->set, command.uid);
  if (!seqs.ok()) co_return Reply{"BAD", "", seqs.status().message()};
  std::vector<uint32_t> uids;
  for (uint32_t seq : *seqs) uids.push_back(selected_->at(seq).uid);
  if (uids.empty()) co_return Reply{"OK", "", "Nothing to " + command.name};
  const std::string source = selected_->name();
  auto outcome = co_await OnPool([&] {
    return move ? backend_->Move(source, uids, *target) : backend_->Copy(source, uids, *target);
  });
  if (!outcome.ok()) co_return TargetError(outcome.status(), command.name);
  const std::string copyuid = "COPYUID " + std::to_string(outcome->uidvalidity) + " " +
                              UidSetString(outcome->source_uids) + " " +
                              UidSetString(outcome->target_uids);
  context_.events.Notify(backend_->account(), *target);
  if (!move) co_return Reply{"OK", copyuid, "COPY completed"};
  // RFC 6851: COPYUID goes in an untagged OK before the EXPUNGEs.
  Untagged("OK [" + copyuid + "] Moved");
  selected_->Remove(outcome->source_uids, out_);
  context_.events.Notify(backend_->account(), source);
  co_return Reply{"OK", "", "MOVE completed"};
}

asio::awaitable<Session::Reply> Session::Expunge(ImapCommand& command) {
  std::optional<std::vector<uint32_t>> only;
  if (command.uid) {
    auto set = ParseUidExpungeArgs(command);
    if (!set.ok()) co_return Reply{"BAD", "", set.status().message()};
    auto seqs = selected_->Resolve(*set, true);
    if (!seqs.ok()) co_return Reply{"BAD", "", seqs.status().message()};
    only.emplace();
    for (uint32_t seq : *seqs) only->push_back(selected_->at(seq).uid);
  } else if (Status s = ParseNoArgs(command); !s.ok()) {
    co_return Reply{"BAD", "", s.message()};
  }
  if (selected_->read_only()) co_return Reply{"NO", "READ-ONLY", "The mailbox is read-only"};
  co_return co_await ExpungeDeleted(only, /*report=*/true);
}

asio::awaitable<Session::Reply> Session::ExpungeDeleted(
    const std::optional<std::vector<uint32_t>>& only_uids, bool report) {
  std::vector<uint32_t> deleted;
  for (uint32_t seq = 1; seq <= selected_->count(); ++seq) {
    const MessageMeta& m = selected_->at(seq);
    if (std::find(m.flags.begin(), m.flags.end(), "\\Deleted") == m.flags.end()) continue;
    if (only_uids && !std::binary_search(only_uids->begin(), only_uids->end(), m.uid)) continue;
    deleted.push_back(m.uid);
  }
  if (deleted.empty()) co_return Reply{"OK", "", "Nothing to expunge"};
  const std::string mailbox = selected_->name();
  auto removed = co_await OnPool([&] { return backend_->Expunge(mailbox, deleted); });
  if (!removed.ok()) co_return TargetError(removed.status(), "EXPUNGE");
  std::string silent;
  selected_->Remove(*removed, report ? out_ : silent);
  context_.events.Notify(backend_->account(), mailbox);
  co_return Reply{"OK", "", "EXPUNGE completed"};
}

}  // namespace mailvault::imap
