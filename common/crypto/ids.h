// Fixed 16-byte identifiers: blob ids (random per message) and key ids
// (the first 16 bytes of BLAKE2b-256 of a public key).
#pragma once

#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace mailvault {

template <typename Tag>
struct Id16 {
  static constexpr size_t kSize = 16;
  std::array<char, kSize> bytes{};

  std::string_view view() const { return {bytes.data(), bytes.size()}; }
  std::string ToHex() const;
  static std::optional<Id16> FromBytes(std::string_view in);
  static std::optional<Id16> FromHex(std::string_view hex);

  auto operator<=>(const Id16&) const = default;
};

using BlobId = Id16<struct BlobIdTag>;
using KeyId = Id16<struct KeyIdTag>;

// A fresh random blob id (libsodium's CSPRNG).
BlobId RandomBlobId();

// Key id of a public key: the first 16 bytes of BLAKE2b-256(public key).
KeyId KeyIdOf(std::string_view public_key);

}  // namespace mailvault
