// Account life cycle on this node: creation with a one-time enrollment token,
// passwords for generic IMAP clients, lookups for login. Blocking (storage):
// sessions call it on the StoragePool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/region_shards.h"

namespace mailvault {

struct EnrollmentToken {
  std::string token;   // shown once to the operator, who passes it to the customer
  int64_t expires_at;  // unix seconds
};

// The special-use mailboxes (RFC 6154) every account has from its creation.
inline constexpr std::string_view kSpecialUseMailboxes[] = {"Sent", "Drafts", "Trash", "Junk",
                                                            "Archive"};

// What an operator may see of an account: metadata only (DESIGN.md).
struct AccountDetails {
  AccountInfo info;
  std::vector<PublicKeyRecord> keys;
  AccountUsage usage;
};

struct RegionSummary {
  std::string region;
  uint64_t accounts = 0;
  uint64_t messages = 0;
  uint64_t sealed_bytes = 0;
};

// Every method takes an address as the user typed it and normalises it
// (NormalizeAccountId), so "Alice@Example.com" is alice@example.com.
class Accounts {
 public:
  explicit Accounts(const RegionShards& shards) : shards_(shards) {}

  // Creates the account in `region` (hosted here) with INBOX and the
  // special-use mailboxes, and places it in the directory.
  Result<EnrollmentToken> Create(std::string_view account_id, std::string_view region);
  Result<std::vector<Placement>> List(std::string_view region, std::string_view after,
                                      size_t limit);
  // Stores an Argon2id hash of the password (never the password).
  Status SetPassword(std::string_view account_id, std::string_view password);
  // kWrongPassphrase for a wrong password or an account without one.
  Status VerifyPassword(std::string_view account_id, std::string_view password);
  // Checks and burns the enrollment token (constant-time comparison of hashes).
  Status ConsumeEnrollmentToken(std::string_view account_id, std::string_view token);

  Result<AccountDetails> Show(std::string_view account_id);
  // A suspended account takes no logins (NO [UNAVAILABLE]) and no mail
  // (450 4.2.1, so MTAs queue it); nothing of it is changed or removed.
  Status SetSuspended(std::string_view account_id, bool suspended);
  // Crypto-shredding: every record in its shard, then its directory entry.
  Result<DeleteReport> Delete(std::string_view account_id);
  // Moves the account to another region hosted here, on the customer's
  // consent (checked against its key and placement logs; used once). The
  // old copy is crypto-shredded: the report says what was removed there.
  Result<DeleteReport> Move(std::string_view account_id, std::string_view to_region,
                            const MoveConsent& consent);
  // Accounts, messages and sealed bytes of each region hosted here.
  Result<std::vector<RegionSummary>> SummarizeRegions();

  // The shard holding the account here; kWrongRegion (message = the home
  // region) when it lives elsewhere, kNotFound when unknown.
  Result<RegionShard*> ShardFor(std::string_view account_id);

 private:
  const RegionShards& shards_;
};

}  // namespace mailvault
