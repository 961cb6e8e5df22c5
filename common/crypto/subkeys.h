// Subkeys of a message's data key, one per purpose, so that the body stream
// and the summary never share a key (crypto_kdf, BLAKE2b-based).
#pragma once

#include <cstdint>

#include "common/crypto/secret_bytes.h"

namespace mailvault {

inline constexpr size_t kSubkeySize = 32;

// Writes the subkey to `out` (kSubkeySize bytes, in the caller's secret
// memory). `context` is exactly 8 characters (crypto_kdf_CONTEXTBYTES).
void DeriveSubkey(const SecretBytes& data_key, uint64_t id, const char (&context)[9],
                  unsigned char* out);

}  // namespace mailvault
