// Constants and header layout of the sealed body, format v1.
// docs/FORMAT.md is the specification; this file must agree with it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto/ids.h"
#include "common/status.h"

namespace mailvault::sealed_body {

inline constexpr std::string_view kMagic = "MVSEAL";  // 6 bytes
inline constexpr uint8_t kVersion = 1;
inline constexpr uint8_t kAlgorithmSecretstreamXChaCha20Poly1305 = 1;
inline constexpr uint8_t kChunkSizeLog2 = 16;
inline constexpr size_t kChunkSize = size_t{1} << kChunkSizeLog2;  // 64 KiB of plaintext
inline constexpr size_t kChunkOverhead = 17;  // crypto_secretstream_xchacha20poly1305_ABYTES
inline constexpr size_t kStreamHeaderSize = 24;  // crypto_secretstream_..._HEADERBYTES
inline constexpr size_t kLengthPrefixSize = 8;  // exact plaintext size, inside the stream
// magic(6) version(1) algorithm(1) chunk_log2(1) reserved(1) blob_id(16)
// account_tag(16) stream_header(24)
inline constexpr size_t kHeaderSize = 6 + 1 + 1 + 1 + 1 + 16 + 16 + kStreamHeaderSize;

// KDF contexts (crypto_kdf, 8 bytes each) for the subkeys of a data key.
inline constexpr char kBodyKdfContext[] = "MVbody01";
inline constexpr uint64_t kBodyKdfId = 1;
inline constexpr char kSummaryKdfContext[] = "MVsumm01";
inline constexpr uint64_t kSummaryKdfId = 2;

struct Header {
  uint8_t version = kVersion;
  BlobId blob_id;
  std::string account_tag;    // 16 bytes
  std::string stream_header;  // 24 bytes
};

std::string EncodeHeader(const Header& header);
// kUnknownVersion for another magic or version, kMalformed for a bad layout.
Result<Header> ParseHeader(std::string_view bytes);

// Length of the padded stream plaintext (length prefix + message + zeros).
uint64_t PaddedStreamLength(uint64_t plaintext_size);

}  // namespace mailvault::sealed_body
