// Padmé padding (Nikitin et al., "Reducing Metadata Leakage from Encrypted
// Files and Communication with PURBs", PETS 2019): rounds a length up so that
// only O(log log L) bits of it remain visible, at most 12 % overhead.
#pragma once

#include <cstdint>

namespace mailvault {

uint64_t PadmeLength(uint64_t length);

}  // namespace mailvault
