#include "client/device/device_request.h"

#include "common/base64.h"

namespace mailvault::client {
namespace {

constexpr std::string_view kPrefix = "mailvault-device-v1:";

}  // namespace

std::string EncodeDeviceRequest(const DeviceKeys& keys) {
  return std::string(kPrefix) + EncodeBase64(keys.encryption.public_key) + ":" +
         EncodeBase64(keys.signing.public_key);
}

Result<DeviceRequest> DecodeDeviceRequest(std::string_view text) {
  const Status bad(ErrorCode::kInvalidArgument,
                   "not a device request (it starts with mailvault-device-v1: and comes from "
                   "`mailvault init --join`)");
  if (text.substr(0, kPrefix.size()) != kPrefix) return bad;
  text.remove_prefix(kPrefix.size());
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return bad;
  auto encryption = DecodeBase64(text.substr(0, colon));
  auto signing = DecodeBase64(text.substr(colon + 1));
  if (!encryption.ok() || !signing.ok() || encryption->size() != kEncryptionPublicKeySize ||
      signing->size() != kSigningPublicKeySize) {
    return bad;
  }
  return DeviceRequest{std::move(encryption).value(), std::move(signing).value()};
}

}  // namespace mailvault::client
