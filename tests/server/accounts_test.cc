// Accounts' enrollment tokens: a new one replaces the open one, none is
// issued or accepted once a device has enrolled, one token enrolls one
// device however many try it at once, so the key log is started exactly
// once; expired tokens are deleted.
#include "server/accounts.h"

#include <gtest/gtest.h>

#include <chrono>
#include <ctime>
#include <thread>
#include <vector>
#include <memory>

#include "common/crypto/account_log.h"
#include "common/crypto/hash.h"
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

  // What XENROLL does: a fresh device's keys with the token, which starts
  // the key log.
  Status Enroll(std::string_view token) {
    const DeviceKeys keys = DeviceKeys::Generate();
    const LogAppend enrolled{LogKind::kKeys, static_cast<uint8_t>(KeyLogType::kEnroll),
                             EnrollPayload(keys.encryption.public_key, keys.signing.public_key)};
    return accounts_->EnrollFirstDevice(kAccount, token, keys.encryption.public_key,
                                        keys.signing.public_key, enrolled);
  }

  size_t KeyLogEntries() {
    auto entries = shards_->Find("local")->ReadLog(kAccount, LogKind::kKeys);
    EXPECT_TRUE(entries.ok());
    return entries.ok() ? entries->size() : 0;
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
  EXPECT_EQ(Enroll(first->token).code(), ErrorCode::kWrongPassphrase);
  EXPECT_TRUE(Enroll(second->token).ok());
  EXPECT_EQ(Enroll(second->token).code(), ErrorCode::kAlreadyExists);  // burnt, and enrolled
  EXPECT_EQ(KeyLogEntries(), 1u);
}

TEST_F(AccountsTest, NoTokenOnceEnrolled) {
  auto first = accounts_->Create(kAccount, "local");
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(Enroll(first->token).ok());
  auto refused = accounts_->IssueEnrollmentToken(kAccount);
  EXPECT_EQ(refused.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(refused.status().message(),
            "alice@example.com has enrolled already; a new device joins with "
            "`mailvault init --join` and `mailvault key add-device`");
}

// The token, the keys and the key log's first entry are one write under
// the account's lock: of many enrollments with one token at the same time,
// exactly one succeeds and the key log is started once.
TEST_F(AccountsTest, SimultaneousEnrollmentsWithOneTokenHaveOneWinner) {
  for (int round = 0; round < 20; ++round) {
    ASSERT_TRUE(accounts_->Delete(kAccount).ok() || round == 0);
    auto token = accounts_->Create(kAccount, "local");
    ASSERT_TRUE(token.ok()) << token.status().ToString();
    std::vector<Status> results(4, Status::Ok());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < results.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = Enroll(token->token); });
    }
    for (std::thread& t : threads) t.join();
    size_t won = 0;
    for (const Status& s : results) {
      if (s.ok()) {
        ++won;
      } else {
        EXPECT_TRUE(s.code() == ErrorCode::kWrongPassphrase ||
                    s.code() == ErrorCode::kAlreadyExists)
            << s.ToString();
      }
    }
    EXPECT_EQ(won, 1u) << "round " << round;
    EXPECT_EQ(KeyLogEntries(), 1u);
    auto keys = shards_->Find("local")->ListPublicKeys(kAccount);
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(keys->size(), 2u);
  }
}

TEST_F(AccountsTest, AnExpiredTokenIsRefusedAndDeletedAndThePurgeRemovesTheRest) {
  ASSERT_TRUE(accounts_->Create(kAccount, "local").ok());
  RegionShard& shard = *shards_->Find("local");
  const int64_t past = static_cast<int64_t>(std::time(nullptr)) - 60;
  ASSERT_TRUE(shard.PutCredential(kAccount, CredentialKind::kEnrollmentToken,
                                  Blake2b256("expired-token"), past).ok());
  EXPECT_EQ(Enroll("expired-token").code(), ErrorCode::kWrongPassphrase);
  EXPECT_EQ(shard.GetCredential(kAccount, CredentialKind::kEnrollmentToken).code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(KeyLogEntries(), 0u);

  // Expired tokens nobody tries again are purged; open ones and password
  // hashes (which never expire) stay. 25 accounts, 7 credentials read per
  // call: the walk goes on from where the last call stopped.
  ASSERT_TRUE(accounts_->SetPassword(kAccount, "a long password").ok());
  for (int i = 0; i < 25; ++i) {
    const std::string account = "user" + std::to_string(i) + "@example.com";
    ASSERT_TRUE(accounts_->Create(account, "local").ok());
    if (i % 2 == 0) {
      ASSERT_TRUE(shard.PutCredential(account, CredentialKind::kEnrollmentToken, "h", past).ok());
    }
  }
  size_t purged = 0;
  int steps = 0;
  for (bool finished = false; !finished; ++steps) {
    ASSERT_LT(steps, 10);
    auto step = accounts_->PurgeExpiredTokens(7);
    ASSERT_TRUE(step.ok()) << step.status().ToString();
    purged += step->purged;
    finished = step->finished;
  }
  EXPECT_EQ(steps, 4);  // 26 credentials (alice's password hash too), 7 a step
  EXPECT_EQ(purged, 13u);
  for (int i = 0; i < 25; ++i) {
    const std::string account = "user" + std::to_string(i) + "@example.com";
    EXPECT_EQ(shard.GetCredential(account, CredentialKind::kEnrollmentToken).ok(), i % 2 == 1)
        << account;
  }
  EXPECT_TRUE(shard.GetCredential(kAccount, CredentialKind::kPasswordHash).ok());
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
