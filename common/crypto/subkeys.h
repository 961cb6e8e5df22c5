// Subkeys of a message's data key, one per purpose, so that the body stream
// and the summary never share a key (crypto_kdf, BLAKE2b-based).
#pragma once

#include <cstdint>

#include "common/crypto/secret_bytes.h"

namespace mailvault {

// `context` is exactly 8 characters (crypto_kdf_CONTEXTBYTES).
SecretBytes DeriveSubkey(const SecretBytes& data_key, uint64_t id, const char (&context)[9]);

}  // namespace mailvault
