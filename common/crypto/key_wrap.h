// A message's data key sealed to one recipient public key with
// crypto_box_seal (X25519 + XSalsa20-Poly1305, anonymous sender): 80 bytes.
// Wraps are stored apart from bodies, so rotating or revoking a key rewrites
// wraps only.
#pragma once

#include <string>

#include "common/crypto/ids.h"
#include "common/crypto/keys.h"
#include "common/crypto/secret_bytes.h"
#include "common/status.h"

namespace mailvault {

inline constexpr size_t kDataKeySize = 32;
inline constexpr size_t kWrapSize = 80;  // 32 (key) + crypto_box_SEALBYTES (48)

struct Wrap {
  KeyId key_id;            // which public key can open it
  std::string sealed_key;  // kWrapSize bytes

  bool operator==(const Wrap&) const = default;
};

// A fresh random data key for one message.
SecretBytes GenerateDataKey();

Result<Wrap> WrapDataKey(const SecretBytes& data_key, std::string_view recipient_public_key);

// kWrongKey when the wrap was not made for this key pair (or was altered).
Result<SecretBytes> UnwrapDataKey(const Wrap& wrap, const EncryptionKeyPair& recipient);

}  // namespace mailvault
