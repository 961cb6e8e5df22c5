// Who sealed a message: the device's signature must come from a signing key
// of the verified key log and cover exactly this sealed body.
#include "client/vault/provenance.h"

#include <gtest/gtest.h>

#include "common/crypto/device_seal.h"
#include "common/crypto/key_statements.h"

namespace mailvault::client {
namespace {

constexpr char kAccount[] = "alice@example.com";

class ProvenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string enroll = EncodeLogEntry(NextLogEntry(
        LogKind::kKeys, "", 1700000000, static_cast<uint8_t>(KeyLogType::kEnroll),
        EnrollPayload(device_.encryption.public_key, device_.signing.public_key)));
    auto log = ReplayKeyLog(kAccount, {enroll});
    ASSERT_TRUE(log.ok());
    log_ = *log;
  }

  DeviceKeys device_ = DeviceKeys::Generate();
  DeviceKeys stranger_ = DeviceKeys::Generate();
  KeyLogState log_;
  BlobId blob_ = RandomBlobId();
  std::string hash_ = SealedBodyHash("a sealed body");
};

TEST_F(ProvenanceTest, NoClaimIsTheVaultOnDelivery) {
  auto provenance = CheckProvenance(MessageSummary{}, log_, kAccount, blob_, hash_);
  ASSERT_TRUE(provenance.ok());
  EXPECT_FALSE(provenance->by_device);
}

TEST_F(ProvenanceTest, ASignatureOfTheAccountsKeyOverThisBodyIsTheDevice) {
  MessageSummary summary;
  summary.device_seal = SignDeviceSeal(device_.signing, kAccount, blob_, hash_);
  auto provenance = CheckProvenance(summary, log_, kAccount, blob_, hash_);
  ASSERT_TRUE(provenance.ok()) << provenance.status().ToString();
  EXPECT_TRUE(provenance->by_device);
  EXPECT_EQ(provenance->signer, device_.signing.id());
}

TEST_F(ProvenanceTest, AClaimThatDoesNotVerifyIsTampered) {
  MessageSummary summary;
  // Another body (the operator's replacement).
  summary.device_seal = SignDeviceSeal(device_.signing, kAccount, blob_, SealedBodyHash("other"));
  EXPECT_EQ(CheckProvenance(summary, log_, kAccount, blob_, hash_).code(), ErrorCode::kTampered);
  // A key the account never had, even if it names the device's key id.
  summary.device_seal = SignDeviceSeal(stranger_.signing, kAccount, blob_, hash_);
  EXPECT_EQ(CheckProvenance(summary, log_, kAccount, blob_, hash_).code(), ErrorCode::kTampered);
  summary.device_seal->signer = device_.signing.id();
  EXPECT_EQ(CheckProvenance(summary, log_, kAccount, blob_, hash_).code(), ErrorCode::kTampered);
  // The encryption key's id is no signer.
  summary.device_seal->signer = device_.encryption.id();
  EXPECT_EQ(CheckProvenance(summary, log_, kAccount, blob_, hash_).code(), ErrorCode::kTampered);
}

}  // namespace
}  // namespace mailvault::client
