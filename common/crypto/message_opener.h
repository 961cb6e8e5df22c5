// Streaming decryption of a sealed body: feed it the sealed bytes in pieces
// of any size; it holds at most one sealed chunk and writes the plaintext,
// without its padding, to a ByteSink. Every failure is a typed Status and no
// unauthenticated byte ever reaches the sink.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/crypto/byte_sink.h"
#include "common/crypto/seal_binding.h"
#include "common/crypto/secret_bytes.h"
#include "common/status.h"

namespace mailvault {

class MessageOpener {
 public:
  MessageOpener(const SecretBytes& data_key, SealBinding binding, ByteSink& out);
  ~MessageOpener();

  Status Write(std::string_view sealed);
  // kTruncated if the FINAL chunk never came.
  Status Finish();

  // The exact plaintext size, known once the first chunk has been opened.
  uint64_t plaintext_size() const { return plaintext_size_; }

 private:
  Status Consume(std::string_view in);
  size_t NextUnitSize() const;
  Status OpenHeader(std::string_view bytes);
  Status OpenChunk(std::string_view sealed);

  struct State;
  std::unique_ptr<State> state_;
  const SecretBytes& data_key_;
  SealBinding binding_;
  ByteSink& out_;
  std::string pending_;  // sealed bytes not yet consumed: at most one chunk
  std::string header_bytes_;  // authenticated as associated data of every chunk
  bool header_done_ = false;
  bool final_seen_ = false;
  bool size_known_ = false;     // the length prefix has been opened
  uint64_t received_ = 0;       // sealed bytes consumed, header included
  uint64_t stream_offset_ = 0;  // padded-stream plaintext bytes opened so far
  uint64_t plaintext_size_ = 0;
  uint64_t padded_size_ = 0;
  uint64_t sealed_size_ = 0;    // header + chunks, known with the length prefix
  Status failed_;  // sticky: after one failure every call fails the same way
};

}  // namespace mailvault
