#include "common/crypto/sealed_message.h"

#include "common/crypto/device_seal.h"
#include "common/crypto/message_opener.h"
#include "common/crypto/message_sealer.h"

namespace mailvault {

Result<SealedMessage> SealMessage(std::string_view account_id, const BlobId& blob_id,
                                  std::string_view plaintext, MessageSummary summary,
                                  std::span<const std::string> recipient_public_keys,
                                  const SigningKeyPair* device_signer) {
  if (recipient_public_keys.empty()) {
    return Result<SealedMessage>(ErrorCode::kInvalidArgument, "no recipient public key");
  }
  // The summary's fields are the message's headers: wiped however this returns.
  struct WipeOnReturn {
    MessageSummary& summary;
    ~WipeOnReturn() { WipeSummary(summary); }
  } wipe{summary};
  const SealBinding binding{std::string(account_id), blob_id};
  const SecretBytes data_key = GenerateDataKey();
  SealedMessage sealed;
  sealed.blob_id = blob_id;
  sealed.body.reserve(SealedBodySize(plaintext.size()));
  StringSink sink(sealed.body);
  MV_ASSIGN_OR_RETURN(auto sealer, MessageSealer::Start(data_key, binding, plaintext.size(), sink));
  MV_RETURN_IF_ERROR(sealer->Write(plaintext));
  MV_RETURN_IF_ERROR(sealer->Finish());

  summary.size = plaintext.size();
  if (device_signer != nullptr) {
    summary.device_seal =
        SignDeviceSeal(*device_signer, account_id, blob_id, SealedBodyHash(sealed.body));
  }
  MV_ASSIGN_OR_RETURN(sealed.summary, SealSummary(summary, data_key, binding));
  for (const std::string& public_key : recipient_public_keys) {
    MV_ASSIGN_OR_RETURN(Wrap wrap, WrapDataKey(data_key, public_key));
    sealed.wraps.push_back(std::move(wrap));
  }
  return sealed;
}

Result<SecretBytes> UnwrapFor(std::span<const Wrap> wraps, const EncryptionKeyPair& keys) {
  const KeyId id = keys.id();
  for (const Wrap& wrap : wraps) {
    if (wrap.key_id == id) return UnwrapDataKey(wrap, keys);
  }
  return Result<SecretBytes>(ErrorCode::kNoWrapForKey, "no wrap for key " + id.ToHex());
}

Result<std::string> OpenBody(std::string_view sealed_body, const SecretBytes& data_key,
                             const SealBinding& binding) {
  std::string plaintext;
  plaintext.reserve(sealed_body.size());  // an upper bound: no reallocation
  StringSink sink(plaintext);
  MessageOpener opener(data_key, binding, sink);
  MV_RETURN_IF_ERROR(opener.Write(sealed_body));
  MV_RETURN_IF_ERROR(opener.Finish());
  return plaintext;
}

}  // namespace mailvault
