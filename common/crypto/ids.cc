#include "common/crypto/ids.h"

#include <sodium.h>

#include <cstring>

#include "common/crypto/sodium_init.h"

namespace mailvault {

template <typename Tag>
std::string Id16<Tag>::ToHex() const {
  std::string hex(kSize * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                 kSize);
  hex.pop_back();
  return hex;
}

template <typename Tag>
std::optional<Id16<Tag>> Id16<Tag>::FromBytes(std::string_view in) {
  if (in.size() != kSize) return std::nullopt;
  Id16 id;
  std::memcpy(id.bytes.data(), in.data(), kSize);
  return id;
}

template <typename Tag>
std::optional<Id16<Tag>> Id16<Tag>::FromHex(std::string_view hex) {
  Id16 id;
  size_t written = 0;
  const char* end = nullptr;
  if (hex.size() != kSize * 2 ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(id.bytes.data()), kSize, hex.data(),
                     hex.size(), nullptr, &written, &end) != 0 ||
      written != kSize || end != hex.data() + hex.size()) {
    return std::nullopt;
  }
  return id;
}

template struct Id16<BlobIdTag>;
template struct Id16<KeyIdTag>;

BlobId RandomBlobId() {
  EnsureSodiumInitialized();
  BlobId id;
  randombytes_buf(id.bytes.data(), id.bytes.size());
  return id;
}

KeyId KeyIdOf(std::string_view public_key) {
  EnsureSodiumInitialized();
  unsigned char digest[crypto_generichash_BYTES];  // 32: BLAKE2b-256
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(public_key.data()),
                     public_key.size(), nullptr, 0);
  KeyId id;
  std::memcpy(id.bytes.data(), digest, KeyId::kSize);
  return id;
}

}  // namespace mailvault
