#include "common/crypto/hash.h"

#include <sodium.h>

namespace mailvault {

static_assert(kHashSize == crypto_generichash_BYTES);

std::string Blake2b256(std::string_view bytes) {
  std::string hash(kHashSize, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), nullptr,
                     0);
  return hash;
}

}  // namespace mailvault
