#include "common/imap/notify_args.h"

#include "common/imap/arg_reader.h"

namespace mailvault::imap {
namespace {

struct EventName {
  std::string_view upper;
  uint32_t bit;  // 0: known to RFC 5465 but not reported here
};

constexpr EventName kEvents[] = {
    {"MESSAGENEW", kMessageNew},
    {"MESSAGEEXPUNGE", kMessageExpunge},
    {"FLAGCHANGE", kFlagChange},
    {"MAILBOXNAME", kMailboxName},
    {"SUBSCRIPTIONCHANGE", kSubscriptionChange},
    {"ANNOTATIONCHANGE", 0},
    {"MAILBOXMETADATACHANGE", 0},
    {"SERVERMETADATACHANGE", 0},
};

class Parser {
 public:
  explicit Parser(NotifyArgs& args) : args_(args) {}

  Status Error(const std::string& message) const {
    return Status(ErrorCode::kInvalidArgument, "NOTIFY: " + message);
  }

  Status Group(const ImapToken& list) {
    if (list.kind != TokenKind::kList || list.children.size() < 2) {
      return Error("expected an event group like (personal (MessageNew MessageExpunge)), got " +
                   TokenKindForError(list));
    }
    const std::vector<ImapToken>& parts = list.children;
    NotifyGroup group;
    size_t next = 1;
    const std::string filter = parts[0].kind == TokenKind::kAtom ? UpperAscii(parts[0].text) : "";
    if (filter == "SELECTED" || filter == "SELECTED-DELAYED") {
      if (selected_seen_) return Error("SELECTED or SELECTED-DELAYED may be given once");
      selected_seen_ = true;
      group.filter = filter == "SELECTED" ? NotifyFilter::kSelected : NotifyFilter::kSelectedDelayed;
    } else if (filter == "INBOXES") {
      group.filter = NotifyFilter::kInboxes;
    } else if (filter == "PERSONAL") {
      group.filter = NotifyFilter::kPersonal;
    } else if (filter == "SUBSCRIBED") {
      group.filter = NotifyFilter::kSubscribed;
    } else if (filter == "SUBTREE" || filter == "MAILBOXES") {
      group.filter = filter == "SUBTREE" ? NotifyFilter::kSubtree : NotifyFilter::kMailboxes;
      MV_RETURN_IF_ERROR(Mailboxes(parts[1], filter, group.mailboxes));
      next = 2;
    } else {
      return Error("unknown mailbox filter " + TokenKindForError(parts[0]));
    }
    if (next + 1 != parts.size()) {
      return Error("an event group is a mailbox filter and one event list");
    }
    MV_RETURN_IF_ERROR(Events(parts[next], group));
    args_.groups.push_back(std::move(group));
    return Status::Ok();
  }

 private:
  Status Mailboxes(const ImapToken& token, const std::string& filter,
                   std::vector<std::string>& out) const {
    if (token.kind != TokenKind::kList) {
      MV_ASSIGN_OR_RETURN(std::string name, TokenAsAstring(token, "NOTIFY", "mailbox name"));
      out.push_back(std::move(name));
      return Status::Ok();
    }
    if (token.children.empty()) return Error(filter + " needs at least one mailbox");
    for (const ImapToken& child : token.children) {
      MV_ASSIGN_OR_RETURN(std::string name, TokenAsAstring(child, "NOTIFY", "mailbox name"));
      out.push_back(std::move(name));
    }
    return Status::Ok();
  }

  Status Events(const ImapToken& token, NotifyGroup& group) {
    if (IsAtomNamed(token, "NONE")) return Status::Ok();
    if (token.kind != TokenKind::kList || token.children.empty()) {
      return Error("expected a list of events or NONE, got " + TokenKindForError(token));
    }
    const std::vector<ImapToken>& events = token.children;
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i].kind != TokenKind::kAtom) {
        return Error("expected an event name, got " + TokenKindForError(events[i]));
      }
      const std::string name = UpperAscii(events[i].text);
      const EventName* known = nullptr;
      for (const EventName& e : kEvents) {
        if (e.upper == name) known = &e;
      }
      if (known == nullptr || known->bit == 0) {
        args_.unsupported.push_back(events[i].text.substr(0, 64));
      } else {
        group.events |= known->bit;
      }
      // MessageNew may carry the fetch attributes of its FETCH.
      if (name == "MESSAGENEW" && i + 1 < events.size() &&
          events[i + 1].kind == TokenKind::kList) {
        if (!group.is_selected()) {
          return Error("fetch attributes of MessageNew are for SELECTED only");
        }
        group.fetch_attributes = events[++i];
      }
    }
    // RFC 5465 5: MessageNew and MessageExpunge together; FlagChange and
    // AnnotationChange only with both.
    const bool is_new = (group.events & kMessageNew) != 0;
    const bool expunge = (group.events & kMessageExpunge) != 0;
    if (is_new != expunge) return Error("MessageNew and MessageExpunge go together");
    if ((group.events & kFlagChange) != 0 && !is_new) {
      return Error("FlagChange needs MessageNew and MessageExpunge");
    }
    // RFC 5465 6.1: the selected mailbox's filters take message events only.
    if (group.is_selected() && (group.events & (kMailboxName | kSubscriptionChange)) != 0) {
      return Error("SELECTED and SELECTED-DELAYED take message events only");
    }
    return Status::Ok();
  }

  NotifyArgs& args_;
  bool selected_seen_ = false;
};

}  // namespace

const char* SupportedNotifyEvents() {
  return "MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange";
}

Result<NotifyArgs> ParseNotifyArgs(const ImapCommand& command) {
  NotifyArgs args;
  const std::vector<ImapToken>& tokens = command.args;
  if (tokens.empty()) return Status(ErrorCode::kInvalidArgument, "NOTIFY: expected SET or NONE");
  if (IsAtomNamed(tokens[0], "NONE")) {
    if (tokens.size() != 1) return Status(ErrorCode::kInvalidArgument, "NOTIFY NONE takes nothing");
    args.none = true;
    return args;
  }
  if (!IsAtomNamed(tokens[0], "SET")) {
    return Status(ErrorCode::kInvalidArgument,
                  "NOTIFY: expected SET or NONE, got " + TokenKindForError(tokens[0]));
  }
  size_t i = 1;
  if (i < tokens.size() && IsAtomNamed(tokens[i], "STATUS")) {
    args.status = true;
    ++i;
  }
  if (i == tokens.size()) {
    return Status(ErrorCode::kInvalidArgument, "NOTIFY SET: missing event groups");
  }
  Parser parser(args);
  for (; i < tokens.size(); ++i) MV_RETURN_IF_ERROR(parser.Group(tokens[i]));
  return args;
}

}  // namespace mailvault::imap
