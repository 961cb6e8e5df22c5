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

// Writes the bundle into `out` (a new directory) and appends the disclosure
// to the account's log. The customer sees it in `mailvault verify` once
// `embargo_until` (unix seconds, 0 for none) has passed.
Result<Disclosure> DiscloseAccount(RegionShard& shard, const std::string& account_id,
                                   const std::string& order, uint64_t embargo_until,
                                   const std::string& out);

}  // namespace mailvault
