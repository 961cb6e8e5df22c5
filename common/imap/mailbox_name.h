// Mailbox names: the wire form (modified UTF-7 for IMAP4rev1 clients, UTF-8
// once IMAP4rev2 or UTF8=ACCEPT is enabled) and the one canonical internal
// form: UTF-8, '/'-separated, INBOX upper-cased.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault::imap {

inline constexpr char kHierarchyDelimiter = '/';
// Bytes of UTF-8. Generous for people, small enough that a LIST of
// thousands of mailboxes stays cheap.
inline constexpr size_t kMaxMailboxNameBytes = 1024;
inline constexpr size_t kMaxMailboxNameLevels = 64;

enum class MailboxNameEncoding {
  kModifiedUtf7,  // IMAP4rev1 (RFC 3501 5.1.3)
  kUtf8,          // IMAP4rev2 enabled (RFC 9051) or UTF8=ACCEPT (RFC 6855)
};

enum class MailboxNameUse {
  kExisting,  // SELECT, DELETE, RENAME source, ...
  // CREATE and RENAME target: RFC 9051 lets the name end with the
  // delimiter ("create as a parent"); one trailing '/' is dropped.
  kCreate,
};

// "INBOX" in any case.
bool IsInboxName(std::string_view name);
// "inbox" -> "INBOX", "Inbox/Sub" -> "INBOX/Sub"; other names unchanged.
std::string NormalizeInbox(std::string name);

// Checks the internal form: non-empty, at most kMaxMailboxNameBytes, valid
// UTF-8, no control characters (NUL, CR, LF, ...), no LIST wildcards ('%',
// '*'), no empty hierarchy levels ("/a", "a//b", "a/"), at most
// kMaxMailboxNameLevels levels.
Status ValidateMailboxName(std::string_view name);

// What a client may name a new mailbox (CREATE, RENAME target), on top of
// ValidateMailboxName: no hierarchy level is "." or "..". IMAP allows them,
// but the customer's export writes each level as a folder, where they would
// mean the folder itself or its parent. Existing mailboxes are not checked,
// so one made before this rule can still be renamed or deleted.
Status ValidateNewMailboxName(std::string_view name);

// Wire -> internal: decodes, validates and normalises INBOX. The error is
// the text of a BAD (or NO) response.
Result<std::string> MailboxNameFromWire(std::string_view wire, MailboxNameEncoding encoding,
                                        MailboxNameUse use = MailboxNameUse::kExisting);

// Internal -> wire (before the response writer picks atom, quoted or
// literal).
Result<std::string> MailboxNameToWire(std::string_view name, MailboxNameEncoding encoding);

}  // namespace mailvault::imap
