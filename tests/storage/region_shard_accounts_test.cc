// Accounts, public keys and region pinning.
#include <gtest/gtest.h>

#include "common/crypto/key_wrap.h"
#include "shard_test_util.h"

namespace mailvault::testing {
namespace {

using AccountTest = ShardTest;

TEST_F(AccountTest, CreateAccountMakesOnlyInbox) {
  Result<std::vector<MailboxInfo>> mailboxes = shard_->ListMailboxes(kAlice);
  ASSERT_TRUE(mailboxes.ok()) << mailboxes.status().ToString();
  ASSERT_EQ(mailboxes->size(), 1u);
  EXPECT_EQ((*mailboxes)[0].name, "INBOX");
  EXPECT_EQ((*mailboxes)[0].uidnext, 1u);
  EXPECT_NE((*mailboxes)[0].uidvalidity, 0u);

  Result<AccountInfo> account = shard_->GetAccount(kAlice);
  ASSERT_TRUE(account.ok());
  EXPECT_EQ(account->home_region, "eu");
  EXPECT_GT(account->created_at, 0);
}

TEST_F(AccountTest, SecondCreateIsAlreadyExists) {
  EXPECT_EQ(shard_->CreateAccount(kAlice, "eu").code(), ErrorCode::kAlreadyExists);
}

TEST_F(AccountTest, UnknownAccountIsNotFound) {
  EXPECT_EQ(shard_->GetAccount("nobody@example.org").code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->ListMailboxes("nobody@example.org").code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->Append("nobody@example.org", Sealed("INBOX", "x")).code(),
            ErrorCode::kNotFound);
}

TEST_F(AccountTest, InvalidAccountIdIsRefused) {
  EXPECT_EQ(shard_->CreateAccount("", "eu").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(shard_->CreateAccount("a\nb", "eu").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(shard_->CreateAccount(std::string(400, 'a'), "eu").code(), ErrorCode::kInvalidArgument);
}

TEST_F(AccountTest, CreateWithForeignHomeRegionIsWrongRegion) {
  Status status = shard_->CreateAccount("bob@example.org", "us");
  EXPECT_EQ(status.code(), ErrorCode::kWrongRegion);
  EXPECT_NE(status.message().find("us"), std::string::npos) << status.message();
  EXPECT_EQ(shard_->GetAccount("bob@example.org").code(), ErrorCode::kNotFound);
}

TEST_F(AccountTest, ShardRefusesToOpenAsAnotherRegion) {
  shard_.reset();
  Result<std::unique_ptr<RegionShard>> other =
      RegionShard::Open(OptionsFor(dir_.Sub("shard"), "us"));
  EXPECT_EQ(other.code(), ErrorCode::kWrongRegion) << other.status().ToString();
}

TEST_F(AccountTest, SecondOpenOfAnOpenShardIsIOError) {
  // RocksDB's LOCK file: a shard has one owner at a time.
  Result<std::unique_ptr<RegionShard>> second = RegionShard::Open(OptionsFor(dir_.Sub("shard")));
  EXPECT_EQ(second.code(), ErrorCode::kIOError);
  EXPECT_FALSE(second.status().message().empty());
}

TEST_F(AccountTest, EveryWriteAfterSetHomeRegionIsWrongRegion) {
  BlobId blob_id;
  AppendResult appended = AppendOk("INBOX", "before the move", &blob_id);
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  ASSERT_TRUE(shard_->SetHomeRegion(kAlice, "us").ok());

  auto expect_refused = [](const Status& status, const char* what) {
    EXPECT_EQ(status.code(), ErrorCode::kWrongRegion) << what << ": " << status.ToString();
    EXPECT_NE(status.message().find("region us"), std::string::npos) << what;
  };
  expect_refused(shard_->Append(kAlice, Sealed("INBOX", "after")).status(), "append");
  expect_refused(
      shard_->StoreFlags(kAlice, "INBOX", {appended.uid}, FlagOp::kAdd, {"\\Seen"}).status(),
      "flags");
  expect_refused(shard_->Expunge(kAlice, "INBOX", {appended.uid}).status(), "expunge");
  expect_refused(shard_->Copy(kAlice, "INBOX", {appended.uid}, "Archive").status(), "copy");
  expect_refused(shard_->Move(kAlice, "INBOX", {appended.uid}, "Archive").status(), "move");
  expect_refused(shard_->CreateMailbox(kAlice, "Other"), "create mailbox");
  expect_refused(shard_->RenameMailbox(kAlice, "Archive", "Old"), "rename");
  expect_refused(shard_->DeleteMailbox(kAlice, "Archive"), "delete mailbox");
  expect_refused(shard_->SetSubscribed(kAlice, "Archive", false), "subscribe");
  DeviceKeys other = DeviceKeys::Generate();
  expect_refused(
      shard_->RegisterPublicKey(kAlice, PublicKeyKind::kEncryption, other.encryption.public_key),
      "register key");
  expect_refused(shard_->RevokePublicKey(kAlice, keys_.encryption.id()), "revoke key");
  expect_refused(shard_->PutWraps(kAlice, keys_.encryption.id(), {}), "put wraps");

  // Reads stay possible (the move copies from here), and nothing changed.
  EXPECT_TRUE(OpenStored(*shard_, kAlice, blob_id, keys_).ok());
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->uidnext, appended.uid + 1);

  // The refusal survives a restart: it is on disk, not only in memory.
  Reopen();
  expect_refused(shard_->Append(kAlice, Sealed("INBOX", "after")).status(), "append after reopen");
  EXPECT_EQ(shard_->GetAccount(kAlice)->home_region, "us");

  // An account moved back is writable again.
  ASSERT_TRUE(shard_->SetHomeRegion(kAlice, "eu").ok());
  EXPECT_TRUE(shard_->Append(kAlice, Sealed("INBOX", "back home")).ok());
}

TEST_F(AccountTest, RegisterPublicKeyChecksSizeAndDuplicates) {
  EXPECT_EQ(shard_->RegisterPublicKey(kAlice, PublicKeyKind::kEncryption, "short").code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(
      shard_->RegisterPublicKey(kAlice, PublicKeyKind::kEncryption, keys_.encryption.public_key)
          .code(),
      ErrorCode::kAlreadyExists);
  ASSERT_TRUE(
      shard_->RegisterPublicKey(kAlice, PublicKeyKind::kSigning, keys_.signing.public_key).ok());

  Result<std::vector<PublicKeyRecord>> keys = shard_->ListPublicKeys(kAlice);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ(keys->size(), 2u);
  for (const PublicKeyRecord& key : *keys) {
    EXPECT_FALSE(key.revoked);
    EXPECT_EQ(key.key_id, KeyIdOf(key.public_key));
    EXPECT_GT(key.registered_at, 0);
  }
}

TEST_F(AccountTest, RevokeDeletesWrapsAndRefusesLaterWrapsForTheKey) {
  DeviceKeys laptop = DeviceKeys::Generate();
  ASSERT_TRUE(
      shard_->RegisterPublicKey(kAlice, PublicKeyKind::kEncryption, laptop.encryption.public_key)
          .ok());
  AppendRequest request = SealedAppend(kAlice, "INBOX", "for both devices", {&keys_, &laptop});
  BlobId blob_id = request.blob_id;
  ASSERT_TRUE(shard_->Append(kAlice, std::move(request)).ok());
  ASSERT_EQ(shard_->FetchWraps(kAlice, blob_id)->size(), 2u);

  ASSERT_TRUE(shard_->RevokePublicKey(kAlice, laptop.encryption.id()).ok());

  Result<std::vector<Wrap>> wraps = shard_->FetchWraps(kAlice, blob_id);
  ASSERT_TRUE(wraps.ok());
  ASSERT_EQ(wraps->size(), 1u);
  EXPECT_EQ((*wraps)[0].key_id, keys_.encryption.id());
  EXPECT_EQ(shard_->FetchWrap(kAlice, blob_id, laptop.encryption.id()).code(),
            ErrorCode::kNoWrapForKey);
  EXPECT_EQ(OpenStored(*shard_, kAlice, blob_id, laptop).code(), ErrorCode::kNoWrapForKey);
  EXPECT_EQ(*OpenStored(*shard_, kAlice, blob_id, keys_), "for both devices");

  // Later wraps for the revoked key are refused, on append and on rotation.
  EXPECT_EQ(shard_->Append(kAlice, SealedAppend(kAlice, "INBOX", "x", {&keys_, &laptop})).code(),
            ErrorCode::kKeyNotActive);
  EXPECT_EQ(
      shard_->PutWraps(kAlice, laptop.encryption.id(), {{blob_id, std::string(kWrapSize, 'w')}})
          .code(),
      ErrorCode::kKeyNotActive);
  // And a revoked key stays revoked.
  EXPECT_EQ(
      shard_->RegisterPublicKey(kAlice, PublicKeyKind::kEncryption, laptop.encryption.public_key)
          .code(),
      ErrorCode::kAlreadyExists);

  Reopen();
  Result<std::vector<PublicKeyRecord>> keys = shard_->ListPublicKeys(kAlice);
  ASSERT_TRUE(keys.ok());
  for (const PublicKeyRecord& key : *keys) {
    EXPECT_EQ(key.revoked, key.key_id == laptop.encryption.id());
  }
  EXPECT_EQ(shard_->FetchWraps(kAlice, blob_id)->size(), 1u);
}

TEST_F(AccountTest, RevokeUnknownKeyIsNotFound) {
  DeviceKeys stranger = DeviceKeys::Generate();
  EXPECT_EQ(shard_->RevokePublicKey(kAlice, stranger.encryption.id()).code(), ErrorCode::kNotFound);
}

TEST_F(AccountTest, WrapForUnregisteredOrSigningKeyIsKeyNotActive) {
  DeviceKeys stranger = DeviceKeys::Generate();
  EXPECT_EQ(shard_->Append(kAlice, SealedAppend(kAlice, "INBOX", "x", {&stranger})).code(),
            ErrorCode::kKeyNotActive);

  ASSERT_TRUE(
      shard_->RegisterPublicKey(kAlice, PublicKeyKind::kSigning, keys_.signing.public_key).ok());
  AppendRequest request = Sealed("INBOX", "x");
  request.wraps[0].key_id = keys_.signing.id();
  EXPECT_EQ(shard_->Append(kAlice, std::move(request)).code(), ErrorCode::kKeyNotActive);
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->uidnext, 1u);
}

TEST_F(AccountTest, CredentialsRoundTripSurviveReopenAndAreDeleted) {
  EXPECT_EQ(shard_->GetCredential(kAlice, CredentialKind::kPasswordHash).code(),
            ErrorCode::kNotFound);
  ASSERT_TRUE(shard_->PutCredential(kAlice, CredentialKind::kPasswordHash, "$argon2id$x", 0).ok());
  ASSERT_TRUE(
      shard_->PutCredential(kAlice, CredentialKind::kEnrollmentToken, "token-hash", 1234).ok());
  Reopen();
  Result<Credential> password = shard_->GetCredential(kAlice, CredentialKind::kPasswordHash);
  ASSERT_TRUE(password.ok()) << password.status().ToString();
  EXPECT_EQ(password->value, "$argon2id$x");
  Result<Credential> token = shard_->GetCredential(kAlice, CredentialKind::kEnrollmentToken);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->expires_at, 1234);
  ASSERT_TRUE(shard_->DeleteCredential(kAlice, CredentialKind::kEnrollmentToken).ok());
  EXPECT_EQ(shard_->GetCredential(kAlice, CredentialKind::kEnrollmentToken).code(),
            ErrorCode::kNotFound);
  ASSERT_TRUE(shard_->SetHomeRegion(kAlice, "us").ok());
  EXPECT_EQ(shard_->PutCredential(kAlice, CredentialKind::kPasswordHash, "y", 0).code(),
            ErrorCode::kWrongRegion);
}

TEST_F(AccountTest, FrozenAccountRefusesChangesUntilThawed) {
  AppendResult appended = AppendOk("INBOX", "before the freeze");
  ASSERT_TRUE(shard_->Freeze(kAlice).ok());
  auto status = shard_->Append(kAlice, Sealed("INBOX", "during")).status();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << status.ToString();
  EXPECT_EQ(shard_->StoreFlags(kAlice, "INBOX", {appended.uid}, FlagOp::kAdd, {"\\Seen"})
                .status()
                .code(),
            ErrorCode::kUnavailable);
  EXPECT_EQ(shard_->CreateMailbox(kAlice, "Other").code(), ErrorCode::kUnavailable);
  // What the move reads and the suspension it keeps still work.
  EXPECT_TRUE(shard_->ExportAccount(kAlice).ok());
  EXPECT_TRUE(shard_->SetSuspended(kAlice, true).ok());
  shard_->Thaw(kAlice);
  EXPECT_TRUE(shard_->Append(kAlice, Sealed("INBOX", "after")).ok());
}

TEST_F(AccountTest, AccountDumpRoundTripsAndDetectsDamage) {
  AppendOk("INBOX", "dumped");
  ASSERT_TRUE(shard_->AppendLog(kAlice, LogAppend{LogKind::kDisclosure, 1, "an entry"}).ok());
  Result<AccountDump> dump = shard_->ExportAccount(kAlice);
  ASSERT_TRUE(dump.ok()) << dump.status().ToString();
  const std::string bytes = EncodeAccountDump(*dump);
  Result<AccountDump> decoded = DecodeAccountDump(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(decoded->account_id, dump->account_id);
  EXPECT_EQ(decoded->account_record, dump->account_record);
  ASSERT_EQ(decoded->rows.size(), dump->rows.size());
  for (size_t i = 0; i < dump->rows.size(); ++i) {
    EXPECT_EQ(decoded->rows[i].family, dump->rows[i].family);
    EXPECT_EQ(decoded->rows[i].key_suffix, dump->rows[i].key_suffix);
    EXPECT_EQ(decoded->rows[i].value, dump->rows[i].value);
  }
  const std::vector<std::string> disclosures = DumpedLog(*decoded, LogKind::kDisclosure);
  EXPECT_EQ(disclosures.size(), 1u);
  EXPECT_EQ(disclosures, *shard_->ReadLog(kAlice, LogKind::kDisclosure));

  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 1;
  EXPECT_EQ(DecodeAccountDump(flipped).code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeAccountDump(bytes.substr(0, bytes.size() - 1)).code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeAccountDump("").code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace mailvault::testing
