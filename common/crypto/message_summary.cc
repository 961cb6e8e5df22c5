#include "common/crypto/message_summary.h"

#include <sodium.h>

#include <algorithm>

#include "common/big_endian.h"
#include "common/crypto/key_wrap.h"
#include "common/crypto/keys.h"
#include "common/crypto/sealed_body_format.h"
#include "common/crypto/subkeys.h"
#include "common/crypto/wiping_string.h"

namespace mailvault {
namespace {

constexpr uint8_t kSummaryVersion = 1;
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
// The record is zero-padded to a multiple of this, so that the sealed size
// hides the exact lengths of subject and addresses.
constexpr size_t kPaddingBlock = 256;
constexpr uint8_t kHasAttachment = 0x01;
constexpr uint8_t kDeviceSealed = 0x02;  // followed by signer id (16) and signature (64)

// version(1) || blob id(16) || account tag(16): authenticated, not stored.
std::string AssociatedData(const SealBinding& binding) {
  std::string ad(1, static_cast<char>(kSummaryVersion));
  ad.append(binding.blob_id.view());
  ad.append(AccountTag(binding.account_id));
  return ad;
}

// The record lives in sodium_malloc'd memory: it is plaintext metadata.
SecretBytes EncodeRecord(const MessageSummary& s) {
  size_t size = 1 + 5 * 4 + s.from.size() + s.to.size() + s.subject.size() + s.date.size() +
                s.message_id.size() + 8 + 1 +
                (s.device_seal ? KeyId::kSize + kSignatureSize : 0);
  size = (size + kPaddingBlock - 1) / kPaddingBlock * kPaddingBlock;
  SecretBytes record(size);
  unsigned char* p = record.data();
  *p++ = kSummaryVersion;
  for (const std::string* field : {&s.from, &s.to, &s.subject, &s.date, &s.message_id}) {
    const uint32_t n = static_cast<uint32_t>(field->size());
    for (int shift = 24; shift >= 0; shift -= 8) *p++ = static_cast<unsigned char>(n >> shift);
    std::copy(field->begin(), field->end(), p);
    p += n;
  }
  for (int shift = 56; shift >= 0; shift -= 8) *p++ = static_cast<unsigned char>(s.size >> shift);
  *p++ = (s.has_attachment ? kHasAttachment : 0) | (s.device_seal ? kDeviceSealed : 0);
  if (s.device_seal) {
    p = std::copy(s.device_seal->signer.view().begin(), s.device_seal->signer.view().end(), p);
    std::copy(s.device_seal->signature.begin(), s.device_seal->signature.end(), p);
  }
  return record;  // the rest is the zero padding SecretBytes starts with
}

Result<MessageSummary> DecodeRecord(std::string_view record) {
  ByteReader reader(record);
  uint8_t version = 0;
  if (!reader.Read(version) || version != kSummaryVersion) {
    return Result<MessageSummary>(ErrorCode::kUnknownVersion, "summary record version unknown");
  }
  MessageSummary s;
  for (std::string* field : {&s.from, &s.to, &s.subject, &s.date, &s.message_id}) {
    std::string_view bytes;
    if (!reader.ReadLengthPrefixed(bytes)) break;
    *field = std::string(bytes);
  }
  uint8_t flags = 0;
  if (!reader.Read(s.size) || !reader.Read(flags) ||
      (flags & ~(kHasAttachment | kDeviceSealed)) != 0) {
    return Result<MessageSummary>(ErrorCode::kMalformed, "summary record is malformed");
  }
  s.has_attachment = (flags & kHasAttachment) != 0;
  if (flags & kDeviceSealed) {
    std::string_view signer, signature;
    if (!reader.ReadBytes(KeyId::kSize, signer) || !reader.ReadBytes(kSignatureSize, signature)) {
      return Result<MessageSummary>(ErrorCode::kMalformed, "summary record is malformed");
    }
    s.device_seal = DeviceSeal{*KeyId::FromBytes(signer), std::string(signature)};
  }
  return s;
}

}  // namespace

void WipeSummary(MessageSummary& summary) {
  for (std::string* field :
       {&summary.from, &summary.to, &summary.subject, &summary.date, &summary.message_id}) {
    WipeAndClear(*field);
  }
}

Result<std::string> SealSummary(const MessageSummary& summary, const SecretBytes& data_key,
                                const SealBinding& binding) {
  if (data_key.size() != kDataKeySize) {
    return Result<std::string>(ErrorCode::kInvalidArgument, "data key must be 32 bytes");
  }
  const SecretBytes record = EncodeRecord(summary);
  SecretBytes key(kSubkeySize);
  DeriveSubkey(data_key, sealed_body::kSummaryKdfId, sealed_body::kSummaryKdfContext, key.data());
  const std::string ad = AssociatedData(binding);

  std::string sealed(1 + kNonceSize + record.size() + kTagSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  out[0] = kSummaryVersion;
  randombytes_buf(out + 1, kNonceSize);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      out + 1 + kNonceSize, &written, record.data(), record.size(),
      reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr, out + 1, key.data());
  return sealed;
}

Result<MessageSummary> OpenSummary(std::string_view sealed, const SecretBytes& data_key,
                                   const SealBinding& binding) {
  if (sealed.empty() || static_cast<uint8_t>(sealed[0]) != kSummaryVersion) {
    return Result<MessageSummary>(ErrorCode::kUnknownVersion, "sealed summary version unknown");
  }
  if (sealed.size() < 1 + kNonceSize + kTagSize) {
    return Result<MessageSummary>(ErrorCode::kTruncated, "sealed summary is too short");
  }
  if (data_key.size() != kDataKeySize) {
    return Result<MessageSummary>(ErrorCode::kInvalidArgument, "data key must be 32 bytes");
  }
  SecretBytes key(kSubkeySize);
  DeriveSubkey(data_key, sealed_body::kSummaryKdfId, sealed_body::kSummaryKdfContext, key.data());
  const std::string ad = AssociatedData(binding);
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  const size_t ciphertext_size = sealed.size() - 1 - kNonceSize;
  SecretBytes record(ciphertext_size - kTagSize);
  unsigned long long opened = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          record.data(), &opened, nullptr, in + 1 + kNonceSize, ciphertext_size,
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), in + 1, key.data()) != 0) {
    // Without the blob id and account tag in clear there is no telling a
    // foreign binding from tampering: both are authentication failures.
    return Result<MessageSummary>(ErrorCode::kTampered,
                                  "sealed summary failed authentication (tampered, or bound to "
                                  "another message or account)");
  }
  return DecodeRecord(record.view());
}

}  // namespace mailvault
