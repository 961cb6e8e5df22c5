// Key pairs of a customer's device: X25519 for encryption (data keys are
// wrapped to it) and Ed25519 for signing (enrollment, consents, key log).
// The server only ever sees the public halves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto/ids.h"
#include "common/crypto/secret_bytes.h"
#include "common/status.h"

namespace mailvault {

inline constexpr size_t kEncryptionPublicKeySize = 32;  // crypto_box_PUBLICKEYBYTES
inline constexpr size_t kEncryptionSecretKeySize = 32;  // crypto_box_SECRETKEYBYTES
inline constexpr size_t kSigningPublicKeySize = 32;     // crypto_sign_PUBLICKEYBYTES
inline constexpr size_t kSigningSecretKeySize = 64;     // crypto_sign_SECRETKEYBYTES
inline constexpr size_t kSignatureSize = 64;            // crypto_sign_BYTES

struct EncryptionKeyPair {
  std::string public_key;  // 32 bytes
  SecretBytes secret_key;  // 32 bytes

  static EncryptionKeyPair Generate();
  KeyId id() const { return KeyIdOf(public_key); }
};

struct SigningKeyPair {
  std::string public_key;  // 32 bytes
  SecretBytes secret_key;  // 64 bytes (libsodium's seed || public key form)

  static SigningKeyPair Generate();
  KeyId id() const { return KeyIdOf(public_key); }
  // Detached Ed25519 signature (64 bytes) over `message`.
  std::string Sign(std::string_view message) const;
};

// True when `signature` is a valid Ed25519 signature of `message` by `public_key`.
bool VerifySignature(std::string_view public_key, std::string_view message,
                     std::string_view signature);

// One device's keys, as the key file holds them.
struct DeviceKeys {
  EncryptionKeyPair encryption;
  SigningKeyPair signing;
  int64_t created_at = 0;  // unix seconds

  static DeviceKeys Generate();
};

}  // namespace mailvault
