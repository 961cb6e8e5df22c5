#include "client/device/trusted_key_log.h"

#include "client/device/key_log_pins.h"

namespace mailvault::client {
namespace {

bool HoldsActiveDeviceKey(const KeyLogState& log, const Device& device) {
  for (const DeviceKeys& generation : device.keys.keys) {
    const LoggedKey* key = log.Find(generation.encryption.id());
    if (key != nullptr && key->active) return true;
  }
  return false;
}

Result<TrustedKeyLog> FetchOnce(VaultSession& vault, const Device& device) {
  TrustedKeyLog trusted;
  MV_ASSIGN_OR_RETURN(trusted.entries, vault.FetchLog(LogKind::kKeys));
  auto replayed = ReplayKeyLog(device.profile.account, trusted.entries);
  if (!replayed.ok()) {
    return Result<TrustedKeyLog>(ErrorCode::kTampered,
                                 "KEY LOG BROKEN: " + replayed.status().message());
  }
  trusted.state = std::move(replayed).value();
  if (!HoldsActiveDeviceKey(trusted.state, device)) {
    return Result<TrustedKeyLog>(
        ErrorCode::kTampered,
        "KEY LOG WITHOUT THIS DEVICE: no key of this device is active in the account's key log");
  }
  // The pins are read and advanced under the profile's lock: bridge sessions
  // and other commands may do the same at once, and the pins only move on.
  MV_RETURN_IF_ERROR(UpdateProfile(device.profile.dir, [&](Profile& current) -> Status {
    MV_RETURN_IF_ERROR(CheckKeyLogPins(current, trusted.entries));
    trusted.first_pin = current.key_log_root.empty();
    PinKeyLog(current, trusted.entries);
    return Status::Ok();
  }));
  return trusted;
}

}  // namespace

const SigningKeyPair* TrustedKeyLog::DeviceSigner(const Device& device) const {
  for (size_t i = device.keys.keys.size(); i-- > 0;) {
    const LoggedKey* key = state.Find(device.keys.keys[i].signing.id());
    if (key != nullptr && key->active) return &device.keys.keys[i].signing;
  }
  return nullptr;
}

Result<TrustedKeyLog> FetchTrustedKeyLog(VaultSession& vault, const Device& device) {
  auto trusted = FetchOnce(vault, device);
  // Another session of this device may have pinned a longer log between our
  // fetch and the check: a vault that is honest serves that log on asking
  // again; one that rolled the log back fails twice.
  if (!trusted.ok() && trusted.status().message().rfind("KEY LOG REWRITTEN", 0) == 0) {
    trusted = FetchOnce(vault, device);
  }
  return trusted;
}

}  // namespace mailvault::client
