// Commands a server adds to the engine behind one capability: the vault's
// key and wrap commands (docs/PROTOCOL.md). The engine parses nothing of
// them; it hands over the command and writes back what the extension says.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/imap/token.h"
#include "server/imap/mail_backend.h"

namespace mailvault::imap {

struct ExtensionReply {
  std::vector<std::string> untagged;  // lines without "* " and CRLF
  std::string status = "OK";          // OK, NO, BAD
  std::string code;
  std::string text;
};

class CommandExtension {
 public:
  virtual ~CommandExtension() = default;
  // Advertised in CAPABILITY (before and after login).
  virtual std::string_view capability() const = 0;
  virtual bool Handles(std::string_view command_name) const = 0;
  // Blocking: runs on the storage pool. `backend` is null before login;
  // `key_login` tells whether the session logged in with the account's
  // signing key (AUTHENTICATE X-MAILVAULT-ED25519) rather than a password.
  virtual ExtensionReply Execute(const ImapCommand& command, MailBackend* backend,
                                 bool key_login) = 0;
};

}  // namespace mailvault::imap
