// What this device remembers of the account's key log: the hash of its
// first entry (the enrollment) and of the last entry it verified. A vault
// that later presents another history, or rewrites an entry already seen,
// fails `mailvault verify`.
#pragma once

#include "client/device/profile.h"
#include "common/crypto/account_log.h"

namespace mailvault::client {

// kTampered when `log` does not begin with the history `profile` pinned.
Status CheckKeyLogPins(const Profile& profile, const KeyLogState& log);
// Pins `log`'s first entry and its head in `profile` (the caller saves it).
void PinKeyLog(Profile& profile, const KeyLogState& log);

}  // namespace mailvault::client
