// A compelled disclosure: the bundle an operator hands over for one account
// under a legal order, and the disclosure log entry that records it. The
// bundle holds what the vault holds and nothing more: sealed bodies and
// summaries, wraps, and the metadata that THREAT-MODEL.md lists; its
// manifest.json names every field and whether it is plaintext metadata or
// ciphertext.
#pragma once

#include <cstdint>
#include <string>

#include "common/crypto/account_log.h"
#include "storage/region_shard.h"

namespace mailvault {

// The longest embargo a disclosure may carry. An entry under embargo hides
// every later disclosure entry from the customer too (XLOG DISCLOSURE stops
// at the first one), so an unbounded date would hide them all for ever.
inline constexpr int64_t kMaxEmbargoDays = 366;
inline constexpr int64_t kMaxEmbargoSeconds = kMaxEmbargoDays * 24 * 3600;

// Appends the disclosure to the account's log, then writes the bundle into
// `out` (a new directory): a failure in between leaves a recorded
// disclosure, never an unrecorded bundle. The customer sees it in
// `mailvault verify` once `embargo_until` (unix seconds, 0 for none, at most
// kMaxEmbargoDays from now) has passed.
Result<Disclosure> DiscloseAccount(RegionShard& shard, const std::string& account_id,
                                   const std::string& order, uint64_t embargo_until,
                                   const std::string& out);

}  // namespace mailvault
