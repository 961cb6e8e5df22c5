// Lower-case hex for hashes, nonces and signatures in files people read
// (consents, pins, manifests). Ids have their own (Id16::ToHex).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace mailvault {

std::string ToHex(std::string_view bytes);
// Exactly `size` bytes from 2 * size hex digits, else nullopt.
std::optional<std::string> FromHex(std::string_view hex, size_t size);

}  // namespace mailvault
