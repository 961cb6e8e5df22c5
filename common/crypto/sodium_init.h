#pragma once

namespace mailvault {

// Calls sodium_init() once per process; aborts if libsodium cannot start
// (no usable random source), because nothing in the vault is safe then.
void EnsureSodiumInitialized();

}  // namespace mailvault
