// Accounts' enrollment tokens: a new one replaces the open one, and none is
// issued or accepted once a device has enrolled, so the key log is started
// exactly once.
#include "server/accounts.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>

#include "common/crypto/account_log.h"
#include "common/crypto/keys.h"
#include "server/region_shards.h"
#include "tests/storage/shard_test_util.h"

namespace mailvault {
namespace {

constexpr std::string_view kAccount = "alice@example.com";

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Config config = DefaultConfig();
    config.state_dir = dir_.Sub("state");
    config.regions = {{"local", dir_.Sub("local")}};
    auto shards = RegionShards::Open(config);
    ASSERT_TRUE(shards.ok()) << shards.status().ToString();
    shards_ = std::move(shards).value();
    accounts_ = std::make_unique<Accounts>(*shards_);
  }

  // What XENROLL does once the token is consumed: the first keys, with the
  // entry that starts the key log.
  void RegisterFirstKeys() {
    const DeviceKeys keys = DeviceKeys::Generate();
    const LogAppend enrolled{LogKind::kKeys, static_cast<uint8_t>(KeyLogType::kEnroll),
                             EnrollPayload(keys.encryption.public_key, keys.signing.public_key)};
    ASSERT_TRUE(shards_->Find("local")
                    ->RegisterPublicKey(kAccount, PublicKeyKind::kEncryption,
                                        keys.encryption.public_key, &enrolled)
                    .ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<RegionShards> shards_;
  std::unique_ptr<Accounts> accounts_;
};

TEST_F(AccountsTest, NewTokenReplacesTheOpenOne) {
  auto first = accounts_->Create(kAccount, "local");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = accounts_->IssueEnrollmentToken("Alice@Example.com");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(second->token, first->token);
  EXPECT_GT(second->expires_at, first->expires_at - 60);
  EXPECT_EQ(accounts_->ConsumeEnrollmentToken(kAccount, first->token).code(),
            ErrorCode::kWrongPassphrase);
  EXPECT_TRUE(accounts_->ConsumeEnrollmentToken(kAccount, second->token).ok());
  EXPECT_FALSE(accounts_->ConsumeEnrollmentToken(kAccount, second->token).ok());  // burnt
}

TEST_F(AccountsTest, NoTokenOnceEnrolled) {
  auto first = accounts_->Create(kAccount, "local");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(accounts_->ConsumeEnrollmentToken(kAccount, first->token).ok());
  RegisterFirstKeys();
  auto refused = accounts_->IssueEnrollmentToken(kAccount);
  EXPECT_EQ(refused.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(refused.status().message(),
            "alice@example.com has enrolled already; a new device joins with "
            "`mailvault init --join` and `mailvault key add-device`");
}

// A token issued while the first enrollment was between burning its token
// and registering its keys must not start the key log a second time.
TEST_F(AccountsTest, TokenIssuedDuringEnrollmentIsRefusedAfterIt) {
  auto first = accounts_->Create(kAccount, "local");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(accounts_->ConsumeEnrollmentToken(kAccount, first->token).ok());
  auto late = accounts_->IssueEnrollmentToken(kAccount);
  ASSERT_TRUE(late.ok()) << late.status().ToString();
  RegisterFirstKeys();
  EXPECT_EQ(accounts_->ConsumeEnrollmentToken(kAccount, late->token).code(),
            ErrorCode::kAlreadyExists);
}

TEST_F(AccountsTest, NoTokenForAnUnknownAccount) {
  EXPECT_EQ(accounts_->IssueEnrollmentToken("nobody@example.com").code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace mailvault

namespace mailvault {
namespace {

// A refusal's time must not tell a guesser whether the account has a
// password at all: both run Argon2id. (A ratio with a wide margin: the
// verification costs ~0.1 s, answering at once ~0.01 ms.)
TEST_F(AccountsTest, AnAccountWithoutPasswordIsRefusedAsSlowlyAsAWrongPassword) {
  ASSERT_TRUE(accounts_->Create(kAccount, "local").ok());
  const std::string other = "bob@example.com";
  ASSERT_TRUE(accounts_->Create(other, "local").ok());
  ASSERT_TRUE(accounts_->SetPassword(other, "correct horse battery").ok());
  Accounts::SpendPasswordVerification("warm up the dummy hash");

  auto refusal_ms = [&](std::string_view account) {
    const auto began = std::chrono::steady_clock::now();
    EXPECT_EQ(accounts_->VerifyPassword(account, "a wrong password").code(),
              ErrorCode::kWrongPassphrase);
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - began)
        .count();
  };
  const double wrong = refusal_ms(other);
  const double without = refusal_ms(kAccount);
  EXPECT_GT(without, wrong / 4) << "without a password " << without << " ms, wrong " << wrong;
}

}  // namespace
}  // namespace mailvault
