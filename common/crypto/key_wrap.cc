#include "common/crypto/key_wrap.h"

#include <sodium.h>

#include "common/crypto/sodium_init.h"

namespace mailvault {

static_assert(kWrapSize == kDataKeySize + crypto_box_SEALBYTES);

SecretBytes GenerateDataKey() {
  SecretBytes key(kDataKeySize);
  randombytes_buf(key.data(), key.size());
  return key;
}

Result<Wrap> WrapDataKey(const SecretBytes& data_key, std::string_view recipient_public_key) {
  EnsureSodiumInitialized();
  if (data_key.size() != kDataKeySize) {
    return Result<Wrap>(ErrorCode::kInvalidArgument, "data key must be 32 bytes");
  }
  if (recipient_public_key.size() != crypto_box_PUBLICKEYBYTES) {
    return Result<Wrap>(ErrorCode::kInvalidArgument, "recipient public key must be 32 bytes");
  }
  Wrap wrap{KeyIdOf(recipient_public_key), std::string(kWrapSize, '\0')};
  if (crypto_box_seal(reinterpret_cast<unsigned char*>(wrap.sealed_key.data()), data_key.data(),
                      data_key.size(),
                      reinterpret_cast<const unsigned char*>(recipient_public_key.data())) != 0) {
    return Result<Wrap>(ErrorCode::kInvalidArgument, "recipient public key is not usable");
  }
  return wrap;
}

Result<SecretBytes> UnwrapDataKey(const Wrap& wrap, const EncryptionKeyPair& recipient) {
  if (wrap.sealed_key.size() != kWrapSize) {
    return Result<SecretBytes>(ErrorCode::kMalformed, "wrap must be 80 bytes");
  }
  if (wrap.key_id != recipient.id()) {
    return Result<SecretBytes>(ErrorCode::kWrongKey, "wrap is for key " + wrap.key_id.ToHex());
  }
  SecretBytes data_key(kDataKeySize);
  if (crypto_box_seal_open(data_key.data(),
                           reinterpret_cast<const unsigned char*>(wrap.sealed_key.data()),
                           wrap.sealed_key.size(),
                           reinterpret_cast<const unsigned char*>(recipient.public_key.data()),
                           recipient.secret_key.data()) != 0) {
    return Result<SecretBytes>(ErrorCode::kWrongKey, "wrap does not open with this key");
  }
  return data_key;
}

}  // namespace mailvault
