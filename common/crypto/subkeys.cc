#include "common/crypto/subkeys.h"

#include <sodium.h>

namespace mailvault {

static_assert(crypto_kdf_CONTEXTBYTES == 8 && crypto_kdf_KEYBYTES == 32);

SecretBytes DeriveSubkey(const SecretBytes& data_key, uint64_t id, const char (&context)[9]) {
  SecretBytes subkey(32);
  crypto_kdf_derive_from_key(subkey.data(), subkey.size(), id, context, data_key.data());
  return subkey;
}

}  // namespace mailvault
