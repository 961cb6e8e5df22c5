// LOGIN and AUTHENTICATE PLAIN on the vault: the account's password (set by
// the operator for generic clients), a referral (RFC 2221) for an account
// homed in a region another node serves.
#pragma once

#include <string>

#include "server/accounts.h"
#include "server/imap/authenticator.h"
#include "server/region_shards.h"

namespace mailvault {

class VaultAuthenticator final : public imap::Authenticator {
 public:
  VaultAuthenticator(const RegionShards& shards, Accounts& accounts, std::string hostname)
      : shards_(shards), accounts_(accounts), hostname_(std::move(hostname)) {}

  imap::LoginResult Login(std::string_view user, std::string_view password) override;
  bool SupportsSignatureLogin() const override { return true; }
  imap::LoginResult LoginWithSignature(std::string_view user, std::string_view channel_binding,
                                       std::string_view challenge, std::string_view key_id,
                                       std::string_view signature) override;

 private:
  // The account's shard here, or the reply that refuses or refers it.
  imap::LoginResult Locate(const std::string& account, RegionShard*& shard);
  imap::LoginResult Admit(RegionShard& shard, const std::string& account);

  const RegionShards& shards_;
  Accounts& accounts_;
  const std::string hostname_;
};

}  // namespace mailvault
