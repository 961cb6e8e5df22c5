#include "common/imap/status_args.h"

#include <algorithm>

#include "common/imap/arg_reader.h"

namespace mailvault::imap {
namespace {

constexpr struct {
  std::string_view name;
  StatusItem item;
} kItems[] = {
    {"MESSAGES", StatusItem::kMessages},       {"UIDNEXT", StatusItem::kUidNext},
    {"UIDVALIDITY", StatusItem::kUidValidity}, {"UNSEEN", StatusItem::kUnseen},
    {"DELETED", StatusItem::kDeleted},         {"SIZE", StatusItem::kSize},
    {"RECENT", StatusItem::kRecent},           {"HIGHESTMODSEQ", StatusItem::kHighestModSeq},
};

}  // namespace

std::string_view StatusItemName(StatusItem item) {
  for (const auto& entry : kItems) {
    if (entry.item == item) return entry.name;
  }
  return "";
}

Result<std::vector<StatusItem>> ParseStatusItemList(const ImapToken& list,
                                                    std::string_view command) {
  const std::string prefix = std::string(command) + ": ";
  if (list.kind != TokenKind::kList) {
    return Status(
        ErrorCode::kInvalidArgument,
        prefix + "expected a parenthesised status item list, got " + TokenKindForError(list));
  }
  if (list.children.empty()) {
    return Status(ErrorCode::kInvalidArgument, prefix + "empty status item list");
  }
  std::vector<StatusItem> items;
  for (const ImapToken& token : list.children) {
    const std::string upper = token.kind == TokenKind::kAtom ? UpperAscii(token.text) : "";
    bool known = false;
    for (const auto& entry : kItems) {
      if (upper == entry.name) {
        known = true;
        if (std::find(items.begin(), items.end(), entry.item) == items.end()) {
          items.push_back(entry.item);
        }
      }
    }
    if (!known) {
      return Status(ErrorCode::kInvalidArgument,
                    prefix + "unknown status item " + TokenKindForError(token));
    }
  }
  return items;
}

Result<StatusArgs> ParseStatusArgs(const ImapCommand& command) {
  ArgReader reader("STATUS", command.args);
  StatusArgs args;
  MV_ASSIGN_OR_RETURN(args.mailbox, reader.Astring("mailbox name"));
  if (reader.AtEnd()) return reader.Missing("status item list");
  MV_ASSIGN_OR_RETURN(args.items, ParseStatusItemList(reader.Take(), "STATUS"));
  MV_RETURN_IF_ERROR(reader.ExpectEnd());
  return args;
}

}  // namespace mailvault::imap
