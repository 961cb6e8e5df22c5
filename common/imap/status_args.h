// STATUS arguments (RFC 9051 6.3.11), and the status item list that LIST
// RETURN (STATUS (...)) shares (RFC 5819).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

enum class StatusItem {
  kMessages,
  kUidNext,
  kUidValidity,
  kUnseen,
  kDeleted,        // IMAP4rev2
  kSize,           // IMAP4rev2
  kRecent,         // IMAP4rev1 only; answer 0
  kHighestModSeq,  // CONDSTORE
};

// The wire name, "UIDNEXT".
std::string_view StatusItemName(StatusItem item);

// "(" status-att *(SP status-att) ")", duplicates removed, order kept.
Result<std::vector<StatusItem>> ParseStatusItemList(const ImapToken& list,
                                                    std::string_view command);

struct StatusArgs {
  std::string mailbox;  // wire form
  std::vector<StatusItem> items;
};

Result<StatusArgs> ParseStatusArgs(const ImapCommand& command);

}  // namespace mailvault::imap
