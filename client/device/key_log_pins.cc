#include "client/device/key_log_pins.h"

#include <sodium.h>

#include <string>

namespace mailvault::client {
namespace {

std::string Hex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

}  // namespace

Status CheckKeyLogPins(const Profile& profile, const KeyLogState& log) {
  if (!profile.key_log_root.empty() &&
      (log.entry_hashes.empty() || Hex(log.entry_hashes[0]) != profile.key_log_root)) {
    return Status(ErrorCode::kTampered,
                  "KEY LOG REWRITTEN: its first entry is not the enrollment this device saw");
  }
  if (!profile.key_log_seen.empty()) {
    const size_t colon = profile.key_log_seen.find(':');
    const uint64_t seq = std::strtoull(profile.key_log_seen.c_str(), nullptr, 10);
    if (colon == std::string::npos || seq >= log.entry_hashes.size() ||
        Hex(log.entry_hashes[seq]) != profile.key_log_seen.substr(colon + 1)) {
      return Status(ErrorCode::kTampered,
                    "KEY LOG REWRITTEN: entry " + std::to_string(seq) +
                        " is no longer the one this device verified before");
    }
  }
  return Status::Ok();
}

void PinKeyLog(Profile& profile, const KeyLogState& log) {
  if (log.entry_hashes.empty()) return;
  profile.key_log_root = Hex(log.entry_hashes.front());
  profile.key_log_seen =
      std::to_string(log.entry_hashes.size() - 1) + ":" + Hex(log.entry_hashes.back());
}

}  // namespace mailvault::client
