#include "common/crypto/sealed_body_format.h"

#include "common/big_endian.h"
#include "common/crypto/padding.h"

namespace mailvault::sealed_body {

std::string EncodeHeader(const Header& header) {
  std::string out;
  out.reserve(kHeaderSize);
  out.append(kMagic);
  out.push_back(static_cast<char>(header.version));
  out.push_back(static_cast<char>(kAlgorithmSecretstreamXChaCha20Poly1305));
  out.push_back(static_cast<char>(kChunkSizeLog2));
  out.push_back('\0');  // reserved
  out.append(header.blob_id.view());
  out.append(header.account_tag);
  out.append(header.stream_header);
  return out;
}

Result<Header> ParseHeader(std::string_view bytes) {
  if (bytes.size() < kMagic.size() + 1 || bytes.substr(0, kMagic.size()) != kMagic) {
    return Result<Header>(ErrorCode::kUnknownVersion, "not a sealed body (bad magic)");
  }
  ByteReader reader(bytes.substr(kMagic.size()));
  uint8_t version = 0, algorithm = 0, chunk_log2 = 0, reserved = 0;
  reader.Read(version);
  if (version != kVersion) {
    return Result<Header>(ErrorCode::kUnknownVersion,
                          "sealed body version " + std::to_string(version) + " is not supported");
  }
  std::string_view blob_id, account_tag, stream_header;
  if (!reader.Read(algorithm) || !reader.Read(chunk_log2) || !reader.Read(reserved) ||
      !reader.ReadBytes(BlobId::kSize, blob_id) || !reader.ReadBytes(16, account_tag) ||
      !reader.ReadBytes(kStreamHeaderSize, stream_header)) {
    return Result<Header>(ErrorCode::kTruncated, "sealed body header is incomplete");
  }
  if (algorithm != kAlgorithmSecretstreamXChaCha20Poly1305) {
    return Result<Header>(ErrorCode::kUnknownVersion,
                          "sealed body algorithm " + std::to_string(algorithm) + " is not supported");
  }
  if (chunk_log2 != kChunkSizeLog2 || reserved != 0) {
    return Result<Header>(ErrorCode::kMalformed, "sealed body header has unsupported chunk size");
  }
  Header header;
  header.version = version;
  header.blob_id = *BlobId::FromBytes(blob_id);
  header.account_tag = std::string(account_tag);
  header.stream_header = std::string(stream_header);
  return header;
}

uint64_t PaddedStreamLength(uint64_t plaintext_size) {
  return PadmeLength(kLengthPrefixSize + plaintext_size);
}

}  // namespace mailvault::sealed_body
