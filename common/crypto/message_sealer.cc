#include "common/crypto/message_sealer.h"

#include <sodium.h>

#include <algorithm>

#include "common/crypto/key_wrap.h"
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

// Secret state in sodium_malloc'd memory: the stream state holds the key.
struct MessageSealer::State {
  SecretBytes stream_state{sizeof(crypto_secretstream_xchacha20poly1305_state)};
  SecretBytes chunk{sb::kChunkSize};  // plaintext waiting to be sealed
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

  const SecretBytes body_key =
      DeriveSubkey(data_key, sb::kBodyKdfId, sb::kBodyKdfContext);
  sb::Header header;
  header.blob_id = binding.blob_id;
  header.account_tag = AccountTag(binding.account_id);
  header.stream_header.resize(sb::kStreamHeaderSize);
  crypto_secretstream_xchacha20poly1305_init_push(
      st.stream(), reinterpret_cast<unsigned char*>(header.stream_header.data()), body_key.data());
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

Status MessageSealer::PushChunk(const unsigned char* data, size_t size, bool final) {
  State& st = *state_;
  unsigned long long sealed_size = 0;
  crypto_secretstream_xchacha20poly1305_push(
      st.stream(), reinterpret_cast<unsigned char*>(st.sealed_chunk.data()), &sealed_size, data,
      size, reinterpret_cast<const unsigned char*>(st.header.data()), st.header.size(),
      final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
            : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  return out_.Append(std::string_view(st.sealed_chunk.data(), sealed_size));
}

// Accepts padded-stream bytes. A chunk is sealed only once more bytes are
// known to follow it, because the last chunk carries the FINAL tag.
Status MessageSealer::Feed(const char* data, size_t size) {
  State& st = *state_;
  fed_ += size;
  while (size > 0) {
    if (st.chunk_fill == sb::kChunkSize) {
      MV_RETURN_IF_ERROR(PushChunk(st.chunk.data(), st.chunk_fill, /*final=*/false));
      st.chunk_fill = 0;
    }
    const size_t take = std::min(size, sb::kChunkSize - st.chunk_fill);
    std::copy(data, data + take, st.chunk.data() + st.chunk_fill);
    st.chunk_fill += take;
    data += take;
    size -= take;
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
  while (fed_ < padded_size_) {
    MV_RETURN_IF_ERROR(Feed(kZeros, std::min<uint64_t>(sizeof kZeros, padded_size_ - fed_)));
  }
  return PushChunk(state_->chunk.data(), state_->chunk_fill, /*final=*/true);
}

}  // namespace mailvault
