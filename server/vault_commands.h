// The vault's own IMAP commands, behind the X-MAILVAULT capability
// (docs/PROTOCOL.md): enrollment with the one-time token, the account's
// public keys (listing, registering and revoking them with a signature by
// one of the account's signing keys), and wraps (fetching them, and
// writing them in batches for rotation and new devices).
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "server/accounts.h"
#include "server/imap/command_extension.h"

namespace mailvault {

class VaultCommands final : public imap::CommandExtension {
 public:
  explicit VaultCommands(Accounts& accounts) : accounts_(accounts) {}

  std::string_view capability() const override { return "X-MAILVAULT"; }
  bool Handles(std::string_view name) const override;
  imap::ExtensionReply Execute(const imap::ImapCommand& command, imap::MailBackend* backend,
                               bool key_login) override;

  // At most this many blob-id/wrap pairs in one XWRAPS PUT.
  static constexpr size_t kMaxWrapsPerPut = 1000;

 private:
  imap::ExtensionReply Enroll(const imap::ImapCommand& command);
  imap::ExtensionReply ListKeys(imap::MailBackend* backend);
  imap::ExtensionReply FetchLog(const imap::ImapCommand& command, imap::MailBackend* backend);
  imap::ExtensionReply KeyCommand(const imap::ImapCommand& command, imap::MailBackend* backend);
  imap::ExtensionReply RegisterKey(const imap::ImapCommand& command,
                                   imap::MailBackend* backend);
  imap::ExtensionReply RevokeKey(const imap::ImapCommand& command, imap::MailBackend* backend);
  imap::ExtensionReply FetchSealedParts(const imap::ImapCommand& command,
                                        imap::MailBackend* backend);
  imap::ExtensionReply PutWraps(const imap::ImapCommand& command, imap::MailBackend* backend);

  Accounts& accounts_;
  // Serialises XKEY REGISTER and XKEY REVOKE, so that the checks they make
  // on the account's keys (the signer is active, the last encryption key is
  // not revoked) still hold when their write commits. Key changes are rare;
  // one lock for all accounts is enough.
  struct SignedChange {
    RegionShard* shard = nullptr;
    std::vector<PublicKeyRecord> keys;
    std::unique_lock<std::mutex> lock;
    // Written to the key log with the change, so the customer can check it.
    KeyId signer;
    std::string signature;
  };
  std::optional<imap::ExtensionReply> VerifySignedChange(const std::string& account,
                                                         const imap::ImapToken& signer_arg,
                                                         const imap::ImapToken& signature_arg,
                                                         std::string_view statement,
                                                         SignedChange& change);

  std::mutex key_changes_;
};

}  // namespace mailvault
