#include "server/sealing_keys.h"

#include <algorithm>

#include "common/crypto/account_log.h"

namespace mailvault {

Result<std::vector<std::string>> SealingKeys(RegionShard& shard, std::string_view account_id) {
  MV_ASSIGN_OR_RETURN(auto entries, shard.ReadLog(account_id, LogKind::kKeys));
  MV_ASSIGN_OR_RETURN(KeyLogState log, ReplayKeyLog(account_id, entries));
  MV_ASSIGN_OR_RETURN(auto active, shard.ActiveEncryptionKeys(account_id));
  std::vector<std::string> keys;
  for (const std::string& key : log.ActiveEncryptionKeys()) {
    if (std::find(active.begin(), active.end(), key) != active.end()) keys.push_back(key);
  }
  return keys;
}

}  // namespace mailvault
