// Which public keys new mail for an account is sealed to: the active
// encryption keys the account's key log proves (each registration signed by
// a key the customer already held, back to the enrollment), and that the
// shard lists as active. A key written into the shard by any other way (an
// operator's own key, say) receives nothing.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/region_shard.h"

namespace mailvault {

// kTampered when the key log does not replay (then nothing is sealed).
Result<std::vector<std::string>> SealingKeys(RegionShard& shard, std::string_view account_id);

}  // namespace mailvault
