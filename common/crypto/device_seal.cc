#include "common/crypto/device_seal.h"

#include "common/crypto/hash.h"
#include "common/crypto/key_statements.h"

namespace mailvault {

std::string SealedBodyHash(std::string_view sealed_body) { return Blake2b256(sealed_body); }

DeviceSeal SignDeviceSeal(const SigningKeyPair& signer, std::string_view account_id,
                          const BlobId& blob_id, std::string_view sealed_body_hash) {
  return DeviceSeal{signer.id(),
                    signer.Sign(DeviceSealStatement(account_id, blob_id, sealed_body_hash))};
}

bool VerifyDeviceSeal(const DeviceSeal& seal, std::string_view signer_public_key,
                      std::string_view account_id, const BlobId& blob_id,
                      std::string_view sealed_body_hash) {
  return VerifySignature(signer_public_key,
                         DeviceSealStatement(account_id, blob_id, sealed_body_hash),
                         seal.signature);
}

}  // namespace mailvault
