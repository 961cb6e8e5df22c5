#include "common/crypto/message_sealer.h"

#include <sodium.h>

#include <algorithm>

#include "common/crypto/key_wrap.h"
#include "common/crypto/plaintext_buffer.h"
#include "common/crypto/sealed_body_format.h"
#include "common/crypto/subkeys.h"

namespace mailvault {

namespace sb = sealed_body;

static_assert(sb::kChunkOverhead == crypto_secretstream_xchacha20poly1305_ABYTES);
static_assert(sb::kStreamHeaderSize == crypto_secretstream_xchacha20poly1305_HEADERBYTES);

uint64_t SealedBodySize(uint64_t plaintext_size) {
  const uint64_t padded = sb::PaddedStreamLength(plaintext_size);
  const uint64_t chunks = (padded + sb::kChunkSize - 1) / sb::kChunkSize;
  return sb::kHeaderSize + padded + chunks * sb::kChunkOverhead;
}

struct MessageSealer::State {
  // The stream state holds the body key: secret memory, one allocation.
  SecretBytes stream_state{sizeof(crypto_secretstream_xchacha20poly1305_state)};
  PlaintextBuffer chunk{sb::kChunkSize};  // a partial chunk waiting for more input
  size_t chunk_fill = 0;
  std::string sealed_chunk = std::string(sb::kChunkSize + sb::kChunkOverhead, '\0');
  std::string header;  // associated data of every chunk

  crypto_secretstream_xchacha20poly1305_state* stream() {
    return reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(stream_state.data());
  }
};

MessageSealer::MessageSealer(ByteSink& out, uint64_t plaintext_size)
    : state_(std::make_unique<State>()),
      out_(out),
      plaintext_size_(plaintext_size),
      padded_size_(sb::PaddedStreamLength(plaintext_size)) {}

MessageSealer::~MessageSealer() = default;

Result<std::unique_ptr<MessageSealer>> MessageSealer::Start(const SecretBytes& data_key,
                                                            const SealBinding& binding,
                                                            uint64_t plaintext_size,
                                                            ByteSink& out) {
  if (data_key.size() != kDataKeySize) {
    return Result<std::unique_ptr<MessageSealer>>(ErrorCode::kInvalidArgument,
                                                  "data key must be 32 bytes");
  }
  std::unique_ptr<MessageSealer> sealer(new MessageSealer(out, plaintext_size));
  State& st = *sealer->state_;

  sb::Header header;
  header.blob_id = binding.blob_id;
  header.account_tag = AccountTag(binding.account_id);
  header.stream_header.resize(sb::kStreamHeaderSize);
  {
    SecretBytes body_key(kSubkeySize);
    DeriveSubkey(data_key, sb::kBodyKdfId, sb::kBodyKdfContext, body_key.data());
    crypto_secretstream_xchacha20poly1305_init_push(
        st.stream(), reinterpret_cast<unsigned char*>(header.stream_header.data()),
        body_key.data());
  }
  st.header = sb::EncodeHeader(header);
  MV_RETURN_IF_ERROR(out.Append(st.header));

  // The exact size opens the stream, so an opener can strip the padding
  // without buffering it.
  char prefix[sb::kLengthPrefixSize];
  for (size_t i = 0; i < sizeof prefix; ++i) {
    prefix[i] = static_cast<char>(plaintext_size >> (8 * (sizeof prefix - 1 - i)));
  }
  MV_RETURN_IF_ERROR(sealer->Feed(prefix, sizeof prefix));
  return sealer;
}

size_t MessageSealer::CurrentChunkSize() const {
  return static_cast<size_t>(std::min<uint64_t>(sb::kChunkSize, padded_size_ - pushed_));
}

// The padded size is known from the start, so every chunk boundary is too:
// a chunk is sealed the moment it is complete, FINAL if the stream ends there.
Status MessageSealer::PushChunk(const unsigned char* data, size_t size) {
  State& st = *state_;
  pushed_ += size;
  const bool final = pushed_ == padded_size_;
  unsigned long long sealed_size = 0;
  crypto_secretstream_xchacha20poly1305_push(
      st.stream(), reinterpret_cast<unsigned char*>(st.sealed_chunk.data()), &sealed_size, data,
      size, reinterpret_cast<const unsigned char*>(st.header.data()), st.header.size(),
      final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
            : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  return out_.Append(std::string_view(st.sealed_chunk.data(), sealed_size));
}

Status MessageSealer::Feed(const char* data, size_t size) {
  State& st = *state_;
  const auto* in = reinterpret_cast<const unsigned char*>(data);
  while (size > 0) {
    const size_t chunk_size = CurrentChunkSize();
    if (st.chunk_fill == 0 && size >= chunk_size) {
      // A whole chunk in the caller's buffer: seal it in place, no copy.
      MV_RETURN_IF_ERROR(PushChunk(in, chunk_size));
      in += chunk_size;
      size -= chunk_size;
      continue;
    }
    const size_t take = std::min(size, chunk_size - st.chunk_fill);
    std::copy(in, in + take, st.chunk.data() + st.chunk_fill);
    st.chunk_fill += take;
    in += take;
    size -= take;
    if (st.chunk_fill == chunk_size) {
      MV_RETURN_IF_ERROR(PushChunk(st.chunk.data(), chunk_size));
      st.chunk_fill = 0;
    }
  }
  return Status::Ok();
}

Status MessageSealer::Write(std::string_view plaintext) {
  if (finished_) return Status(ErrorCode::kInvalidArgument, "sealer already finished");
  if (plaintext.size() > plaintext_size_ - written_) {
    return Status(ErrorCode::kInvalidArgument, "more plaintext than the announced size");
  }
  written_ += plaintext.size();
  return Feed(plaintext.data(), plaintext.size());
}

Status MessageSealer::Finish() {
  if (finished_) return Status(ErrorCode::kInvalidArgument, "sealer already finished");
  if (written_ != plaintext_size_) {
    return Status(ErrorCode::kInvalidArgument, "less plaintext than the announced size");
  }
  finished_ = true;
  static const char kZeros[4096] = {};
  while (pushed_ + state_->chunk_fill < padded_size_) {
    const uint64_t left = padded_size_ - pushed_ - state_->chunk_fill;
    MV_RETURN_IF_ERROR(Feed(kZeros, static_cast<size_t>(std::min<uint64_t>(sizeof kZeros, left))));
  }
  return Status::Ok();
}

}  // namespace mailvault
