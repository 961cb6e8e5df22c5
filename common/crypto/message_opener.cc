#include "common/crypto/message_opener.h"

#include <sodium.h>

#include <algorithm>

#include "common/crypto/key_wrap.h"
#include "common/crypto/message_sealer.h"
#include "common/crypto/plaintext_buffer.h"
#include "common/crypto/sealed_body_format.h"
#include "common/crypto/subkeys.h"

namespace mailvault {

namespace sb = sealed_body;

namespace {
constexpr size_t kSealedChunkSize = sb::kChunkSize + sb::kChunkOverhead;
}  // namespace

struct MessageOpener::State {
  // The stream state holds the body key: secret memory, one allocation.
  SecretBytes stream_state{sizeof(crypto_secretstream_xchacha20poly1305_state)};
  PlaintextBuffer chunk{sb::kChunkSize};  // one opened chunk

  crypto_secretstream_xchacha20poly1305_state* stream() {
    return reinterpret_cast<crypto_secretstream_xchacha20poly1305_state*>(stream_state.data());
  }
};

MessageOpener::MessageOpener(const SecretBytes& data_key, SealBinding binding, ByteSink& out)
    : state_(std::make_unique<State>()),
      data_key_(data_key),
      binding_(std::move(binding)),
      out_(out) {}

MessageOpener::~MessageOpener() = default;

Status MessageOpener::Write(std::string_view sealed) {
  if (!failed_.ok()) return failed_;
  Status status = Consume(sealed);
  if (!status.ok()) failed_ = status;
  return status;
}

// Feeds whole units (the header, then one sealed chunk at a time) to the
// decoder. Input that already holds a whole unit is used in place, so a body
// written in one call is never copied into `pending_`.
Status MessageOpener::Consume(std::string_view in) {
  while (!in.empty()) {
    if (final_seen_) {
      return Status(ErrorCode::kTrailingData, "bytes follow the final chunk of the sealed body");
    }
    const size_t unit = NextUnitSize();
    std::string_view whole;
    if (pending_.empty() && in.size() >= unit) {
      whole = in.substr(0, unit);
      in.remove_prefix(unit);
    } else {
      const size_t take = std::min(unit - pending_.size(), in.size());
      pending_.append(in.substr(0, take));
      in.remove_prefix(take);
      if (pending_.size() < unit) break;
      whole = pending_;
    }
    received_ += whole.size();
    MV_RETURN_IF_ERROR(header_done_ ? OpenChunk(whole) : OpenHeader(whole));
    pending_.clear();
  }
  return Status::Ok();
}

// Once the length prefix is open the exact sealed size is known, so the last
// chunk is opened as soon as its bytes are in and a byte past it is trailing
// data rather than a failed chunk.
size_t MessageOpener::NextUnitSize() const {
  if (!header_done_) return sb::kHeaderSize;
  if (!size_known_) return kSealedChunkSize;
  return static_cast<size_t>(std::min<uint64_t>(kSealedChunkSize, sealed_size_ - received_));
}

Status MessageOpener::OpenHeader(std::string_view bytes) {
  MV_ASSIGN_OR_RETURN(sb::Header header, sb::ParseHeader(bytes));
  if (header.blob_id != binding_.blob_id) {
    return Status(ErrorCode::kWrongBlob, "sealed body belongs to blob " + header.blob_id.ToHex());
  }
  if (header.account_tag != AccountTag(binding_.account_id)) {
    return Status(ErrorCode::kWrongAccount, "sealed body belongs to another account");
  }
  if (data_key_.size() != kDataKeySize) {
    return Status(ErrorCode::kInvalidArgument, "data key must be 32 bytes");
  }
  SecretBytes body_key(kSubkeySize);
  DeriveSubkey(data_key_, sb::kBodyKdfId, sb::kBodyKdfContext, body_key.data());
  if (crypto_secretstream_xchacha20poly1305_init_pull(
          state_->stream(), reinterpret_cast<const unsigned char*>(header.stream_header.data()),
          body_key.data()) != 0) {
    return Status(ErrorCode::kMalformed, "sealed body stream header is invalid");
  }
  header_bytes_ = std::string(bytes);
  header_done_ = true;
  return Status::Ok();
}

Status MessageOpener::OpenChunk(std::string_view sealed) {
  State& st = *state_;
  unsigned long long size = 0;
  unsigned char tag = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(
          st.stream(), st.chunk.data(), &size, &tag,
          reinterpret_cast<const unsigned char*>(sealed.data()), sealed.size(),
          reinterpret_cast<const unsigned char*>(header_bytes_.data()), header_bytes_.size()) != 0) {
    return Status(ErrorCode::kTampered, "sealed body chunk failed authentication");
  }
  const bool final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  if (!final && tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    return Status(ErrorCode::kMalformed, "sealed body chunk has an unknown tag");
  }
  if (!final && size != sb::kChunkSize) {
    return Status(ErrorCode::kMalformed, "sealed body has a short chunk before the final one");
  }
  const unsigned char* data = st.chunk.data();
  if (!size_known_) {
    if (size < sb::kLengthPrefixSize) {
      return Status(ErrorCode::kMalformed, "sealed body lacks its length prefix");
    }
    for (size_t i = 0; i < sb::kLengthPrefixSize; ++i) plaintext_size_ = (plaintext_size_ << 8) | data[i];
    size_known_ = true;
    padded_size_ = sb::PaddedStreamLength(plaintext_size_);
    sealed_size_ = SealedBodySize(plaintext_size_);
    if (plaintext_size_ > padded_size_ || sealed_size_ < received_) {  // overflowed
      return Status(ErrorCode::kMalformed, "sealed body length prefix is out of range");
    }
  }
  const uint64_t chunk_start = stream_offset_;
  stream_offset_ += size;
  if (stream_offset_ > padded_size_ || (final != (stream_offset_ == padded_size_))) {
    return Status(ErrorCode::kMalformed, "sealed body length does not match its padding");
  }
  // Stream bytes [8, 8 + size) are the message; the rest is padding.
  const uint64_t message_begin = sb::kLengthPrefixSize;
  const uint64_t message_end = sb::kLengthPrefixSize + plaintext_size_;
  const uint64_t from = std::max(chunk_start, message_begin);
  const uint64_t to = std::min(stream_offset_, message_end);
  if (from < to) {
    MV_RETURN_IF_ERROR(out_.Append(std::string_view(
        reinterpret_cast<const char*>(data + (from - chunk_start)), to - from)));
  }
  final_seen_ = final;
  return Status::Ok();
}

Status MessageOpener::Finish() {
  if (!failed_.ok()) return failed_;
  Status status = [&]() -> Status {
    if (!header_done_) return Status(ErrorCode::kTruncated, "sealed body header is incomplete");
    if (final_seen_) return Status::Ok();
    // A body shorter than one full chunk: its size is inside that chunk, so a
    // cut there cannot be told from tampering until the tag is checked.
    if (!size_known_ && !pending_.empty()) {
      received_ += pending_.size();
      MV_RETURN_IF_ERROR(OpenChunk(pending_));
      pending_.clear();
      if (final_seen_) return Status::Ok();
    }
    return Status(ErrorCode::kTruncated, "sealed body ends before its final chunk");
  }();
  if (!status.ok()) failed_ = status;
  return status;
}

}  // namespace mailvault
