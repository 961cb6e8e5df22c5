// Proof that the customer's device sealed a message (import, the bridge's
// Sent and Drafts): the device signs the sealed body's hash with its
// Ed25519 key, and the signature travels inside the sealed summary, under
// the message's data key. The operator, who never holds a data key or a
// signing key, can replace such a message only with one that has no proof
// (as delivered mail has none) or a proof that does not verify.
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/ids.h"
#include "common/crypto/keys.h"
#include "common/crypto/message_summary.h"

namespace mailvault {

// BLAKE2b-256 of the sealed body as stored and served.
std::string SealedBodyHash(std::string_view sealed_body);

DeviceSeal SignDeviceSeal(const SigningKeyPair& signer, std::string_view account_id,
                          const BlobId& blob_id, std::string_view sealed_body_hash);

// Whether `seal` is `signer_public_key`'s signature over this body.
bool VerifyDeviceSeal(const DeviceSeal& seal, std::string_view signer_public_key,
                      std::string_view account_id, const BlobId& blob_id,
                      std::string_view sealed_body_hash);

}  // namespace mailvault
