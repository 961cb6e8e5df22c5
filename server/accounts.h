// Account life cycle on this node: creation with a one-time enrollment token,
// passwords for generic IMAP clients, lookups for login. Blocking (storage):
// sessions call it on the StoragePool.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
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

// An account on its way out of its shard: its records, and what
// AbortMoveOut restores.
struct OutgoingMove {
  AccountDump dump;
  std::string from_region;
  bool was_suspended = false;
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
  // kWrongPassphrase for a wrong password or an account without one; the
  // latter costs the same Argon2id run (SpendPasswordVerification).
  Status VerifyPassword(std::string_view account_id, std::string_view password);
  // One Argon2id verification against a hash of nothing, for a login whose
  // account does not exist or has no password: answering it at once would
  // tell a guesser which addresses exist.
  static void SpendPasswordVerification(std::string_view password);
  // A new enrollment token for an account that has not enrolled yet (its
  // key log is empty), replacing any open one: the customer lost it, or it
  // expired. kAlreadyExists once a key is enrolled: further devices join
  // through a device that has access, never through a token.
  Result<EnrollmentToken> IssueEnrollmentToken(std::string_view account_id);
  // The first device's enrollment: checks and burns the enrollment token
  // (constant-time comparison of hashes), registers both keys and starts
  // the key log with `log`, in one batch under the account's lock, so of
  // two enrollments with one token exactly one succeeds. Refused once the
  // account has enrolled (kAlreadyExists); kWrongPassphrase for a missing,
  // wrong or expired token (an expired one is deleted).
  Status EnrollFirstDevice(std::string_view account_id, std::string_view token,
                           std::string_view encryption_key, std::string_view signing_key,
                           const LogAppend& log);
  // One step of the walk that deletes expired enrollment tokens from every
  // region hosted here: at most `max_rows` credentials read per region,
  // going on from where the last step stopped. `finished` once every
  // region's walk reached its end (the next step starts a new walk).
  struct PurgeStep {
    size_t purged = 0;
    bool finished = false;
  };
  Result<PurgeStep> PurgeExpiredTokens(size_t max_rows);

  Result<AccountDetails> Show(std::string_view account_id);
  // A suspended account takes no logins (NO [UNAVAILABLE]) and no mail
  // (450 4.2.1, so MTAs queue it); nothing of it is changed or removed.
  Status SetSuspended(std::string_view account_id, bool suspended);
  // Crypto-shredding: every record in its shard, then its directory entry.
  Result<DeleteReport> Delete(std::string_view account_id);
  // Moves the account to another region hosted here, on the customer's
  // consent (checked against its key and placement logs; used once). The
  // old copy is crypto-shredded: the report says what was removed there.
  // It runs the steps below in one process.
  Result<DeleteReport> Move(std::string_view account_id, std::string_view to_region,
                            const MoveConsent& consent);

  // The steps of a move, which mailvault-admin runs on two nodes for a move
  // between them (docs/OPERATIONS.md). Never half-moved: the directory's
  // compare-and-set in AcceptMoveIn is the one moment the account changes
  // node; before it the old copy serves, after it the new one.
  // 1. On the source: checks the consent, suspends the account (logins get
  //    NO, MTAs 450 and retry) and dumps its records.
  Result<OutgoingMove> BeginMoveOut(std::string_view account_id, std::string_view to_region,
                                    const MoveConsent& consent);
  // 2. On the target: checks the consent against the dumped logs, imports
  //    the records with the placement log's "moved" entry, and re-homes the
  //    account in the directory from `from_region`.
  Status AcceptMoveIn(const AccountDump& dump, std::string_view from_region,
                      const MoveConsent& consent, bool suspended);
  // 3. On the source, once the directory names another region: shreds the
  //    old copy.
  Result<DeleteReport> FinishMoveOut(std::string_view account_id);
  // Or, when step 2 failed: the account stays here, as it was.
  Status AbortMoveOut(std::string_view account_id, bool was_suspended);

  // Accounts, messages and sealed bytes of each region hosted here.
  Result<std::vector<RegionSummary>> SummarizeRegions();

  // The shard holding the account here; kWrongRegion (message = the home
  // region) when it lives elsewhere, kNotFound when unknown.
  Result<RegionShard*> ShardFor(std::string_view account_id);

 private:
  const RegionShards& shards_;
  std::mutex purge_mutex_;
  std::map<std::string, std::string> purge_cursors_;  // by region, guarded by purge_mutex_
};

}  // namespace mailvault
