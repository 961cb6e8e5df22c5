// Commands whose arguments have little grammar: one parser each, together
// here because each is a few lines. Mailbox names are returned in wire
// form; the session decodes them with MailboxNameFromWire in the encoding
// the connection uses.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/imap/sequence_set.h"
#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

// CAPABILITY, NOOP, LOGOUT, STARTTLS, CHECK, CLOSE, UNSELECT, IDLE,
// NAMESPACE, and EXPUNGE without UID.
Status ParseNoArgs(const ImapCommand& command);

struct LoginArgs {
  std::string user;
  std::string password;
};
Result<LoginArgs> ParseLoginArgs(const ImapCommand& command);

struct AuthenticateArgs {
  std::string mechanism;  // upper-cased
  // SASL-IR (RFC 4959) initial response, decoded; "=" is an empty one.
  std::optional<std::string> initial_response;
};
Result<AuthenticateArgs> ParseAuthenticateArgs(const ImapCommand& command);

// ENABLE capability...: upper-cased, at least one.
Result<std::vector<std::string>> ParseEnableArgs(const ImapCommand& command);

// DELETE, SUBSCRIBE, UNSUBSCRIBE: one mailbox.
Result<std::string> ParseMailboxArg(const ImapCommand& command);

struct CreateArgs {
  std::string mailbox;                   // wire form; decode with MailboxNameUse::kCreate
  std::vector<std::string> special_use;  // CREATE-SPECIAL-USE (RFC 6154): (USE (\Drafts))
};
Result<CreateArgs> ParseCreateArgs(const ImapCommand& command);

struct RenameArgs {
  std::string from;
  std::string to;
};
Result<RenameArgs> ParseRenameArgs(const ImapCommand& command);

// COPY and MOVE (and their UID forms): set mailbox.
struct CopyArgs {
  SequenceSet set;
  std::string mailbox;
};
Result<CopyArgs> ParseCopyArgs(const ImapCommand& command);

// UID EXPUNGE set (UIDPLUS); plain EXPUNGE takes no arguments.
Result<SequenceSet> ParseUidExpungeArgs(const ImapCommand& command);

// ID (RFC 2971): NIL or a list of field/value pairs (values may be NIL).
using IdParams = std::vector<std::pair<std::string, std::optional<std::string>>>;
Result<IdParams> ParseIdArgs(const ImapCommand& command);

}  // namespace mailvault::imap
