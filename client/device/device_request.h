// How a further device asks to be added: `mailvault init --join` prints its
// two public keys as one line, which the customer carries to a device that
// has access and gives to `mailvault key add-device`. Only public keys: the
// line may travel over any channel, and the key ids it shows let the
// customer check that it arrived unchanged.
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/keys.h"
#include "common/status.h"

namespace mailvault::client {

struct DeviceRequest {
  std::string encryption_public_key;  // 32 bytes
  std::string signing_public_key;     // 32 bytes
};

// "mailvault-device-v1:" base64(encryption key) ":" base64(signing key)
std::string EncodeDeviceRequest(const DeviceKeys& keys);
Result<DeviceRequest> DecodeDeviceRequest(std::string_view text);

}  // namespace mailvault::client
