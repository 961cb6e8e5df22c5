// How a further device asks to be added: `mailvault init --join` prints its
// two public keys as one line, which the customer carries to a device that
// has access and gives to `mailvault key add-device`. The line holds only
// public keys, but it has no integrity of its own: whoever swaps it in
// transit would have their keys registered. So both devices show a short
// code computed from the request, and `key add-device` goes ahead only once
// the customer confirms that the codes match.
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

DeviceRequest RequestOf(const DeviceKeys& keys);

// "mailvault-device-v1:" base64(encryption key) ":" base64(signing key)
std::string EncodeDeviceRequest(const DeviceRequest& request);
Result<DeviceRequest> DecodeDeviceRequest(std::string_view text);

// The request's confirmation code: six groups of five digits, "01234 56789
// ...", from BLAKE2b-256 over a domain label and both keys. About 100 bits:
// finding other keys with the same code is out of reach.
std::string DeviceRequestCode(const DeviceRequest& request);
// Whether `typed` is `code`, ignoring spaces and dashes.
bool DeviceCodeMatches(std::string_view typed, std::string_view code);

}  // namespace mailvault::client
