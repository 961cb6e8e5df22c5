// Consents to move an account, and the placement log that records them.
#include <gtest/gtest.h>

#include "common/crypto/account_log.h"
#include "common/crypto/move_consent.h"
#include "common/crypto/key_statements.h"

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
  void Append(PlacementLogType type, std::string payload, int64_t time = kNow) {
    placement_.push_back(EncodeLogEntry(NextLogEntry(LogKind::kPlacement,
                                                     placement_.empty() ? "" : placement_.back(),
                                                     time, static_cast<uint8_t>(type),
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

TEST_F(MoveConsentTest, AMoveOnAConsentOlderThan30DaysIsBroken) {
  const MoveConsent old = SignMoveConsent(kAccount, "us", device_.signing, kNow - 31 * 24 * 3600);
  Append(PlacementLogType::kMoved, MovedPayload("eu", old));
  EXPECT_EQ(ReplayPlacementLog(kAccount, placement_, keys_).code(), ErrorCode::kTampered);
}

TEST_F(MoveConsentTest, AConsentDatedBeforeItsKeyExistedIsBroken) {
  // A second device registered at kNow signs a consent dated a day earlier:
  // at its issued_at the key was not the account's.
  const DeviceKeys later = DeviceKeys::Generate();
  std::vector<std::string> key_entries;
  key_entries.push_back(EncodeLogEntry(NextLogEntry(
      LogKind::kKeys, "", 1700000000, static_cast<uint8_t>(KeyLogType::kEnroll),
      EnrollPayload(device_.encryption.public_key, device_.signing.public_key))));
  key_entries.push_back(EncodeLogEntry(NextLogEntry(
      LogKind::kKeys, key_entries.back(), kNow, static_cast<uint8_t>(KeyLogType::kRegister),
      RegisterPayload(kStatementSigningKey, later.signing.public_key, device_.signing.id(),
                      device_.signing.Sign(KeyRegisterStatement(kAccount, kStatementSigningKey,
                                                                later.signing.public_key))))));
  auto keys = ReplayKeyLog(kAccount, key_entries);
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  Append(PlacementLogType::kMoved,
         MovedPayload("eu", SignMoveConsent(kAccount, "us", later.signing, kNow - 86400)),
         kNow + 60);
  EXPECT_EQ(ReplayPlacementLog(kAccount, placement_, *keys).code(), ErrorCode::kTampered);
  // Dated after the registration, the same key's consent is good.
  placement_.pop_back();
  Append(PlacementLogType::kMoved,
         MovedPayload("eu", SignMoveConsent(kAccount, "us", later.signing, kNow + 30)), kNow + 60);
  EXPECT_TRUE(ReplayPlacementLog(kAccount, placement_, *keys).ok());
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
