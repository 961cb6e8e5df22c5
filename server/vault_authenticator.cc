#include "server/vault_authenticator.h"

#include "server/account_id.h"
#include "server/shard_mail_backend.h"

namespace mailvault {
namespace {

imap::LoginResult Refused() {
  // The same answer for an unknown account and a wrong password, so a login
  // attempt does not reveal which accounts exist.
  return {nullptr, "AUTHENTICATIONFAILED", "Invalid credentials"};
}

}  // namespace

imap::LoginResult VaultAuthenticator::Login(std::string_view user, std::string_view password) {
  const std::string account = NormalizeAccountId(user);
  if (!IsValidAccountId(account)) return Refused();
  auto placement = shards_.directory().Lookup(account);
  if (!placement.ok()) {
    if (placement.code() == ErrorCode::kNotFound) return Refused();
    return {nullptr, "UNAVAILABLE", "The directory is unavailable; try again"};
  }
  RegionShard* shard = shards_.Find(placement->home_region);
  if (shard == nullptr) {
    const RemoteRegion* remote = shards_.FindRemote(placement->home_region);
    if (remote == nullptr) {
      return {nullptr, "UNAVAILABLE",
              "The account is homed in region " + placement->home_region +
                  ", which no configured node serves"};
    }
    // The referral comes before any password check: the password hash
    // lives in the other region's shard (RFC 2221 LOGIN-REFERRALS).
    std::string url = remote->imap_url;
    if (!url.empty() && url.back() != '/') url += '/';
    return {nullptr, "REFERRAL " + url,
            "The account is homed in region " + placement->home_region + "; use that server"};
  }
  const Status verified = accounts_.VerifyPassword(account, password);
  if (!verified.ok()) {
    if (verified.code() == ErrorCode::kWrongPassphrase) return Refused();
    return {nullptr, "UNAVAILABLE", "Login is unavailable; try again"};
  }
  return {std::make_unique<ShardMailBackend>(*shard, account, hostname_), "", ""};
}

}  // namespace mailvault
