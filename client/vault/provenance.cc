#include "client/vault/provenance.h"

#include "common/crypto/device_seal.h"

namespace mailvault::client {

Result<Provenance> CheckProvenance(const MessageSummary& summary, const KeyLogState& key_log,
                                   const std::string& account, const BlobId& blob_id,
                                   const std::string& sealed_body_hash) {
  if (!summary.device_seal) return Provenance{};
  const DeviceSeal& seal = *summary.device_seal;
  // Any signing key the log ever held: a message sealed before a key was
  // revoked stays the customer's.
  const LoggedKey* key = key_log.Find(seal.signer);
  if (key == nullptr || key->encryption ||
      !VerifyDeviceSeal(seal, key->public_key, account, blob_id, sealed_body_hash)) {
    return Result<Provenance>(ErrorCode::kTampered,
                              "TAMPERED: the message claims to be sealed by your device, but no "
                              "key of yours signed it; it is not shown");
  }
  return Provenance{true, seal.signer};
}

}  // namespace mailvault::client
