#include "server/accounts.h"

#include <sodium.h>

#include <ctime>

#include "common/crypto/hash.h"
#include "common/crypto/move_consent.h"
#include "common/mail/account_id.h"

namespace mailvault {
namespace {

constexpr int64_t kEnrollmentValidity = 7 * 24 * 3600;
constexpr size_t kTokenBytes = 20;  // 160 bits, 32 base32 characters

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

// RFC 4648 base32 without padding: easy to read aloud and type.
std::string Base32(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

// The shard stores BLAKE2b-256 of the token, so a stolen shard cannot enroll.
std::string TokenHash(std::string_view token) { return Blake2b256(token); }

// Stores a fresh token's hash in place of any earlier one.
Result<EnrollmentToken> PutNewEnrollmentToken(RegionShard& shard, const std::string& account_id) {
  unsigned char random[kTokenBytes];
  randombytes_buf(random, sizeof random);
  EnrollmentToken token{Base32(random, sizeof random), Now() + kEnrollmentValidity};
  sodium_memzero(random, sizeof random);
  MV_RETURN_IF_ERROR(shard.PutCredential(account_id, CredentialKind::kEnrollmentToken,
                                         TokenHash(token.token), token.expires_at));
  return token;
}

// The enrollment starts the key log (vault_commands.cc), so an empty key
// log is an account no device has enrolled for.
Status RefuseIfEnrolled(RegionShard& shard, const std::string& account_id) {
  MV_ASSIGN_OR_RETURN(auto key_entries, shard.ReadLog(account_id, LogKind::kKeys));
  if (key_entries.empty()) return Status::Ok();
  return Status(ErrorCode::kAlreadyExists,
                account_id +
                    " has enrolled already; a new device joins with `mailvault init --join` and "
                    "`mailvault key add-device`");
}

}  // namespace

Result<RegionShard*> Accounts::ShardFor(std::string_view address) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(Placement placement, shards_.directory().Lookup(account_id));
  RegionShard* shard = shards_.Find(placement.home_region);
  if (shard == nullptr) return Result<RegionShard*>(ErrorCode::kWrongRegion, placement.home_region);
  return shard;
}

Result<EnrollmentToken> Accounts::Create(std::string_view address, std::string_view region) {
  const std::string account_id = NormalizeAccountId(address);
  if (!IsValidAccountId(account_id)) {
    return Result<EnrollmentToken>(ErrorCode::kInvalidArgument,
                                   "'" + std::string(account_id) + "' is not a valid address");
  }
  RegionShard* shard = shards_.Find(region);
  if (shard == nullptr) {
    return Result<EnrollmentToken>(ErrorCode::kWrongRegion,
                                   "region " + std::string(region) + " is not hosted on this node");
  }
  if (shards_.directory().Lookup(account_id).ok()) {
    return Result<EnrollmentToken>(ErrorCode::kAlreadyExists,
                                   std::string(account_id) + " already exists");
  }
  // The placement log starts with the account (docs/FORMAT.md).
  const LogAppend created{LogKind::kPlacement, static_cast<uint8_t>(PlacementLogType::kCreated),
                          CreatedPayload(region)};
  MV_RETURN_IF_ERROR(shard->CreateAccount(account_id, region, &created));
  for (std::string_view mailbox : kSpecialUseMailboxes) {
    MV_RETURN_IF_ERROR(shard->CreateMailbox(account_id, mailbox));
  }
  MV_ASSIGN_OR_RETURN(EnrollmentToken token, PutNewEnrollmentToken(*shard, account_id));
  // The directory entry comes last: until it exists the account receives
  // nothing, so a failure above leaves no half-made account in use.
  MV_RETURN_IF_ERROR(shards_.directory().Place(account_id, region));
  return token;
}

Result<std::vector<Placement>> Accounts::List(std::string_view region, std::string_view after,
                                              size_t limit) {
  MV_ASSIGN_OR_RETURN(auto page, shards_.directory().List(after, limit));
  if (region.empty()) return page;
  std::vector<Placement> filtered;
  for (Placement& p : page) {
    if (p.home_region == region) filtered.push_back(std::move(p));
  }
  return filtered;
}

Status Accounts::SetPassword(std::string_view address, std::string_view password) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * shard, ShardFor(account_id));
  if (password.size() < 8) {
    return Status(ErrorCode::kInvalidArgument, "a password needs at least 8 characters");
  }
  char hash[crypto_pwhash_STRBYTES];
  // INTERACTIVE limits: a login costs ~0.1 s and 64 MiB, which bounds what
  // a flood of wrong logins can take from the server.
  if (crypto_pwhash_str(hash, password.data(), password.size(),
                        crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Status(ErrorCode::kIOError, "out of memory hashing the password");
  }
  return shard->PutCredential(account_id, CredentialKind::kPasswordHash, hash, 0);
}

void Accounts::SpendPasswordVerification(std::string_view password) {
  // Made once, with the limits real hashes have (SetPassword), from a
  // random secret nobody knows: every verification against it fails.
  static const std::string dummy = [] {
    unsigned char secret[32];
    randombytes_buf(secret, sizeof secret);
    char hash[crypto_pwhash_STRBYTES] = {};
    const bool made =
        crypto_pwhash_str(hash, reinterpret_cast<const char*>(secret), sizeof secret,
                          crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
    sodium_memzero(secret, sizeof secret);
    return made ? std::string(hash) : std::string();  // out of memory: nothing to spend on
  }();
  // It fails, as it must; what matters is the time it takes.
  [[maybe_unused]] const int refused =
      crypto_pwhash_str_verify(dummy.c_str(), password.data(), password.size());
}

Status Accounts::VerifyPassword(std::string_view address, std::string_view password) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * shard, ShardFor(account_id));
  auto stored = shard->GetCredential(account_id, CredentialKind::kPasswordHash);
  if (!stored.ok()) {
    if (stored.code() == ErrorCode::kNotFound) {
      SpendPasswordVerification(password);
      return Status(ErrorCode::kWrongPassphrase, "wrong password");
    }
    return stored.status();
  }
  const std::string hash = stored->value;  // NUL-terminated copy for libsodium
  if (crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) != 0) {
    return Status(ErrorCode::kWrongPassphrase, "wrong password");
  }
  return Status::Ok();
}

Result<EnrollmentToken> Accounts::IssueEnrollmentToken(std::string_view address) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * shard, ShardFor(account_id));
  MV_RETURN_IF_ERROR(RefuseIfEnrolled(*shard, account_id));
  return PutNewEnrollmentToken(*shard, account_id);
}

Status Accounts::EnrollFirstDevice(std::string_view address, std::string_view token,
                                   std::string_view encryption_key, std::string_view signing_key,
                                   const LogAppend& log) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * shard, ShardFor(account_id));
  const Status enrolled = shard->RegisterFirstKeys(
      account_id, CredentialKind::kEnrollmentToken, TokenHash(token), Now(),
      {{PublicKeyKind::kEncryption, std::string(encryption_key)},
       {PublicKeyKind::kSigning, std::string(signing_key)}},
      log);
  if (enrolled.code() == ErrorCode::kNotFound) {
    return Status(ErrorCode::kWrongPassphrase, "no enrollment token is open for this account");
  }
  return enrolled;
}

Result<Accounts::PurgeStep> Accounts::PurgeExpiredTokens(size_t max_rows) {
  std::lock_guard lock(purge_mutex_);
  PurgeStep step;
  if (purge_cursors_.empty()) {
    for (const std::string& region : shards_.hosted()) purge_cursors_[region] = "";
  }
  for (auto it = purge_cursors_.begin(); it != purge_cursors_.end();) {
    RegionShard* shard = shards_.Find(it->first);
    if (shard == nullptr) {
      it = purge_cursors_.erase(it);
      continue;
    }
    MV_ASSIGN_OR_RETURN(size_t n, shard->PurgeExpiredCredentials(Now(), max_rows, &it->second));
    step.purged += n;
    // An empty cursor after a step: this region's walk is done.
    it = it->second.empty() ? purge_cursors_.erase(it) : std::next(it);
  }
  step.finished = purge_cursors_.empty();
  return step;
}

Result<AccountDetails> Accounts::Show(std::string_view address) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * shard, ShardFor(account_id));
  AccountDetails details;
  MV_ASSIGN_OR_RETURN(details.info, shard->GetAccount(account_id));
  MV_ASSIGN_OR_RETURN(details.keys, shard->ListPublicKeys(account_id));
  MV_ASSIGN_OR_RETURN(details.usage, shard->Usage(account_id));
  return details;
}

Status Accounts::SetSuspended(std::string_view address, bool suspended) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * shard, ShardFor(account_id));
  return shard->SetSuspended(account_id, suspended);
}

Result<DeleteReport> Accounts::Delete(std::string_view address) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * shard, ShardFor(account_id));
  MV_ASSIGN_OR_RETURN(DeleteReport report, shard->DeleteAccount(account_id));
  // Last, so a failure above leaves an account that can be deleted again.
  MV_RETURN_IF_ERROR(shards_.directory().Remove(account_id));
  return report;
}

Result<std::vector<RegionSummary>> Accounts::SummarizeRegions() {
  std::vector<RegionSummary> regions;
  for (const std::string& name : shards_.hosted()) regions.push_back({name});
  // Each account's figures come from its records.
  MV_RETURN_IF_ERROR(ForEachPlacement(shards_.directory(), [&](const Placement& placement) {
    for (RegionSummary& region : regions) {
      if (region.region != placement.home_region) continue;
      auto usage = shards_.Find(region.region)->Usage(placement.account_id);
      if (!usage.ok()) continue;  // deleted since the page was read
      ++region.accounts;
      region.messages += usage->messages;
      region.sealed_bytes += usage->sealed_bytes;
    }
    return Status::Ok();
  }));
  return regions;
}

namespace {

// The consent checked against the account's own key and placement logs.
Status CheckConsentAgainstLogs(const MoveConsent& consent, std::string_view account_id,
                               std::string_view to_region,
                               const std::vector<std::string>& key_entries,
                               const std::vector<std::string>& placement_entries) {
  MV_ASSIGN_OR_RETURN(KeyLogState keys, ReplayKeyLog(account_id, key_entries));
  MV_ASSIGN_OR_RETURN(PlacementLogState placement,
                      ReplayPlacementLog(account_id, placement_entries, keys));
  return CheckMoveConsent(consent, account_id, to_region, keys, placement,
                          static_cast<uint64_t>(std::time(nullptr)));
}

}  // namespace

Result<OutgoingMove> Accounts::BeginMoveOut(std::string_view address,
                                            std::string_view to_region,
                                            const MoveConsent& consent) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * source, ShardFor(account_id));
  if (source->region() == to_region) {
    return Status(ErrorCode::kInvalidArgument,
                  account_id + " is in region " + std::string(to_region) + " already");
  }
  MV_ASSIGN_OR_RETURN(auto key_entries, source->ReadLog(account_id, LogKind::kKeys));
  MV_ASSIGN_OR_RETURN(auto placement_entries, source->ReadLog(account_id, LogKind::kPlacement));
  MV_RETURN_IF_ERROR(
      CheckConsentAgainstLogs(consent, account_id, to_region, key_entries, placement_entries));

  MV_ASSIGN_OR_RETURN(AccountInfo before, source->GetAccount(account_id));
  MV_RETURN_IF_ERROR(source->SetSuspended(account_id, true));
  Status frozen = source->Freeze(account_id);
  auto dump = frozen.ok() ? source->ExportAccount(account_id) : Result<AccountDump>(frozen);
  if (!dump.ok()) {
    source->Thaw(account_id);
    (void)source->SetSuspended(account_id, before.suspended);
    return dump.status();
  }
  return OutgoingMove{std::move(dump).value(), source->region(), before.suspended};
}

Status Accounts::AcceptMoveIn(const AccountDump& dump, std::string_view from_region,
                              const MoveConsent& consent, bool suspended) {
  const std::string& account_id = dump.account_id;
  RegionShard* target = shards_.Find(consent.to_region);
  if (target == nullptr) {
    return Status(ErrorCode::kWrongRegion,
                  "region " + consent.to_region + " is not hosted on this node");
  }
  // This node checks the consent itself rather than trust the source's word.
  MV_RETURN_IF_ERROR(CheckConsentAgainstLogs(consent, account_id, consent.to_region,
                                             DumpedLog(dump, LogKind::kKeys),
                                             DumpedLog(dump, LogKind::kPlacement)));
  // A copy left here by an earlier attempt that stopped before the
  // directory switch is served by no one: it gives way to this one.
  if (target->GetAccount(account_id).ok()) {
    MV_ASSIGN_OR_RETURN(Placement placement, shards_.directory().Lookup(account_id));
    if (placement.home_region == consent.to_region) {
      return Status(ErrorCode::kAlreadyExists,
                    account_id + " is in region " + consent.to_region + " already");
    }
    MV_RETURN_IF_ERROR(target->DeleteAccount(account_id).status());
  }
  const LogAppend moved{LogKind::kPlacement, static_cast<uint8_t>(PlacementLogType::kMoved),
                        MovedPayload(from_region, consent)};
  MV_RETURN_IF_ERROR(target->ImportAccount(dump, &moved));
  if (suspended) (void)target->SetSuspended(account_id, true);
  if (Status s = shards_.directory().Rehome(account_id, from_region, consent.to_region);
      !s.ok()) {
    (void)target->DeleteAccount(account_id);
    return s;
  }
  return Status::Ok();
}

Result<DeleteReport> Accounts::FinishMoveOut(std::string_view address) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(Placement placement, shards_.directory().Lookup(account_id));
  for (const std::string& region : shards_.hosted()) {
    if (region == placement.home_region) continue;
    RegionShard* old_copy = shards_.Find(region);
    if (old_copy->GetAccount(account_id).ok()) return old_copy->DeleteAccount(account_id);
  }
  return Status(ErrorCode::kNotFound, "no old copy of " + account_id + " is left on this node (" +
                                          "its region is " + placement.home_region + ")");
}

Status Accounts::AbortMoveOut(std::string_view address, bool was_suspended) {
  const std::string account_id = NormalizeAccountId(address);
  MV_ASSIGN_OR_RETURN(RegionShard * source, ShardFor(account_id));
  source->Thaw(account_id);
  return source->SetSuspended(account_id, was_suspended);
}

Result<DeleteReport> Accounts::Move(std::string_view address, std::string_view to_region,
                                    const MoveConsent& consent) {
  const std::string account_id = NormalizeAccountId(address);
  if (shards_.Find(to_region) == nullptr) {
    return Status(ErrorCode::kInvalidArgument,
                  "region " + std::string(to_region) +
                      " is not hosted on this node: name its node's admin socket with "
                      "--target-socket");
  }
  MV_ASSIGN_OR_RETURN(OutgoingMove outgoing, BeginMoveOut(account_id, to_region, consent));
  const Status accepted =
      AcceptMoveIn(outgoing.dump, outgoing.from_region, consent, outgoing.was_suspended);
  if (!accepted.ok()) {
    (void)AbortMoveOut(account_id, outgoing.was_suspended);
    return accepted;
  }
  return FinishMoveOut(account_id);
}

}  // namespace mailvault
