// Consents to move an account, and the placement log that records them.
#include <gtest/gtest.h>

#include "common/crypto/account_log.h"
#include "common/crypto/move_consent.h"

namespace mailvault {
namespace {

constexpr std::string_view kAccount = "alice@example.com";
constexpr uint64_t kNow = 1800000000;

class MoveConsentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const LogEntry enroll = NextLogEntry(
        LogKind::kKeys, "", 1700000000, static_cast<uint8_t>(KeyLogType::kEnroll),
        EnrollPayload(device_.encryption.public_key, device_.signing.public_key));
    auto keys = ReplayKeyLog(kAccount, {EncodeLogEntry(enroll)});
    ASSERT_TRUE(keys.ok());
    keys_ = *keys;
    Append(PlacementLogType::kCreated, CreatedPayload("eu"));
  }
  void Append(PlacementLogType type, std::string payload) {
    placement_.push_back(EncodeLogEntry(NextLogEntry(LogKind::kPlacement,
                                                     placement_.empty() ? "" : placement_.back(),
                                                     kNow, static_cast<uint8_t>(type),
                                                     std::move(payload))));
  }
  PlacementLogState Placement() {
    auto state = ReplayPlacementLog(kAccount, placement_, keys_);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return state.ok() ? *state : PlacementLogState{};
  }

  DeviceKeys device_ = DeviceKeys::Generate();
  KeyLogState keys_;
  std::vector<std::string> placement_;
};

TEST_F(MoveConsentTest, RoundTripsAndIsAcceptedOnce) {
  const MoveConsent consent = SignMoveConsent(kAccount, "us", device_.signing, kNow);
  auto decoded = DecodeMoveConsent(EncodeMoveConsent(consent));
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->nonce, consent.nonce);
  EXPECT_EQ(decoded->signature, consent.signature);
  EXPECT_TRUE(CheckMoveConsent(*decoded, kAccount, "us", keys_, Placement(), kNow).ok());

  Append(PlacementLogType::kMoved, MovedPayload("eu", consent));
  const PlacementLogState moved = Placement();
  EXPECT_EQ(moved.region, "us");
  ASSERT_EQ(moved.moves.size(), 1u);
  EXPECT_EQ(moved.moves[0].signer, device_.signing.id());
  EXPECT_FALSE(CheckMoveConsent(consent, kAccount, "us", keys_, moved, kNow).ok());
}

TEST_F(MoveConsentTest, RefusesOtherAccountsRegionsKeysAndOldConsents) {
  const MoveConsent consent = SignMoveConsent(kAccount, "us", device_.signing, kNow);
  const PlacementLogState placement = Placement();
  EXPECT_FALSE(CheckMoveConsent(consent, "bob@example.com", "us", keys_, placement, kNow).ok());
  EXPECT_FALSE(CheckMoveConsent(consent, kAccount, "ap", keys_, placement, kNow).ok());
  EXPECT_FALSE(CheckMoveConsent(consent, kAccount, "us", keys_, placement, kNow + 31 * 86400).ok());
  const DeviceKeys stranger = DeviceKeys::Generate();
  EXPECT_FALSE(CheckMoveConsent(SignMoveConsent(kAccount, "us", stranger.signing, kNow), kAccount,
                                "us", keys_, placement, kNow)
                   .ok());
  MoveConsent altered = consent;
  altered.to_region = "ap";
  EXPECT_FALSE(CheckMoveConsent(altered, kAccount, "ap", keys_, placement, kNow).ok());
  EXPECT_FALSE(DecodeMoveConsent("mailvault-move-consent-v1\naccount x\n").ok());
}

TEST_F(MoveConsentTest, APlacementLogWithAnUnconsentedMoveIsBroken) {
  const DeviceKeys stranger = DeviceKeys::Generate();
  Append(PlacementLogType::kMoved,
         MovedPayload("eu", SignMoveConsent(kAccount, "us", stranger.signing, kNow)));
  EXPECT_EQ(ReplayPlacementLog(kAccount, placement_, keys_).code(), ErrorCode::kTampered);
}

TEST_F(MoveConsentTest, AConsentUsedTwiceInTheLogIsBroken) {
  const MoveConsent there = SignMoveConsent(kAccount, "us", device_.signing, kNow);
  Append(PlacementLogType::kMoved, MovedPayload("eu", there));
  Append(PlacementLogType::kMoved,
         MovedPayload("us", SignMoveConsent(kAccount, "eu", device_.signing, kNow)));
  Append(PlacementLogType::kMoved, MovedPayload("eu", there));
  EXPECT_EQ(ReplayPlacementLog(kAccount, placement_, keys_).code(), ErrorCode::kTampered);
}

}  // namespace
}  // namespace mailvault
