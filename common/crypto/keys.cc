#include "common/crypto/keys.h"

#include <sodium.h>

#include <ctime>

#include "common/crypto/sodium_init.h"

namespace mailvault {

EncryptionKeyPair EncryptionKeyPair::Generate() {
  EnsureSodiumInitialized();
  EncryptionKeyPair pair{std::string(kEncryptionPublicKeySize, '\0'),
                         SecretBytes(kEncryptionSecretKeySize)};
  crypto_box_keypair(reinterpret_cast<unsigned char*>(pair.public_key.data()),
                     pair.secret_key.data());
  return pair;
}

SigningKeyPair SigningKeyPair::Generate() {
  EnsureSodiumInitialized();
  SigningKeyPair pair{std::string(kSigningPublicKeySize, '\0'), SecretBytes(kSigningSecretKeySize)};
  crypto_sign_keypair(reinterpret_cast<unsigned char*>(pair.public_key.data()),
                      pair.secret_key.data());
  return pair;
}

std::string SigningKeyPair::Sign(std::string_view message) const {
  std::string signature(kSignatureSize, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                       secret_key.data());
  return signature;
}

bool VerifySignature(std::string_view public_key, std::string_view message,
                     std::string_view signature) {
  EnsureSodiumInitialized();
  if (public_key.size() != kSigningPublicKeySize || signature.size() != kSignatureSize) {
    return false;
  }
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(),
                                     reinterpret_cast<const unsigned char*>(public_key.data())) == 0;
}

DeviceKeys DeviceKeys::Generate() {
  return DeviceKeys{EncryptionKeyPair::Generate(), SigningKeyPair::Generate(),
                    static_cast<int64_t>(std::time(nullptr))};
}

}  // namespace mailvault
