// The key log's replay: what the vault seals to and what `mailvault verify`
// accepts. Every way an operator could bend the log must be refused.
#include <gtest/gtest.h>

#include "common/crypto/account_log.h"
#include "common/crypto/key_statements.h"
#include "common/crypto/keys.h"

namespace mailvault {
namespace {

constexpr std::string_view kAccount = "alice@example.com";

class KeyLogTest : public ::testing::Test {
 protected:
  void Append(KeyLogType type, std::string payload, int64_t time = 1700000000) {
    const LogEntry entry = NextLogEntry(LogKind::kKeys, entries_.empty() ? "" : entries_.back(),
                                        time, static_cast<uint8_t>(type), std::move(payload));
    entries_.push_back(EncodeLogEntry(entry));
  }
  void Enroll() {
    Append(KeyLogType::kEnroll, EnrollPayload(first_.encryption.public_key, first_.signing.public_key));
  }
  void Register(const DeviceKeys& signer, bool encryption, const std::string& public_key) {
    const uint8_t kind = encryption ? kStatementEncryptionKey : kStatementSigningKey;
    Append(KeyLogType::kRegister,
           RegisterPayload(kind, public_key, signer.signing.id(),
                           signer.signing.Sign(KeyRegisterStatement(kAccount, kind, public_key))));
  }
  void Revoke(const DeviceKeys& signer, const KeyId& key) {
    Append(KeyLogType::kRevoke, RevokePayload(key, signer.signing.id(),
                                              signer.signing.Sign(KeyRevokeStatement(kAccount, key))));
  }

  DeviceKeys first_ = DeviceKeys::Generate();
  DeviceKeys second_ = DeviceKeys::Generate();
  std::vector<std::string> entries_;
};

TEST_F(KeyLogTest, EnrollRegisterRevokeReplays) {
  Enroll();
  Register(first_, true, second_.encryption.public_key);
  Register(first_, false, second_.signing.public_key);
  Revoke(second_, first_.encryption.id());  // the new device's key may sign
  auto log = ReplayKeyLog(kAccount, entries_);
  ASSERT_TRUE(log.ok()) << log.status().ToString();
  EXPECT_EQ(log->ActiveEncryptionKeys(), std::vector<std::string>{second_.encryption.public_key});
  ASSERT_EQ(log->events.size(), 5u);
  EXPECT_EQ(log->events[2].signer, first_.signing.id());
  EXPECT_EQ(log->events[4].type, KeyLogType::kRevoke);
  EXPECT_EQ(log->entry_hashes.size(), 4u);
  EXPECT_EQ(log->head_hash, log->entry_hashes.back());
}

TEST_F(KeyLogTest, AnAlteredByteBreaksTheChain) {
  Enroll();
  Register(first_, true, second_.encryption.public_key);
  Register(first_, false, second_.signing.public_key);
  for (size_t entry = 0; entry < entries_.size(); ++entry) {
    for (size_t byte : {size_t{2}, size_t{20}, entries_[entry].size() - 1}) {
      auto altered = entries_;
      altered[entry][byte] ^= 1;
      EXPECT_EQ(ReplayKeyLog(kAccount, altered).code(), ErrorCode::kTampered)
          << "entry " << entry << " byte " << byte;
    }
  }
}

TEST_F(KeyLogTest, RemovedOrReorderedEntriesAreRefused) {
  Enroll();
  Register(first_, true, second_.encryption.public_key);
  Register(first_, false, second_.signing.public_key);
  auto dropped = entries_;
  dropped.erase(dropped.begin() + 1);
  EXPECT_EQ(ReplayKeyLog(kAccount, dropped).code(), ErrorCode::kTampered);
  auto swapped = entries_;
  std::swap(swapped[1], swapped[2]);
  EXPECT_EQ(ReplayKeyLog(kAccount, swapped).code(), ErrorCode::kTampered);
}

TEST_F(KeyLogTest, AKeyTheCustomerNeverSignedIsRefused) {
  Enroll();
  const DeviceKeys operators = DeviceKeys::Generate();
  // Signed by a key that is not the account's.
  Register(operators, true, operators.encryption.public_key);
  auto log = ReplayKeyLog(kAccount, entries_);
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("not an active signing key"), std::string::npos);
}

TEST_F(KeyLogTest, SignaturesAreBoundToAccountAndStatement) {
  Enroll();
  // A valid signature for another account's registration, replayed here.
  const uint8_t kind = kStatementEncryptionKey;
  Append(KeyLogType::kRegister,
         RegisterPayload(kind, second_.encryption.public_key, first_.signing.id(),
                         first_.signing.Sign(KeyRegisterStatement(
                             "mallory@example.com", kind, second_.encryption.public_key))));
  EXPECT_EQ(ReplayKeyLog(kAccount, entries_).code(), ErrorCode::kTampered);
}

TEST_F(KeyLogTest, ARevokedKeySignsNothingAndStaysRevoked) {
  Enroll();
  Register(first_, false, second_.signing.public_key);
  Revoke(second_, first_.signing.id());
  Register(first_, true, second_.encryption.public_key);  // signed by a revoked key
  EXPECT_EQ(ReplayKeyLog(kAccount, entries_).code(), ErrorCode::kTampered);
  entries_.pop_back();
  Register(second_, false, first_.signing.public_key);  // registering it again
  EXPECT_EQ(ReplayKeyLog(kAccount, entries_).code(), ErrorCode::kTampered);
}

TEST_F(KeyLogTest, TimesThatGoBackAreRefused) {
  Enroll();  // at 1700000000
  Register(first_, true, second_.encryption.public_key);  // the same second is fine
  ASSERT_TRUE(ReplayKeyLog(kAccount, entries_).ok());
  const uint8_t kind = kStatementSigningKey;
  const std::string payload =
      RegisterPayload(kind, second_.signing.public_key, first_.signing.id(),
                      first_.signing.Sign(
                          KeyRegisterStatement(kAccount, kind, second_.signing.public_key)));
  // The vault's clock stepped back: NextLogEntry dates the entry as its
  // predecessor, and the log stays good.
  LogEntry entry = NextLogEntry(LogKind::kKeys, entries_.back(), 1699999000,
                                static_cast<uint8_t>(KeyLogType::kRegister), payload);
  EXPECT_EQ(entry.time, 1700000000);
  // An entry dated back anyway (a vault that lies about times) breaks it.
  entry.time = 1699999999;
  entries_.push_back(EncodeLogEntry(entry));
  auto log = ReplayKeyLog(kAccount, entries_);
  EXPECT_EQ(log.code(), ErrorCode::kTampered);
  EXPECT_NE(log.status().message().find("dated before"), std::string::npos);
}

TEST_F(KeyLogTest, OnlyTheFirstEntryMayEnroll) {
  Enroll();
  Append(KeyLogType::kEnroll,
         EnrollPayload(second_.encryption.public_key, second_.signing.public_key));
  EXPECT_EQ(ReplayKeyLog(kAccount, entries_).code(), ErrorCode::kTampered);
  entries_.clear();
  Register(first_, true, second_.encryption.public_key);
  EXPECT_EQ(ReplayKeyLog(kAccount, entries_).code(), ErrorCode::kTampered);
}

}  // namespace
}  // namespace mailvault
