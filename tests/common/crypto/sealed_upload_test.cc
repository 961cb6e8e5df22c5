#include "common/crypto/sealed_upload.h"

#include <gtest/gtest.h>

namespace mailvault {
namespace {

constexpr char kAccount[] = "alice@example.com";

SealedMessage Sealed(size_t size) {
  const DeviceKeys keys = DeviceKeys::Generate();
  const std::vector<std::string> recipients = {keys.encryption.public_key};
  Result<SealedMessage> sealed =
      SealMessage(kAccount, RandomBlobId(), std::string(size, 'm'), {}, recipients);
  EXPECT_TRUE(sealed.ok());
  return std::move(sealed).value();
}

TEST(SealedUploadTest, RoundTripsAtChunkBoundaries) {
  for (size_t size : {0u, 100u, 65528u, 65529u, 200000u}) {
    const SealedMessage sealed = Sealed(size);
    Result<SealedMessage> parsed = ParseSealedUpload(EncodeSealedUpload(sealed), kAccount);
    ASSERT_TRUE(parsed.ok()) << size << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->blob_id, sealed.blob_id);
    EXPECT_EQ(parsed->wraps, sealed.wraps);
    EXPECT_EQ(parsed->summary, sealed.summary);
    EXPECT_TRUE(parsed->body == sealed.body);
  }
}

TEST(SealedUploadTest, StructuralDamageIsNamed) {
  const SealedMessage sealed = Sealed(1000);
  const std::string upload = EncodeSealedUpload(sealed);
  EXPECT_EQ(ParseSealedUpload(upload, "bob@example.com").code(), ErrorCode::kWrongAccount);
  EXPECT_EQ(ParseSealedUpload(upload.substr(0, upload.size() - 1), kAccount).code(),
            ErrorCode::kMalformed);
  EXPECT_EQ(ParseSealedUpload(upload.substr(0, 30), kAccount).code(), ErrorCode::kTruncated);
  EXPECT_EQ(ParseSealedUpload("MVSEAL" + upload.substr(6), kAccount).code(),
            ErrorCode::kUnknownVersion);
  SealedMessage other_blob = sealed;
  other_blob.blob_id = RandomBlobId();  // the body still names the first blob
  EXPECT_EQ(ParseSealedUpload(EncodeSealedUpload(other_blob), kAccount).code(),
            ErrorCode::kWrongBlob);
  SealedMessage no_wraps = sealed;
  no_wraps.wraps.clear();
  EXPECT_EQ(ParseSealedUpload(EncodeSealedUpload(no_wraps), kAccount).code(),
            ErrorCode::kMalformed);
}

}  // namespace
}  // namespace mailvault
