#include "common/crypto/sealed_message.h"

#include <gtest/gtest.h>

#include <random>

#include "common/crypto/device_seal.h"
#include "common/crypto/message_sealer.h"
#include "common/crypto/sealed_body_format.h"

namespace mailvault {
namespace {

constexpr char kAccount[] = "alice@example.com";
constexpr size_t kSealedChunk = sealed_body::kChunkSize + sealed_body::kChunkOverhead;

std::string RandomBytes(size_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string out(size, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

class SealedMessageTest : public ::testing::Test {
 protected:
  SealedMessage Seal(std::string_view plaintext, const BlobId& blob_id) {
    const std::vector<std::string> recipients = {alice_.encryption.public_key,
                                                 laptop_.encryption.public_key};
    MessageSummary summary{"Bob <bob@example.org>", "alice@example.com", "Quarterly numbers",
                           "Mon, 23 Nov 2026 10:00:00 +0000", "<1@example.org>", 0, true, std::nullopt};
    Result<SealedMessage> sealed = SealMessage(kAccount, blob_id, plaintext, summary, recipients);
    EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
    return std::move(sealed).value();
  }

  SecretBytes DataKey(const SealedMessage& sealed, const DeviceKeys& keys) {
    Result<SecretBytes> key = UnwrapFor(sealed.wraps, keys.encryption);
    EXPECT_TRUE(key.ok()) << key.status().ToString();
    return std::move(key).value();
  }

  ErrorCode OpenCode(std::string_view body, const SealedMessage& sealed) {
    return OpenBody(body, DataKey(sealed, alice_), binding(sealed)).code();
  }

  SealBinding binding(const SealedMessage& sealed) { return {kAccount, sealed.blob_id}; }

  DeviceKeys alice_ = DeviceKeys::Generate();
  DeviceKeys laptop_ = DeviceKeys::Generate();
};

class SealedMessageRoundTrip : public SealedMessageTest,
                               public ::testing::WithParamInterface<size_t> {};

TEST_P(SealedMessageRoundTrip, OpensToTheSamePlaintextWithEveryRecipientKey) {
  const size_t size = GetParam();
  const std::string plaintext = RandomBytes(size, size);
  const SealedMessage sealed = Seal(plaintext, RandomBlobId());
  EXPECT_EQ(sealed.body.size(), SealedBodySize(size));
  ASSERT_EQ(sealed.wraps.size(), 2u);

  for (const DeviceKeys* keys : {&alice_, &laptop_}) {
    Result<std::string> opened = OpenBody(sealed.body, DataKey(sealed, *keys), binding(sealed));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_TRUE(*opened == plaintext);
  }
  Result<MessageSummary> summary =
      OpenSummary(sealed.summary, DataKey(sealed, alice_), binding(sealed));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->size, size);
  EXPECT_EQ(summary->subject, "Quarterly numbers");
  EXPECT_TRUE(summary->has_attachment);
}

INSTANTIATE_TEST_SUITE_P(Sizes, SealedMessageRoundTrip,
                         ::testing::Values(0, 1, 65536 - 8, 65536, 65536 + 1, 5 << 20),
                         [](const auto& info) { return std::to_string(info.param) + "B"; });

TEST_F(SealedMessageTest, SealedSizeRevealsOnlyASizeClass) {
  // 1,000,000 and 1,010,000 bytes pad to the same Padmé class.
  const SealedMessage a = Seal(std::string(1000000, 'a'), RandomBlobId());
  const SealedMessage b = Seal(std::string(1010000, 'b'), RandomBlobId());
  EXPECT_EQ(a.body.size(), b.body.size());
  EXPECT_LE(a.body.size(), 1000000 * 1.12);
}

TEST_F(SealedMessageTest, PlaintextDoesNotAppearInTheSealedParts) {
  const std::string canary = "CANARY-7f3a9c-plaintext-must-not-leak";
  const SealedMessage sealed = Seal("Subject: x\r\n\r\n" + canary, RandomBlobId());
  EXPECT_EQ(sealed.body.find(canary), std::string::npos);
  EXPECT_EQ(sealed.summary.find("Quarterly"), std::string::npos);
}

TEST_F(SealedMessageTest, SummaryHidesExactHeaderLengths) {
  const SecretBytes key = GenerateDataKey();
  const SealBinding b{kAccount, RandomBlobId()};
  MessageSummary short_subject;
  short_subject.subject = "Hi";
  MessageSummary longer_subject;
  longer_subject.subject = "Hello there, about the meeting";
  EXPECT_EQ(SealSummary(short_subject, key, b)->size(), SealSummary(longer_subject, key, b)->size());
}

TEST_F(SealedMessageTest, KeyWithoutAWrapGetsNoWrapForKey) {
  const SealedMessage sealed = Seal("hello", RandomBlobId());
  const DeviceKeys stranger = DeviceKeys::Generate();
  EXPECT_EQ(UnwrapFor(sealed.wraps, stranger.encryption).code(), ErrorCode::kNoWrapForKey);
}

TEST_F(SealedMessageTest, WrongDataKeyIsTampered) {
  const SealedMessage sealed = Seal("hello", RandomBlobId());
  EXPECT_EQ(OpenBody(sealed.body, GenerateDataKey(), binding(sealed)).code(),
            ErrorCode::kTampered);
}

TEST_F(SealedMessageTest, FlippedBitInAnyChunkIsTampered) {
  const SealedMessage sealed = Seal(RandomBytes(200000, 1), RandomBlobId());  // 4 chunks
  for (size_t offset : {sealed_body::kHeaderSize + 5, sealed_body::kHeaderSize + kSealedChunk + 9,
                        sealed.body.size() - 1}) {
    std::string body = sealed.body;
    body[offset] ^= 0x01;
    EXPECT_EQ(OpenCode(body, sealed), ErrorCode::kTampered) << offset;
  }
  // The stream header inside the sealed header is authenticated too.
  std::string body = sealed.body;
  body[sealed_body::kHeaderSize - 1] ^= 0x01;
  EXPECT_EQ(OpenCode(body, sealed), ErrorCode::kTampered);
}

TEST_F(SealedMessageTest, SwappedChunksAreTampered) {
  const SealedMessage sealed = Seal(RandomBytes(200000, 2), RandomBlobId());
  std::string body = sealed.body;
  const size_t first = sealed_body::kHeaderSize;
  std::swap_ranges(body.begin() + first, body.begin() + first + kSealedChunk,
                   body.begin() + first + kSealedChunk);
  EXPECT_EQ(OpenCode(body, sealed), ErrorCode::kTampered);
}

TEST_F(SealedMessageTest, CutStreamIsTruncated) {
  const SealedMessage sealed = Seal(RandomBytes(200000, 3), RandomBlobId());
  // Cut inside the last chunk, at a chunk boundary, and inside the header.
  for (size_t keep : {sealed.body.size() - 100, sealed_body::kHeaderSize + 2 * kSealedChunk,
                      sealed_body::kHeaderSize + kSealedChunk + 1, size_t{30}}) {
    EXPECT_EQ(OpenCode(std::string_view(sealed.body).substr(0, keep), sealed),
              ErrorCode::kTruncated)
        << keep;
  }
}

TEST_F(SealedMessageTest, BytesAfterTheFinalChunkAreTrailingData) {
  const SealedMessage sealed = Seal(RandomBytes(70000, 4), RandomBlobId());
  EXPECT_EQ(OpenCode(sealed.body + "x", sealed), ErrorCode::kTrailingData);
}

TEST_F(SealedMessageTest, BodyOfAnotherBlobIsWrongBlob) {
  // The operator points message B's index entry at message A's body.
  const SealedMessage a = Seal("message a", RandomBlobId());
  const SealedMessage b = Seal("message b", RandomBlobId());
  EXPECT_EQ(OpenBody(a.body, DataKey(a, alice_), binding(b)).code(), ErrorCode::kWrongBlob);
  // Rewriting the blob id in the header makes it pass the check but fail
  // authentication.
  std::string relabelled = a.body;
  relabelled.replace(10, BlobId::kSize, b.blob_id.view());
  EXPECT_EQ(OpenBody(relabelled, DataKey(a, alice_), binding(b)).code(), ErrorCode::kTampered);
}

TEST_F(SealedMessageTest, BodyOfAnotherAccountIsWrongAccount) {
  const SealedMessage sealed = Seal("for alice", RandomBlobId());
  const SealBinding bob{"bob@example.com", sealed.blob_id};
  EXPECT_EQ(OpenBody(sealed.body, DataKey(sealed, alice_), bob).code(), ErrorCode::kWrongAccount);
  EXPECT_EQ(OpenSummary(sealed.summary, DataKey(sealed, alice_), bob).code(),
            ErrorCode::kTampered);
}

TEST_F(SealedMessageTest, UnknownMagicOrVersionIsUnknownVersion) {
  const SealedMessage sealed = Seal("hello", RandomBlobId());
  std::string next_version = sealed.body;
  next_version[6] = 2;
  EXPECT_EQ(OpenCode(next_version, sealed), ErrorCode::kUnknownVersion);
  EXPECT_EQ(OpenCode("From: someone\r\n\r\nnot sealed at all, but long enough to parse a header",
                     sealed),
            ErrorCode::kUnknownVersion);
  std::string summary = sealed.summary;
  summary[0] = 9;
  EXPECT_EQ(OpenSummary(summary, DataKey(sealed, alice_), binding(sealed)).code(),
            ErrorCode::kUnknownVersion);
}

TEST_F(SealedMessageTest, TamperedSummaryFailsAuthentication) {
  const SealedMessage sealed = Seal("hello", RandomBlobId());
  std::string summary = sealed.summary;
  summary[summary.size() / 2] ^= 0x20;
  EXPECT_EQ(OpenSummary(summary, DataKey(sealed, alice_), binding(sealed)).code(),
            ErrorCode::kTampered);
  EXPECT_EQ(OpenSummary(sealed.summary.substr(0, 20), DataKey(sealed, alice_), binding(sealed))
                .code(),
            ErrorCode::kTruncated);
}

TEST_F(SealedMessageTest, ADeviceSealSignsTheSealedBodyInsideTheSummary) {
  const std::vector<std::string> recipients = {alice_.encryption.public_key};
  const BlobId blob_id = RandomBlobId();
  auto sealed = SealMessage(kAccount, blob_id, "Subject: sent\r\n\r\nhi\r\n", {}, recipients,
                            &laptop_.signing);
  ASSERT_TRUE(sealed.ok()) << sealed.status().ToString();
  auto summary = OpenSummary(sealed->summary, DataKey(*sealed, alice_), binding(*sealed));
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  ASSERT_TRUE(summary->device_seal.has_value());
  EXPECT_EQ(summary->device_seal->signer, laptop_.signing.id());
  const std::string hash = SealedBodyHash(sealed->body);
  EXPECT_TRUE(VerifyDeviceSeal(*summary->device_seal, laptop_.signing.public_key, kAccount,
                               blob_id, hash));
  // Another body, another blob, another account or another key: no.
  std::string other_body = sealed->body;
  other_body.back() ^= 1;
  EXPECT_FALSE(VerifyDeviceSeal(*summary->device_seal, laptop_.signing.public_key, kAccount,
                                blob_id, SealedBodyHash(other_body)));
  EXPECT_FALSE(VerifyDeviceSeal(*summary->device_seal, laptop_.signing.public_key, kAccount,
                                RandomBlobId(), hash));
  EXPECT_FALSE(VerifyDeviceSeal(*summary->device_seal, laptop_.signing.public_key,
                                "bob@example.com", blob_id, hash));
  EXPECT_FALSE(VerifyDeviceSeal(*summary->device_seal, alice_.signing.public_key, kAccount,
                                blob_id, hash));
  // Sealed without a signer (delivery), the summary claims nothing.
  auto delivered = SealMessage(kAccount, RandomBlobId(), "x", {}, recipients);
  ASSERT_TRUE(delivered.ok());
  auto plain = OpenSummary(delivered->summary, DataKey(*delivered, alice_), binding(*delivered));
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->device_seal.has_value());
}

TEST_F(SealedMessageTest, SealingWithoutRecipientsIsRefused) {
  EXPECT_EQ(SealMessage(kAccount, RandomBlobId(), "x", {}, {}).code(),
            ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace mailvault
