// The streaming API's promises: any split of the input gives the same bytes,
// and a 50 MiB message is sealed and opened without a second copy of it.
#include <gtest/gtest.h>
#include <malloc.h>
#include <sodium.h>

#include <random>

#include "common/crypto/key_wrap.h"
#include "common/crypto/message_opener.h"
#include "common/crypto/message_sealer.h"

namespace mailvault {
namespace {

const SealBinding kBinding{"carol@example.net", BlobId{}};

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

// Writes `data` in pieces of random sizes (1 byte to 100 KiB).
template <typename Stream>
Status WriteInPieces(Stream& stream, std::string_view data, uint64_t seed) {
  std::mt19937_64 rng(seed);
  while (!data.empty()) {
    const size_t n = std::min<size_t>(data.size(), 1 + rng() % (100 << 10));
    MV_RETURN_IF_ERROR(stream.Write(data.substr(0, n)));
    data.remove_prefix(n);
  }
  return stream.Finish();
}

TEST(StreamingTest, AnySplitOfTheInputGivesTheSameResult) {
  const SecretBytes key = GenerateDataKey();
  for (size_t size : {0u, 7u, 65528u, 65529u, 300000u}) {
    const std::string plaintext = RandomBytes(size, size);
    std::string sealed;
    StringSink sealed_sink(sealed);
    auto sealer = MessageSealer::Start(key, kBinding, size, sealed_sink);
    ASSERT_TRUE(sealer.ok());
    ASSERT_TRUE(WriteInPieces(**sealer, plaintext, size + 1).ok());
    ASSERT_EQ(sealed.size(), SealedBodySize(size));

    std::string opened;
    StringSink opened_sink(opened);
    MessageOpener opener(key, kBinding, opened_sink);
    Status status = WriteInPieces(opener, sealed, size + 2);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(opener.plaintext_size(), size);
    EXPECT_TRUE(opened == plaintext) << size;
  }
}

TEST(StreamingTest, SealerRefusesMoreOrLessThanAnnounced) {
  const SecretBytes key = GenerateDataKey();
  std::string sealed;
  StringSink sink(sealed);
  auto sealer = MessageSealer::Start(key, kBinding, 5, sink);
  ASSERT_TRUE(sealer.ok());
  EXPECT_EQ((*sealer)->Write("123456").code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE((*sealer)->Write("1234").ok());
  EXPECT_EQ((*sealer)->Finish().code(), ErrorCode::kInvalidArgument);
}

// Hashes what it is given and keeps nothing, and records the heap's peak.
class HashingSink final : public ByteSink {
 public:
  HashingSink() { crypto_generichash_init(&state_, nullptr, 0, 32); }
  Status Append(std::string_view bytes) override {
    crypto_generichash_update(&state_, reinterpret_cast<const unsigned char*>(bytes.data()),
                              bytes.size());
    peak_heap_ = std::max(peak_heap_, mallinfo2().uordblks);
    return Status::Ok();
  }
  std::string Digest() {
    std::string out(32, '\0');
    crypto_generichash_final(&state_, reinterpret_cast<unsigned char*>(out.data()), 32);
    return out;
  }
  size_t peak_heap() const { return peak_heap_; }

 private:
  crypto_generichash_state state_;
  size_t peak_heap_ = 0;
};

TEST(StreamingTest, FiftyMebibytesStreamWithAtMostOneCopyPlusOneChunk) {
  constexpr size_t kSize = 50 << 20;
  constexpr size_t kSlack = 1 << 20;  // a chunk (64 KiB) and bookkeeping, with room to spare
  const SecretBytes key = GenerateDataKey();
  std::string sealed;
  sealed.reserve(SealedBodySize(kSize));
  const std::string block = RandomBytes(1 << 20, 7);

  // Sealing: the plaintext is generated piecewise, so the only copy held is
  // the sealed output.
  size_t baseline = mallinfo2().uordblks;
  {
    StringSink sink(sealed);
    auto sealer = MessageSealer::Start(key, kBinding, kSize, sink);
    ASSERT_TRUE(sealer.ok());
    for (size_t i = 0; i < kSize / block.size(); ++i) ASSERT_TRUE((*sealer)->Write(block).ok());
    ASSERT_TRUE((*sealer)->Finish().ok());
    EXPECT_LT(mallinfo2().uordblks, baseline + kSlack);
  }
  ASSERT_EQ(sealed.size(), SealedBodySize(kSize));

  // Opening the whole body in one call: the sealed copy is the only one.
  baseline = mallinfo2().uordblks;
  HashingSink sink;
  MessageOpener opener(key, kBinding, sink);
  ASSERT_TRUE(opener.Write(sealed).ok());
  ASSERT_TRUE(opener.Finish().ok());
  EXPECT_LT(sink.peak_heap(), baseline + kSlack);

  HashingSink expected;
  for (size_t i = 0; i < kSize / block.size(); ++i) ASSERT_TRUE(expected.Append(block).ok());
  EXPECT_EQ(sink.Digest(), expected.Digest());
}

}  // namespace
}  // namespace mailvault
