#include "client/device/device_request.h"

#include <cstdio>

#include "common/base64.h"
#include "common/crypto/hash.h"

namespace mailvault::client {
namespace {

constexpr std::string_view kPrefix = "mailvault-device-v1:";
constexpr std::string_view kCodeLabel = "mailvault-device-code-v1";
constexpr int kCodeGroups = 6;

std::string DigitsOnly(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '-') out.push_back(c);
  }
  return out;
}

}  // namespace

DeviceRequest RequestOf(const DeviceKeys& keys) {
  return DeviceRequest{keys.encryption.public_key, keys.signing.public_key};
}

std::string EncodeDeviceRequest(const DeviceRequest& request) {
  return std::string(kPrefix) + EncodeBase64(request.encryption_public_key) + ":" +
         EncodeBase64(request.signing_public_key);
}

std::string DeviceRequestCode(const DeviceRequest& request) {
  std::string input(kCodeLabel);
  input.push_back('\0');
  input += request.encryption_public_key;
  input += request.signing_public_key;
  const std::string digest = Blake2b256(input);
  // Each group: 40 bits of the digest modulo 100000 (a bias of 1 in 10^7).
  std::string code;
  for (int group = 0; group < kCodeGroups; ++group) {
    uint64_t value = 0;
    for (int i = 0; i < 5; ++i) value = (value << 8) | static_cast<uint8_t>(digest[group * 5 + i]);
    char digits[6];
    std::snprintf(digits, sizeof digits, "%05u", static_cast<unsigned>(value % 100000));
    if (!code.empty()) code.push_back(' ');
    code += digits;
  }
  return code;
}

bool DeviceCodeMatches(std::string_view typed, std::string_view code) {
  return DigitsOnly(typed) == DigitsOnly(code);
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
