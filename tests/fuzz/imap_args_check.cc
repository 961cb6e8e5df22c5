// imap_args: every command argument parser of common/imap (*_args.cc). The
// first byte picks the command (its top bit: the UID form), the rest is the
// argument text, received as a session receives it (literals included), so
// the fuzzer spends no time on framing or unknown command names.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <variant>

#include "common/imap/append_args.h"
#include "common/imap/fetch_args.h"
#include "common/imap/list_args.h"
#include "common/imap/mailbox_name.h"
#include "common/imap/notify_args.h"
#include "common/imap/receiver.h"
#include "common/imap/search_args.h"
#include "common/imap/select_args.h"
#include "common/imap/simple_args.h"
#include "common/imap/sort_args.h"
#include "common/imap/status_args.h"
#include "common/imap/store_args.h"
#include "common/imap/thread_args.h"
#include "tests/common/imap/receiver_driver.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

using namespace imap;

constexpr std::string_view kCommands[] = {
    "FETCH",  "STORE",       "SEARCH", "SORT",   "THREAD", "APPEND", "LIST",
    "LSUB",   "STATUS",      "SELECT", "EXAMINE", "LOGIN",  "AUTHENTICATE", "ENABLE",
    "DELETE", "SUBSCRIBE",   "CREATE", "RENAME", "COPY",   "MOVE",   "EXPUNGE",
    "ID",     "NOOP",        "NOTIFY",
};

// An error becomes the text of "tag BAD ...": one line, and short whatever
// the client sent.
constexpr size_t kMaxErrorMessage = 1024;

template <typename T>
std::string CheckError(const Result<T>& result) {
  if (result.ok()) return "";
  const std::string& message = result.status().message();
  if (!IsOneLine(message)) return "error is not one line: " + Printable(message);
  if (message.size() > kMaxErrorMessage) {
    return "error of " + std::to_string(message.size()) + " bytes: " + Printable(message);
  }
  return "";
}
std::string CheckError(const Status& status) { return CheckError(Result<int>(status)); }

std::string CheckSet(const SequenceSet& set) {
  Result<SequenceSet> again = SequenceSet::Parse(set.ToString());
  if (!again.ok() || again->ToString() != set.ToString()) {
    return "sequence set does not reparse: " + set.ToString();
  }
  return "";
}

bool SetsSeen(const FetchItem& item) {
  return item.kind == FetchItemKind::kRfc822 || item.kind == FetchItemKind::kRfc822Text ||
         ((item.kind == FetchItemKind::kBodySection || item.kind == FetchItemKind::kBinary) &&
          !item.peek);
}

std::string CheckFetch(const ImapCommand& command) {
  Result<FetchArgs> args = ParseFetchArgs(command);
  if (!args.ok()) return CheckError(args);
  // Two implied items (UID, MODSEQ) may come on top of the cap.
  if (args->items.empty() || args->items.size() > kMaxFetchItems + 2) {
    return "FETCH gave " + std::to_string(args->items.size()) + " items";
  }
  bool seen = false;
  for (const FetchItem& item : args->items) seen = seen || SetsSeen(item);
  if (seen != args->sets_seen) return "FETCH sets_seen disagrees with its items";
  if (command.uid && !args->Has(FetchItemKind::kUid)) return "UID FETCH without the UID item";
  if (args->changed_since && !args->uses_condstore) return "CHANGEDSINCE without CONDSTORE";
  for (const FetchItem& item : args->items) {
    if (item.partial && item.partial->length == 0) return "FETCH partial of length 0";
    if (item.section.part.size() > 64) return "FETCH section nested deeper than 64";
    for (uint32_t part : item.section.part) {
      if (part == 0) return "FETCH section part 0";
    }
  }
  return CheckSet(args->set);
}

std::string CheckStore(const ImapCommand& command) {
  Result<StoreArgs> args = ParseStoreArgs(command);
  if (!args.ok()) return CheckError(args);
  std::set<std::string> seen;
  for (const std::string& flag : args->flags) {
    std::string upper;
    for (char c : flag) upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    if (flag.empty() || flag.find_first_of(" ()\"{\r\n") != std::string::npos) {
      return "STORE flag that is not an atom: " + Printable(flag);
    }
    if (!seen.insert(upper).second) return "STORE kept a duplicate flag " + flag;
    if (upper == "\\RECENT") return "STORE accepted \\Recent";
  }
  return CheckSet(args->set);
}

// Depth of NOT/OR/AND nesting, and whether the tree has content keys or
// MODSEQ, as the parser's summary flags claim.
struct KeyFacts {
  size_t depth = 0;
  bool content = false;
  bool modseq = false;
};
void Collect(const SearchKey& key, size_t depth, KeyFacts& facts) {
  facts.depth = std::max(facts.depth, depth);
  facts.content = facts.content || key.IsContentKey();
  facts.modseq = facts.modseq || key.kind == SearchKeyKind::kModSeq;
  if ((key.kind == SearchKeyKind::kNot && key.children.size() != 1) ||
      (key.kind == SearchKeyKind::kOr && key.children.size() != 2)) {
    facts.depth = 1000;  // reported as malformed below
  }
  for (const SearchKey& child : key.children) Collect(child, depth + 1, facts);
}

std::string CheckSearchTree(const SearchArgs& args) {
  KeyFacts facts;
  Collect(args.key, 0, facts);
  if (facts.depth > kMaxSearchDepth + 2) {
    return "search tree malformed or " + std::to_string(facts.depth) + " deep";
  }
  if (facts.content != args.has_content_keys) return "has_content_keys disagrees with the tree";
  if (facts.modseq != args.uses_modseq) return "uses_modseq disagrees with the tree";
  if (args.returns.partial && args.returns.all) return "PARTIAL together with ALL";
  return "";
}

std::string CheckSearch(const ImapCommand& command) {
  Result<SearchArgs> args = ParseSearchArgs(command);
  if (!args.ok()) return CheckError(args);
  return CheckSearchTree(*args);
}

std::string CheckSort(const ImapCommand& command) {
  Result<SortArgs> args = ParseSortArgs(command);
  if (!args.ok()) return CheckError(args);
  if (args->criteria.empty()) return "SORT without criteria";
  if (args->search.charset.empty()) return "SORT without a charset";
  return CheckSearchTree(args->search);
}

std::string CheckThread(const ImapCommand& command) {
  Result<ThreadArgs> args = ParseThreadArgs(command);
  if (!args.ok()) return CheckError(args);
  if (args->search.charset.empty()) return "THREAD without a charset";
  if (args->search.esearch) return "THREAD with RETURN";
  return CheckSearchTree(args->search);
}

std::string CheckAppend(const ImapCommand& command) {
  Result<AppendArgs> args = ParseAppendArgs(command);
  if (!args.ok()) return CheckError(args);
  if (args->messages.empty()) return "APPEND without a message";
  for (const AppendMessage& message : args->messages) {
    if (!message.binary && message.data.find('\0') != std::string::npos) {
      return "APPEND accepted a NUL in a plain literal";
    }
    if (message.catenated() && !message.data.empty()) return "CATENATE message with data";
    for (const CatenatePart& part : message.catenate) {
      if (part.kind == CatenatePart::Kind::kText && !part.binary &&
          part.text.find('\0') != std::string::npos) {
        return "CATENATE accepted a NUL in a plain TEXT literal";
      }
    }
  }
  return "";
}

std::string CheckMailboxWire(const std::string& wire) {
  for (MailboxNameEncoding encoding :
       {MailboxNameEncoding::kModifiedUtf7, MailboxNameEncoding::kUtf8}) {
    Result<std::string> name = MailboxNameFromWire(wire, encoding);
    if (!name.ok()) {
      std::string failure = CheckError(name);
      if (!failure.empty()) return failure;
      continue;
    }
    if (!ValidateMailboxName(*name).ok()) return "decoded mailbox name does not validate";
  }
  return "";
}

std::string CheckList(const ImapCommand& command, bool lsub) {
  Result<ListArgs> args = lsub ? ParseLsubArgs(command) : ParseListArgs(command);
  if (!args.ok()) return CheckError(args);
  if (args->patterns.empty()) return "LIST without a pattern";
  if (lsub && (args->patterns.size() != 1 || !args->selection.subscribed)) return "LSUB shape";
  std::set<StatusItem> items(args->returns.status_items.begin(), args->returns.status_items.end());
  if (items.size() != args->returns.status_items.size()) return "LIST STATUS duplicates";
  return "";
}

std::string CheckStatus(const ImapCommand& command) {
  Result<StatusArgs> args = ParseStatusArgs(command);
  if (!args.ok()) return CheckError(args);
  std::set<StatusItem> items(args->items.begin(), args->items.end());
  if (items.empty() || items.size() != args->items.size()) return "STATUS items empty or repeated";
  return CheckMailboxWire(args->mailbox);
}

std::string CheckSelect(const ImapCommand& command) {
  Result<SelectArgs> args = ParseSelectArgs(command);
  if (!args.ok()) return CheckError(args);
  if (args->qresync && args->qresync->known_uids) return CheckSet(*args->qresync->known_uids);
  return CheckMailboxWire(args->mailbox);
}

// The RFC 5465 rules the parser promises to enforce.
std::string CheckNotify(const ImapCommand& command) {
  Result<NotifyArgs> args = ParseNotifyArgs(command);
  if (!args.ok()) return CheckError(args);
  if (args->none && !args->groups.empty()) return "NOTIFY NONE with groups";
  size_t selected = 0;
  for (const NotifyGroup& group : args->groups) {
    const bool added = (group.events & kMessageNew) != 0;
    const bool expunged = (group.events & kMessageExpunge) != 0;
    if (added != expunged) return "MessageNew without MessageExpunge or the reverse";
    if ((group.events & kFlagChange) != 0 && !added) return "FlagChange without MessageNew";
    if (group.is_selected()) ++selected;
    if (group.fetch_attributes && !group.is_selected()) return "fetch attributes off SELECTED";
  }
  if (selected > 1) return "more than one SELECTED group";
  for (const std::string& name : args->unsupported) {
    if (!IsOneLine(name) || name.find_first_of("()") != std::string::npos || name.size() > 1024) {
      return "an unsupported event name unfit for BADEVENT: " + Printable(name);
    }
  }
  return "";
}

std::string CheckCommand(const ImapCommand& command) {
  const std::string& name = command.name;
  if (name == "FETCH") return CheckFetch(command);
  if (name == "STORE") return CheckStore(command);
  if (name == "SEARCH") return CheckSearch(command);
  if (name == "SORT") return CheckSort(command);
  if (name == "THREAD") return CheckThread(command);
  if (name == "APPEND") return CheckAppend(command);
  if (name == "LIST" || name == "LSUB") return CheckList(command, name == "LSUB");
  if (name == "STATUS") return CheckStatus(command);
  if (name == "SELECT" || name == "EXAMINE") return CheckSelect(command);
  if (name == "LOGIN") return CheckError(ParseLoginArgs(command));
  if (name == "AUTHENTICATE") {
    Result<AuthenticateArgs> args = ParseAuthenticateArgs(command);
    if (args.ok() && args->mechanism.empty()) return "AUTHENTICATE without a mechanism";
    return CheckError(args);
  }
  if (name == "ENABLE") {
    Result<std::vector<std::string>> args = ParseEnableArgs(command);
    if (args.ok() && args->empty()) return "ENABLE without a capability";
    return CheckError(args);
  }
  if (name == "DELETE" || name == "SUBSCRIBE") {
    Result<std::string> mailbox = ParseMailboxArg(command);
    return mailbox.ok() ? CheckMailboxWire(*mailbox) : CheckError(mailbox);
  }
  if (name == "CREATE") {
    Result<CreateArgs> args = ParseCreateArgs(command);
    if (!args.ok()) return CheckError(args);
    Result<std::string> mailbox =
        MailboxNameFromWire(args->mailbox, MailboxNameEncoding::kUtf8, MailboxNameUse::kCreate);
    if (mailbox.ok() && !ValidateMailboxName(*mailbox).ok()) return "CREATE name does not validate";
    return CheckError(mailbox);
  }
  if (name == "RENAME") return CheckError(ParseRenameArgs(command));
  if (name == "COPY" || name == "MOVE") {
    Result<CopyArgs> args = ParseCopyArgs(command);
    return args.ok() ? CheckSet(args->set) : CheckError(args);
  }
  if (name == "EXPUNGE") {
    if (!command.uid) return CheckError(ParseNoArgs(command));
    Result<SequenceSet> set = ParseUidExpungeArgs(command);
    return set.ok() ? CheckSet(*set) : CheckError(set);
  }
  if (name == "ID") return CheckError(ParseIdArgs(command));
  if (name == "NOTIFY") return CheckNotify(command);
  return CheckError(ParseNoArgs(command));
}

}  // namespace

std::string CheckImapArgs(std::string_view input) {
  FuzzInput in(input);
  const uint8_t selector = in.Byte();
  const std::string_view name = kCommands[(selector & 0x7f) % std::size(kCommands)];
  const bool uid = (selector & 0x80) != 0;
  std::string line = "a ";
  if (uid) line += "UID ";
  line.append(name);
  line += " ";
  line.append(in.Rest());
  line += "\r\n";

  ImapReceiver receiver(ReceiverLimits::PostAuth());
  for (ReceiverEvent& event : testing::ReceiveAll(receiver, line)) {
    const ImapCommand* command = std::get_if<ImapCommand>(&event);
    if (command == nullptr) continue;
    // Parsing is a pure function of the command.
    const std::string first = testing::ParseArgumentsFor(*command);
    if (testing::ParseArgumentsFor(*command) != first) return "parsing twice differed: " + first;
    std::string failure = CheckCommand(*command);
    if (!failure.empty()) return std::string(name) + ": " + failure;
  }
  return "";
}

}  // namespace mailvault::fuzz
