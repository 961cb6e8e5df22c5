#include "common/crypto/subkeys.h"

#include <sodium.h>

namespace mailvault {

static_assert(crypto_kdf_CONTEXTBYTES == 8 && crypto_kdf_KEYBYTES == kSubkeySize);

void DeriveSubkey(const SecretBytes& data_key, uint64_t id, const char (&context)[9],
                  unsigned char* out) {
  crypto_kdf_derive_from_key(out, kSubkeySize, id, context, data_key.data());
}

}  // namespace mailvault
