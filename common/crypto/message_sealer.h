// Streaming encryption of one message body into the sealed body format v1.
//
// The sealer holds at most one 64 KiB chunk of plaintext; its output goes to
// a ByteSink as it is produced. The exact plaintext size is announced up
// front because it is written (encrypted) at the start of the stream, which
// lets an opener strip the Padmé padding while streaming.
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

// Exact size of the sealed body of a `plaintext_size`-byte message.
uint64_t SealedBodySize(uint64_t plaintext_size);

class MessageSealer {
 public:
  // Starts sealing under `data_key` (see GenerateDataKey); writes the header.
  static Result<std::unique_ptr<MessageSealer>> Start(const SecretBytes& data_key,
                                                      const SealBinding& binding,
                                                      uint64_t plaintext_size, ByteSink& out);
  ~MessageSealer();

  // Any number of calls; kInvalidArgument once more than the announced size
  // has been written.
  Status Write(std::string_view plaintext);
  // Pads, writes the FINAL chunk. kInvalidArgument if fewer bytes than
  // announced were written.
  Status Finish();

 private:
  MessageSealer(ByteSink& out, uint64_t plaintext_size);
  // Accepts padded-stream bytes (length prefix, message, zeros).
  Status Feed(const char* data, size_t size);
  Status PushChunk(const unsigned char* data, size_t size);
  // Size of the chunk being filled: 64 KiB, or what is left of the stream.
  size_t CurrentChunkSize() const;

  struct State;
  std::unique_ptr<State> state_;
  ByteSink& out_;
  const uint64_t plaintext_size_;
  const uint64_t padded_size_;
  uint64_t pushed_ = 0;   // padded-stream bytes sealed and written so far
  uint64_t written_ = 0;  // message bytes accepted so far
  bool finished_ = false;
};

}  // namespace mailvault
