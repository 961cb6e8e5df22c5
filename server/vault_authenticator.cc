#include "server/vault_authenticator.h"

#include "common/crypto/key_statements.h"
#include "common/crypto/keys.h"
#include "common/mail/account_id.h"
#include "server/shard_mail_backend.h"

namespace mailvault {
namespace {

imap::LoginResult Refused() {
  // The same answer for an unknown account and a wrong password, so a login
  // attempt does not reveal which accounts exist.
  return {nullptr, "AUTHENTICATIONFAILED", "Invalid credentials"};
}

}  // namespace

imap::LoginResult VaultAuthenticator::Locate(const std::string& account, RegionShard*& shard) {
  shard = nullptr;
  if (!IsValidAccountId(account)) return Refused();
  // A recent placement serves the hot path; a referral or a refusal is
  // given only on a fresh one (a cached placement may predate a move).
  auto placement = shards_.directory().LookupRecent(account);
  if (!placement.ok() || shards_.Find(placement->home_region) == nullptr) {
    placement = shards_.directory().Lookup(account);
  }
  if (!placement.ok()) {
    if (placement.code() == ErrorCode::kNotFound) return Refused();
    return {nullptr, "UNAVAILABLE", "The directory is unavailable; try again"};
  }
  shard = shards_.Find(placement->home_region);
  if (shard != nullptr) return {};
  const RemoteRegion* remote = shards_.FindRemote(placement->home_region);
  if (remote == nullptr) {
    return {nullptr, "UNAVAILABLE",
            "The account is homed in region " + placement->home_region +
                ", which no configured node serves"};
  }
  // The referral comes before any credential check: the password hash and
  // keys live in the other region's shard (RFC 2221 LOGIN-REFERRALS).
  std::string url = remote->imap_url;
  if (!url.empty() && url.back() != '/') url += '/';
  return {nullptr, "REFERRAL " + url,
          "The account is homed in region " + placement->home_region + "; use that server"};
}

// After the credentials were checked (so a suspension tells nothing to
// someone who has none).
imap::LoginResult VaultAuthenticator::Admit(RegionShard& shard, const std::string& account) {
  auto info = shard.GetAccount(account);
  if (!info.ok()) return {nullptr, "UNAVAILABLE", "Login is unavailable; try again"};
  if (info->suspended) {
    return {nullptr, "UNAVAILABLE", "This account is suspended; contact your provider"};
  }
  return {std::make_unique<ShardMailBackend>(shard, account, hostname_), "", ""};
}

imap::LoginResult VaultAuthenticator::Login(std::string_view user, std::string_view password) {
  const std::string account = NormalizeAccountId(user);
  RegionShard* shard = nullptr;
  imap::LoginResult located = Locate(account, shard);
  if (shard == nullptr) {
    // An unknown address takes as long to refuse as a wrong password.
    if (located.response_code == Refused().response_code) {
      Accounts::SpendPasswordVerification(password);
    }
    return located;
  }
  const Status verified = accounts_.VerifyPassword(account, password);
  if (!verified.ok()) {
    if (verified.code() == ErrorCode::kWrongPassphrase) return Refused();
    return {nullptr, "UNAVAILABLE", "Login is unavailable; try again"};
  }
  return Admit(*shard, account);
}

imap::LoginResult VaultAuthenticator::LoginWithSignature(std::string_view user,
                                                         std::string_view channel_binding,
                                                         std::string_view challenge,
                                                         std::string_view key_id,
                                                         std::string_view signature) {
  const std::string account = NormalizeAccountId(user);
  RegionShard* shard = nullptr;
  imap::LoginResult located = Locate(account, shard);
  if (shard == nullptr) return located;
  const auto id = KeyId::FromBytes(key_id);
  if (!id) return Refused();
  auto keys = shard->ListPublicKeys(account);
  if (!keys.ok()) return {nullptr, "UNAVAILABLE", "Login is unavailable; try again"};
  const std::string signed_bytes = LoginStatement(account, channel_binding, challenge);
  for (const PublicKeyRecord& key : *keys) {
    if (key.key_id == *id && key.kind == PublicKeyKind::kSigning && !key.revoked &&
        VerifySignature(key.public_key, signed_bytes, signature)) {
      return Admit(*shard, account);
    }
  }
  return Refused();
}

}  // namespace mailvault
