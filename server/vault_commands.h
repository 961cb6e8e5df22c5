// The vault's own IMAP commands, behind the X-MAILVAULT capability
// (docs/PROTOCOL.md): enrollment with the one-time token, and the account's
// public keys.
#pragma once

#include "server/accounts.h"
#include "server/imap/command_extension.h"

namespace mailvault {

class VaultCommands final : public imap::CommandExtension {
 public:
  explicit VaultCommands(Accounts& accounts) : accounts_(accounts) {}

  std::string_view capability() const override { return "X-MAILVAULT"; }
  bool Handles(std::string_view name) const override;
  imap::ExtensionReply Execute(const imap::ImapCommand& command,
                               imap::MailBackend* backend) override;

 private:
  imap::ExtensionReply Enroll(const imap::ImapCommand& command);
  imap::ExtensionReply ListKeys(imap::MailBackend* backend);
  imap::ExtensionReply FetchSealedParts(const imap::ImapCommand& command,
                                        imap::MailBackend* backend);

  Accounts& accounts_;
};

}  // namespace mailvault
