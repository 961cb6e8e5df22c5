// Mailbox commands: SELECT, EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE,
// UNSUBSCRIBE, LIST, LSUB, NAMESPACE, STATUS, CLOSE, UNSELECT.
#include <algorithm>
#include <map>
#include <set>

#include "common/imap/list_args.h"
#include "common/imap/modified_utf7.h"
#include "common/imap/select_args.h"
#include "common/imap/simple_args.h"
#include "common/imap/status_args.h"
#include "server/imap/mailbox_pattern.h"
#include "server/imap/session.h"

namespace mailvault::imap {
namespace {

constexpr std::string_view kSystemFlags = "\\Answered \\Flagged \\Deleted \\Seen \\Draft";

bool HasFlag(const MessageMeta& m, std::string_view flag) {
  return std::find(m.flags.begin(), m.flags.end(), flag) != m.flags.end();
}

Session::Reply FromStatus(const Status& status, std::string_view what) {
  switch (status.code()) {
    case ErrorCode::kNotFound:
      return {"NO", "NONEXISTENT", std::string(what) + ": no such mailbox"};
    case ErrorCode::kAlreadyExists:
      return {"NO", "ALREADYEXISTS", std::string(what) + ": the mailbox exists"};
    case ErrorCode::kInvalidArgument:
      return {"NO", "CANNOT", status.message()};
    case ErrorCode::kNoSpace:
      return Session::StorageFull();
    default:
      return {"NO", "SERVERBUG", std::string(what) + " failed; try again"};
  }
}

}  // namespace

Result<std::string> Session::DecodeName(std::string_view wire, MailboxNameUse use) const {
  return MailboxNameFromWire(wire, name_encoding(), use);
}

void Session::AppendNameAstring(std::string& out, std::string_view name) const {
  if (!AppendMailboxName(out, name, name_encoding()).ok()) out += "\"\"";
}

asio::awaitable<Session::Reply> Session::Select(ImapCommand& command) {
  const bool examine = command.name == "EXAMINE";
  auto args = ParseSelectArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  auto name = DecodeName(args->mailbox, MailboxNameUse::kExisting);
  if (!name.ok()) co_return Reply{"BAD", "", name.status().message()};
  if (args->qresync && !qresync_) {
    co_return Reply{"BAD", "", "QRESYNC parameter without ENABLE QRESYNC first"};
  }
  if (state_ == SessionState::kSelected) {
    Deselect();
    Untagged("OK [CLOSED] Previous mailbox closed");
  }
  if (args->condstore) condstore_ = true;
  auto view = co_await OnPool([&] { return context_.views.Open(*backend_, *name, examine); });
  if (!view.ok()) co_return FromStatus(view.status(), "SELECT");

  selected_ = std::move(view).value();
  selected_->set_listener(&updating_);
  selected_->set_report_vanished(qresync_);
  selected_->set_report_recent(!imap4rev2_);
  // \Recent: a read-write SELECT claims what no session was told of yet;
  // EXAMINE shows it without taking it from the next session.
  auto recent = co_await OnPool([&] { return backend_->ClaimRecent(*name, !examine); });
  if (recent.ok()) selected_->AddRecent(*recent);
  state_ = SessionState::kSelected;
  std::weak_ptr<WakeState> wake = wake_;
  auto executor = connection_.executor();
  subscription_ = context_.events.Subscribe(backend_->account(), *name, [wake, executor] {
    asio::post(executor, [wake] {
      if (auto state = wake.lock()) {
        state->pending = true;
        state->timer.cancel();
      }
    });
  });

  const SelectedMailbox& box = *selected_;
  Untagged("FLAGS (" + std::string(kSystemFlags) + ")");
  Untagged("OK [PERMANENTFLAGS (" + std::string(kSystemFlags) + " \\*)] Flags permitted");
  Untagged(std::to_string(box.count()) + " EXISTS");
  if (!imap4rev2_) {
    Untagged(std::to_string(box.RecentCount()) + " RECENT");
    for (uint32_t seq = 1; seq <= box.count(); ++seq) {
      if (!HasFlag(box.at(seq), "\\Seen")) {
        Untagged("OK [UNSEEN " + std::to_string(seq) + "] First unseen");
        break;
      }
    }
  }
  Untagged("OK [UIDVALIDITY " + std::to_string(box.info().uidvalidity) + "] UIDs valid");
  Untagged("OK [UIDNEXT " + std::to_string(box.info().uidnext) + "] Predicted next UID");
  reported_modseq_ = 0;
  if (condstore_) {
    Untagged("OK [HIGHESTMODSEQ " + std::to_string(box.info().highest_modseq) + "] Highest");
    reported_modseq_ = box.info().highest_modseq;
  }
  if (imap4rev2_) {
    std::string line = "LIST () \"/\" ";
    AppendNameAstring(line, box.name());
    Untagged(line);
  }
  // QRESYNC: what the client's cache of this mailbox missed since it last
  // saw it, if it is the same mailbox (UIDVALIDITY) (RFC 7162 3.2.5.1).
  if (args->qresync && args->qresync->uidvalidity == box.info().uidvalidity &&
      box.info().uidnext > 1) {
    const uint32_t max_uid = box.info().uidnext - 1;
    const NumberSet within =
        args->qresync->known_uids ? args->qresync->known_uids->Resolve(max_uid).ClampedTo(max_uid)
                                  : NumberSet::FromRanges({{1, max_uid}});
    const Status reported = co_await ReportChangesSince(args->qresync->modseq, within, true);
    if (!reported.ok()) co_return FromStatus(reported, command.name);
  }
  co_return Reply{"OK", examine ? "READ-ONLY" : "READ-WRITE", command.name + " completed"};
}

asio::awaitable<Status> Session::ReportChangesSince(uint64_t modseq, const NumberSet& within,
                                                    bool fetch_changed) {
  const std::string mailbox = selected_->name();
  auto changes = co_await OnPool([&] { return backend_->ChangesSince(mailbox, modseq); });
  if (!changes.ok()) co_return changes.status();
  NumberSet vanished;
  std::vector<MessageMeta> changed;
  if (changes->snapshot) {
    // No tombstones (none kept, or pruned below the modseq): every uid of
    // `within` not in the mailbox now, as ranges. RFC 7162 lets the server
    // report uids the client never had. One still in the view is left to
    // the next sync, as below.
    vanished = selected_->AbsentFrom(AbsentUids(within, changes->snapshot->messages));
    for (MessageMeta& m : changes->snapshot->messages) {
      if (m.modseq > modseq) changed.push_back(std::move(m));
    }
  } else {
    std::vector<uint32_t> expunged;
    for (uint32_t uid : changes->expunged) {
      // One still in the view went after the view was read: the next sync
      // reports it, with the view, so sequence numbers stay right.
      if (within.Contains(uid) && !selected_->SeqOf(uid)) expunged.push_back(uid);
    }
    vanished = NumberSet::FromNumbers(expunged);
    changed = std::move(changes->changed);
  }
  if (!vanished.empty()) Untagged("VANISHED (EARLIER) " + vanished.ToString());
  if (!fetch_changed) co_return Status::Ok();
  for (const MessageMeta& m : changed) {
    const auto seq = selected_->SeqOf(m.uid);
    if (!seq) continue;  // arrived after the view was read: the next sync tells
    std::string line = std::to_string(*seq) + " FETCH (UID " + std::to_string(m.uid) + " FLAGS ";
    selected_->AppendFlags(line, m);
    line += " MODSEQ (" + std::to_string(m.modseq) + "))";
    Untagged(line);
  }
  co_return Status::Ok();
}

void Session::TellAccount(AccountEvent::Kind kind, const std::string& mailbox,
                          const std::string& old_name) {
  context_.events.NotifyAccount(backend_->account(), AccountEvent{kind, mailbox, old_name});
}

asio::awaitable<Session::Reply> Session::Create(ImapCommand& command) {
  auto args = ParseCreateArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  // A well-formed command whose name is not acceptable (it does not decode,
  // has an empty, "." or ".." level, ...): NO, not BAD (RFC 9051 6.3.4).
  auto name = DecodeName(args->mailbox, MailboxNameUse::kCreate);
  if (!name.ok()) co_return Reply{"NO", "CANNOT", name.status().message()};
  if (Status allowed = ValidateNewMailboxName(*name); !allowed.ok()) {
    co_return Reply{"NO", "CANNOT", allowed.message()};
  }
  if (IsInboxName(*name)) co_return Reply{"NO", "ALREADYEXISTS", "INBOX always exists"};
  if (!args->special_use.empty()) {
    co_return Reply{"NO", "USEATTR", "Special-use attributes are fixed by the server"};
  }
  const Status status = co_await OnPool([&] { return backend_->CreateMailbox(*name); });
  if (!status.ok()) co_return FromStatus(status, "CREATE");
  TellAccount(AccountEvent::Kind::kCreated, *name);
  co_return Reply{"OK", "", "CREATE completed"};
}

asio::awaitable<Session::Reply> Session::Delete(ImapCommand& command) {
  auto wire = ParseMailboxArg(command);
  if (!wire.ok()) co_return Reply{"BAD", "", wire.status().message()};
  auto name = DecodeName(*wire, MailboxNameUse::kExisting);
  if (!name.ok()) co_return Reply{"BAD", "", name.status().message()};
  if (IsInboxName(*name)) co_return Reply{"NO", "CANNOT", "INBOX cannot be deleted"};
  if (selected_ && selected_->name() == *name) Deselect();
  const Status status = co_await OnPool([&] { return backend_->DeleteMailbox(*name); });
  if (!status.ok()) co_return FromStatus(status, "DELETE");
  TellAccount(AccountEvent::Kind::kDeleted, *name);
  co_return Reply{"OK", "", "DELETE completed"};
}

asio::awaitable<Session::Reply> Session::Rename(ImapCommand& command) {
  auto args = ParseRenameArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  auto from = DecodeName(args->from, MailboxNameUse::kExisting);
  auto to = DecodeName(args->to, MailboxNameUse::kCreate);
  if (!from.ok()) co_return Reply{"BAD", "", from.status().message()};
  if (!to.ok()) co_return Reply{"NO", "CANNOT", to.status().message()};
  if (Status allowed = ValidateNewMailboxName(*to); !allowed.ok()) {
    co_return Reply{"NO", "CANNOT", allowed.message()};
  }
  if (IsInboxName(*to)) co_return Reply{"NO", "ALREADYEXISTS", "INBOX always exists"};
  const std::string source = *from;
  const std::string target = *to;
  std::vector<std::pair<std::string, std::string>> renamed;  // old, new
  const Status status = co_await OnPool([&]() -> Status {
    if (IsInboxName(source)) {
      // RFC 9051 6.3.6: renaming INBOX moves its messages to a new
      // mailbox and leaves INBOX empty.
      MV_RETURN_IF_ERROR(backend_->CreateMailbox(target));
      MV_ASSIGN_OR_RETURN(MailboxSnapshot inbox, backend_->Snapshot("INBOX"));
      std::vector<uint32_t> uids;
      for (const MessageMeta& m : inbox.messages) uids.push_back(m.uid);
      if (!uids.empty()) MV_RETURN_IF_ERROR(backend_->Move("INBOX", uids, target).status());
      return Status::Ok();
    }
    // Inferior names move with their parent.
    MV_ASSIGN_OR_RETURN(std::vector<MailboxInfo> all, backend_->ListMailboxes());
    MV_RETURN_IF_ERROR(backend_->RenameMailbox(source, target));
    renamed.emplace_back(source, target);
    const std::string prefix = source + kHierarchyDelimiter;
    for (const MailboxInfo& m : all) {
      if (m.name.rfind(prefix, 0) == 0) {
        const std::string moved = target + m.name.substr(source.size());
        MV_RETURN_IF_ERROR(backend_->RenameMailbox(m.name, moved));
        renamed.emplace_back(m.name, moved);
      }
    }
    return Status::Ok();
  });
  if (IsInboxName(source) && status.ok()) {
    TellAccount(AccountEvent::Kind::kCreated, target);
    context_.events.Notify(backend_->account(), "INBOX");
    context_.events.Notify(backend_->account(), target);
  }
  for (const auto& [old_name, new_name] : renamed) {
    TellAccount(AccountEvent::Kind::kRenamed, new_name, old_name);
  }
  if (!status.ok()) co_return FromStatus(status, "RENAME");
  if (selected_ && selected_->name() == source && !IsInboxName(source)) {
    Deselect();
    Untagged("BYE The selected mailbox was renamed");  // simplest honest answer
    state_ = SessionState::kLogout;
  }
  co_return Reply{"OK", "", "RENAME completed"};
}

asio::awaitable<Session::Reply> Session::Subscribe(ImapCommand& command) {
  const bool subscribe = command.name == "SUBSCRIBE";
  auto wire = ParseMailboxArg(command);
  if (!wire.ok()) co_return Reply{"BAD", "", wire.status().message()};
  auto name = DecodeName(*wire, MailboxNameUse::kExisting);
  if (!name.ok()) co_return Reply{"BAD", "", name.status().message()};
  const Status status =
      co_await OnPool([&] { return backend_->SetSubscribed(*name, subscribe); });
  if (!status.ok()) co_return FromStatus(status, command.name);
  TellAccount(subscribe ? AccountEvent::Kind::kSubscribed : AccountEvent::Kind::kUnsubscribed,
              *name);
  co_return Reply{"OK", "", command.name + " completed"};
}

asio::awaitable<Session::Reply> Session::List(ImapCommand& command) {
  auto args = ParseListArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  co_return co_await ListMailboxes(*args, false);
}

asio::awaitable<Session::Reply> Session::Lsub(ImapCommand& command) {
  auto args = ParseLsubArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  co_return co_await ListMailboxes(*args, true);
}

asio::awaitable<Session::Reply> Session::ListMailboxes(const ListArgs& args, bool lsub) {
  const char* verb = lsub ? "LSUB" : "LIST";
  // LIST "" "": the hierarchy delimiter and root (RFC 9051 6.3.9).
  if (args.patterns.size() == 1 && args.patterns[0].empty() && !args.extended) {
    Untagged(std::string(verb) + " (\\Noselect) \"/\" \"\"");
    co_return Reply{"OK", "", std::string(verb) + " completed"};
  }
  auto mailboxes = co_await OnPool([&] { return backend_->ListMailboxes(); });
  if (!mailboxes.ok()) co_return FromStatus(mailboxes.status(), verb);
  const bool subscribed_only = lsub || args.selection.subscribed;
  const bool recursive = subscribed_only && args.selection.recursive_match;
  // Subscriptions are names of their own (RFC 9051 6.3.7): one may name a
  // mailbox that does not exist (any more).
  std::set<std::string> subscribed;
  std::set<std::string> with_subscribed_children;  // for RECURSIVEMATCH's CHILDINFO
  if (subscribed_only || args.returns.subscribed) {
    auto names = co_await OnPool([&] { return backend_->ListSubscriptions(); });
    if (!names.ok()) co_return FromStatus(names.status(), verb);
    for (std::string& name : *names) {
      for (size_t slash = name.find('/'); slash != std::string::npos;
           slash = name.find('/', slash + 1)) {
        with_subscribed_children.insert(name.substr(0, slash));
      }
      subscribed.insert(std::move(name));
    }
  }

  // Existing mailboxes, and the parents their names imply.
  std::map<std::string, const MailboxInfo*> existing;
  std::set<std::string> parents;
  for (const MailboxInfo& m : *mailboxes) {
    existing[m.name] = &m;
    for (size_t slash = m.name.find('/'); slash != std::string::npos;
         slash = m.name.find('/', slash + 1)) {
      parents.insert(m.name.substr(0, slash));
    }
  }
  std::vector<std::string> patterns;
  for (const std::string& wire : args.patterns) {
    // Patterns may hold wildcards, so they are decoded but not validated.
    std::string joined = JoinReference(args.reference, wire);
    if (name_encoding() == MailboxNameEncoding::kModifiedUtf7) {
      auto decoded = DecodeModifiedUtf7(joined);
      if (!decoded.ok()) co_return Reply{"BAD", "", decoded.status().message()};
      joined = std::move(decoded).value();
    }
    patterns.push_back(std::move(joined));
  }
  std::set<std::string> names(parents.begin(), parents.end());
  for (const auto& [name, info] : existing) names.insert(name);
  if (subscribed_only) {
    names.insert(subscribed.begin(), subscribed.end());
    if (recursive) names.insert(with_subscribed_children.begin(), with_subscribed_children.end());
  }
  for (const std::string& name : names) {
    if (!std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return MatchesPattern(name, p); })) {
      continue;
    }
    auto it = existing.find(name);
    const MailboxInfo* info = it == existing.end() ? nullptr : it->second;
    const bool is_subscribed = subscribed.count(name) != 0;
    // RFC 5258 3.5: with RECURSIVEMATCH, a name whose descendants match
    // the selection is listed with CHILDINFO, subscribed itself or not.
    const bool childinfo = recursive && with_subscribed_children.count(name) != 0;
    if (subscribed_only && !is_subscribed && !childinfo) continue;
    std::string attributes;
    auto add = [&](std::string_view a) {
      if (!attributes.empty()) attributes += ' ';
      attributes += a;
    };
    if (info == nullptr) add((imap4rev2_ || args.extended) && !lsub ? "\\NonExistent" : "\\Noselect");
    add(parents.count(name) ? "\\HasChildren" : "\\HasNoChildren");
    if (is_subscribed && (args.returns.subscribed || subscribed_only)) add("\\Subscribed");
    if (info != nullptr && !info->special_use.empty()) add(info->special_use);
    std::string line = std::string(verb) + " (" + attributes + ") \"/\" ";
    AppendNameAstring(line, name);
    if (childinfo) line += " (\"CHILDINFO\" (\"SUBSCRIBED\"))";
    Untagged(line);
    if (args.returns.status && info != nullptr) {
      // LIST-STATUS (RFC 5819): a STATUS response right after the LIST.
      auto status = co_await ReadStatus(name, args.returns.status_items);
      if (!status.ok()) continue;
      Untagged(StatusLine(name, *status, args.returns.status_items));
    }
  }
  co_return Reply{"OK", "", std::string(verb) + " completed"};
}

asio::awaitable<Result<MailboxStatus>> Session::ReadStatus(const std::string& name,
                                                           const std::vector<StatusItem>& items) {
  const bool with_size = std::find(items.begin(), items.end(), StatusItem::kSize) != items.end();
  co_return co_await OnPool([&] { return backend_->StatusOf(name, with_size); });
}

std::string Session::StatusLine(const std::string& name, const MailboxStatus& status,
                                const std::vector<StatusItem>& items) const {
  std::string line = "STATUS ";
  AppendNameAstring(line, name);
  line += " (";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) line += ' ';
    line += StatusItemName(items[i]);
    line += ' ';
    uint64_t value = 0;
    switch (items[i]) {
      case StatusItem::kMessages: value = status.messages; break;
      case StatusItem::kUidNext: value = status.info.uidnext; break;
      case StatusItem::kUidValidity: value = status.info.uidvalidity; break;
      case StatusItem::kHighestModSeq: value = status.info.highest_modseq; break;
      case StatusItem::kRecent: value = status.recent; break;  // IMAP4rev1 only
      case StatusItem::kUnseen: value = status.unseen; break;
      case StatusItem::kDeleted: value = status.deleted; break;
      case StatusItem::kSize: value = status.size.value_or(0); break;
    }
    line += std::to_string(value);
  }
  line += ')';
  return line;
}

asio::awaitable<Session::Reply> Session::Namespace(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  Untagged("NAMESPACE ((\"\" \"/\")) NIL NIL");
  co_return Reply{"OK", "", "NAMESPACE completed"};
}

asio::awaitable<Session::Reply> Session::StatusCommand(ImapCommand& command) {
  auto args = ParseStatusArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  auto name = DecodeName(args->mailbox, MailboxNameUse::kExisting);
  if (!name.ok()) co_return Reply{"BAD", "", name.status().message()};
  auto status = co_await ReadStatus(*name, args->items);
  if (!status.ok()) co_return FromStatus(status.status(), "STATUS");
  Untagged(StatusLine(*name, *status, args->items));
  co_return Reply{"OK", "", "STATUS completed"};
}

asio::awaitable<Session::Reply> Session::Close(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  if (!selected_->read_only()) {
    // CLOSE expunges silently (RFC 9051 6.4.1).
    Reply expunged = co_await ExpungeDeleted(std::nullopt, /*report=*/false);
    if (expunged.status != "OK") co_return expunged;
  }
  Deselect();
  co_return Reply{"OK", "", "CLOSE completed"};
}

asio::awaitable<Session::Reply> Session::Unselect(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  Deselect();
  co_return Reply{"OK", "", "UNSELECT completed"};
}

}  // namespace mailvault::imap
