// One-call sealing and opening for messages that are in memory already
// (LMTP delivery, tests). Built on MessageSealer and MessageOpener.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/key_wrap.h"
#include "common/crypto/keys.h"
#include "common/crypto/message_summary.h"
#include "common/crypto/seal_binding.h"
#include "common/status.h"

namespace mailvault {

// The three separately stored parts of a sealed message.
struct SealedMessage {
  BlobId blob_id;
  std::string body;     // sealed body (header + chunks)
  std::string summary;  // sealed summary record
  std::vector<Wrap> wraps;  // one per recipient public key
};

// Seals `plaintext` for every key in `recipient_public_keys` under a fresh
// data key and the given blob id. `summary.size` is set from the plaintext.
// With `device_signer` (the customer's device sealing), the summary carries
// its DeviceSeal over the sealed body (device_seal.h).
Result<SealedMessage> SealMessage(std::string_view account_id, const BlobId& blob_id,
                                  std::string_view plaintext, MessageSummary summary,
                                  std::span<const std::string> recipient_public_keys,
                                  const SigningKeyPair* device_signer = nullptr);

// Finds the wrap for `keys`, unwraps the data key and opens the body.
// kNoWrapForKey when no wrap names this key id.
Result<SecretBytes> UnwrapFor(std::span<const Wrap> wraps, const EncryptionKeyPair& keys);
Result<std::string> OpenBody(std::string_view sealed_body, const SecretBytes& data_key,
                             const SealBinding& binding);

}  // namespace mailvault
