#include "common/crypto/hex.h"

#include <sodium.h>

namespace mailvault {

std::string ToHex(std::string_view bytes) {
  std::string out(bytes.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 bytes.size());
  out.pop_back();
  return out;
}

std::optional<std::string> FromHex(std::string_view hex, size_t size) {
  std::string out(size, '\0');
  size_t written = 0;
  if (hex.size() != 2 * size ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), size, hex.data(), hex.size(),
                     nullptr, &written, nullptr) != 0 ||
      written != size) {
    return std::nullopt;
  }
  return out;
}

}  // namespace mailvault
