#include "common/crypto/padding.h"

#include <bit>

namespace mailvault {

uint64_t PadmeLength(uint64_t length) {
  if (length < 2) return length;
  // E = floor(log2 L), S = floor(log2 E) + 1; the low E - S bits are zeroed
  // by rounding up.
  const int e = std::bit_width(length) - 1;
  const int s = std::bit_width(static_cast<uint64_t>(e));
  const int last_bits = e - s;
  if (last_bits <= 0) return length;
  const uint64_t mask = (uint64_t{1} << last_bits) - 1;
  return (length + mask) & ~mask;
}

}  // namespace mailvault
