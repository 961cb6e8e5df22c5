#include "common/crypto/sodium_init.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

namespace mailvault {

void EnsureSodiumInitialized() {
  static const bool initialized = [] {
    if (sodium_init() < 0) {
      std::fputs("mailvault: libsodium failed to initialise\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)initialized;
}

}  // namespace mailvault
