#include "common/crypto/sealed_upload.h"

#include "common/big_endian.h"
#include "common/crypto/padding.h"
#include "common/crypto/sealed_body_format.h"

namespace mailvault {
namespace {

namespace sb = sealed_body;

constexpr uint8_t kUploadVersion = 1;
constexpr uint8_t kSummaryVersion = 1;
constexpr size_t kSummaryMinSize = 1 + 24 + 16;  // version, nonce, tag

// Whether `size` bytes after the header can be the chunks of a padded stream
// of P bytes: P + 17 per chunk, full chunks but the last, P a Padmé length.
bool IsPossibleChunkArea(uint64_t size) {
  const uint64_t sealed_chunk = sb::kChunkSize + sb::kChunkOverhead;
  const uint64_t chunks = (size + sealed_chunk - 1) / sealed_chunk;
  if (chunks == 0 || size < chunks * sb::kChunkOverhead) return false;
  const uint64_t padded = size - chunks * sb::kChunkOverhead;
  return padded >= sb::kLengthPrefixSize && PadmeLength(padded) == padded &&
         (padded + sb::kChunkSize - 1) / sb::kChunkSize == chunks;
}

}  // namespace

std::string EncodeSealedUpload(const SealedMessage& message) {
  std::string out;
  out.reserve(32 + message.wraps.size() * 96 + message.summary.size() + message.body.size());
  out.append(kSealedUploadMagic);
  out.push_back(static_cast<char>(kUploadVersion));
  out.push_back('\0');
  out.append(message.blob_id.view());
  AppendBigEndian<uint16_t>(out, static_cast<uint16_t>(message.wraps.size()));
  for (const Wrap& wrap : message.wraps) {
    out.append(wrap.key_id.view());
    out.append(wrap.sealed_key);
  }
  AppendLengthPrefixed(out, message.summary);
  out.append(message.body);
  return out;
}

Status CheckSealedBody(std::string_view body, const SealBinding& binding) {
  if (body.size() < sb::kHeaderSize) {
    return Status(ErrorCode::kTruncated, "sealed body is shorter than its header");
  }
  MV_ASSIGN_OR_RETURN(sb::Header header, sb::ParseHeader(body.substr(0, sb::kHeaderSize)));
  if (header.blob_id != binding.blob_id) {
    return Status(ErrorCode::kWrongBlob, "sealed body belongs to another blob");
  }
  if (header.account_tag != AccountTag(binding.account_id)) {
    return Status(ErrorCode::kWrongAccount, "sealed body belongs to another account");
  }
  if (!IsPossibleChunkArea(body.size() - sb::kHeaderSize)) {
    return Status(ErrorCode::kMalformed, "sealed body length is not one a sealer writes");
  }
  return Status::Ok();
}

Result<SealedMessage> ParseSealedUpload(std::string_view bytes, std::string_view account_id) {
  if (bytes.substr(0, kSealedUploadMagic.size()) != kSealedUploadMagic) {
    return Result<SealedMessage>(ErrorCode::kUnknownVersion, "not a sealed upload");
  }
  ByteReader r(bytes.substr(kSealedUploadMagic.size()));
  uint8_t version = 0, reserved = 0;
  std::string_view blob_id;
  uint16_t wrap_count = 0;
  if (!r.Read(version) || version != kUploadVersion) {
    return Result<SealedMessage>(ErrorCode::kUnknownVersion, "sealed upload version unknown");
  }
  if (!r.Read(reserved) || !r.ReadBytes(BlobId::kSize, blob_id) || !r.Read(wrap_count)) {
    return Result<SealedMessage>(ErrorCode::kTruncated, "sealed upload header is incomplete");
  }
  if (reserved != 0 || wrap_count == 0 || wrap_count > kMaxUploadWraps) {
    return Result<SealedMessage>(ErrorCode::kMalformed,
                                 "a sealed upload needs 1 to 64 wraps");
  }
  SealedMessage message;
  message.blob_id = *BlobId::FromBytes(blob_id);
  for (uint16_t i = 0; i < wrap_count; ++i) {
    std::string_view key_id, sealed_key;
    if (!r.ReadBytes(KeyId::kSize, key_id) || !r.ReadBytes(kWrapSize, sealed_key)) {
      return Result<SealedMessage>(ErrorCode::kTruncated, "sealed upload wraps are incomplete");
    }
    message.wraps.push_back(Wrap{*KeyId::FromBytes(key_id), std::string(sealed_key)});
  }
  std::string_view summary;
  if (!r.ReadLengthPrefixed(summary)) {
    return Result<SealedMessage>(ErrorCode::kTruncated, "sealed upload summary is incomplete");
  }
  if (summary.size() < kSummaryMinSize || static_cast<uint8_t>(summary[0]) != kSummaryVersion) {
    return Result<SealedMessage>(ErrorCode::kMalformed, "sealed upload summary is malformed");
  }
  message.summary = std::string(summary);
  MV_RETURN_IF_ERROR(CheckSealedBody(r.rest(), {std::string(account_id), message.blob_id}));
  message.body = std::string(r.rest());
  return message;
}

}  // namespace mailvault
