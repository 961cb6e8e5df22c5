#include "client/device/key_log_pins.h"

#include "common/crypto/hex.h"

#include <cstdlib>

namespace mailvault::client {

std::string LogPin(const std::vector<std::string>& entries) {
  if (entries.empty()) return "";
  return std::to_string(entries.size() - 1) + ":" + ToHex(LogEntryHash(entries.back()));
}

Status CheckLogPin(std::string_view pin, const std::vector<std::string>& entries,
                   std::string_view log_name) {
  if (pin.empty()) return Status::Ok();
  const size_t colon = pin.find(':');
  const uint64_t seq = std::strtoull(std::string(pin.substr(0, colon)).c_str(), nullptr, 10);
  if (colon == std::string_view::npos || seq >= entries.size() ||
      ToHex(LogEntryHash(entries[seq])) != pin.substr(colon + 1)) {
    return Status(ErrorCode::kTampered,
                  std::string(log_name) + " LOG REWRITTEN: entry " + std::to_string(seq) +
                      " is gone or no longer the one this device verified before");
  }
  return Status::Ok();
}

Status CheckKeyLogPins(const Profile& profile, const std::vector<std::string>& entries) {
  if (!profile.key_log_root.empty() &&
      (entries.empty() || ToHex(LogEntryHash(entries.front())) != profile.key_log_root)) {
    return Status(ErrorCode::kTampered,
                  "KEY LOG REWRITTEN: its first entry is not the enrollment this device saw");
  }
  return CheckLogPin(profile.key_log_seen, entries, "KEY");
}

void PinKeyLog(Profile& profile, const std::vector<std::string>& entries) {
  if (entries.empty()) return;
  profile.key_log_root = ToHex(LogEntryHash(entries.front()));
  profile.key_log_seen = LogPin(entries);
}

}  // namespace mailvault::client
