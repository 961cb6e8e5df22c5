// What this device remembers of the account's logs, so that a vault which
// later presents another history is caught (by FetchTrustedKeyLog for the
// key log, on every path that uses keys; by `mailvault verify` for all): the hash
// of the key log's first entry (the enrollment), and for each log "seq:hash"
// of the last entry verified. An entry seen once must stay as it was.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "client/device/profile.h"
#include "common/crypto/account_log.h"

namespace mailvault::client {

// "seq:hash" of the last of `entries` (empty for an empty log).
std::string LogPin(const std::vector<std::string>& entries);
// kTampered (naming `log_name`) unless `entries` still holds, at the pinned
// seq, the entry with the pinned hash. An empty pin checks nothing.
Status CheckLogPin(std::string_view pin, const std::vector<std::string>& entries,
                   std::string_view log_name);

// The key log's first entry too: its enrollment must stay the same.
Status CheckKeyLogPins(const Profile& profile, const std::vector<std::string>& entries);
void PinKeyLog(Profile& profile, const std::vector<std::string>& entries);

}  // namespace mailvault::client
