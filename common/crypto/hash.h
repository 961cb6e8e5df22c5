// BLAKE2b-256 (libsodium's crypto_generichash, unkeyed): the one plain hash
// of the project, for enrollment tokens, log chains and transfer checksums.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace mailvault {

inline constexpr size_t kHashSize = 32;

// 32 bytes.
std::string Blake2b256(std::string_view bytes);

}  // namespace mailvault
