// Key and value encodings: order, round trips, and strict decoding.
#include <gtest/gtest.h>

#include "common/crypto/key_wrap.h"
#include "storage/shard_keys.h"
#include "storage/shard_records.h"

namespace mailvault {
namespace {

using namespace shard_keys;     // NOLINT: test of this namespace
using namespace shard_records;  // NOLINT

TEST(ShardKeysTest, IndexKeysSortByNumericUid) {
  EXPECT_LT(IndexKey(1, 1, 255), IndexKey(1, 1, 256));
  EXPECT_LT(IndexKey(1, 1, 0xffff), IndexKey(1, 1, 0x10000));
  EXPECT_LT(IndexKey(1, 1, UINT32_MAX), IndexKey(1, 2, 0));
  EXPECT_LT(IndexKey(1, 9, 5), IndexKey(2, 1, 1));
  EXPECT_EQ(IndexKey(1, 2, 3).size(), kIndexKeySize);
  EXPECT_EQ(UidOf(IndexKey(7, 8, 0x01020304)), 0x01020304u);
  EXPECT_EQ(UidOf("short"), std::nullopt);
}

TEST(ShardKeysTest, KeysStartWithTheBigEndianAccountNumber) {
  std::string prefix = AccountPrefix(0x0102030405060708);
  EXPECT_EQ(prefix, std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  EXPECT_EQ(MailboxKey(0x0102030405060708, "INBOX"), prefix + "INBOX");
  EXPECT_EQ(MailboxNameOf(MailboxKey(3, "Sent")), "Sent");
  BlobId blob = RandomBlobId();
  KeyId key = KeyIdOf("public key");
  EXPECT_EQ(BlobKey(3, blob), AccountPrefix(3) + std::string(blob.view()));
  EXPECT_EQ(BlobIdOfBlobKey(BlobKey(3, blob)), blob);
  EXPECT_EQ(WrapKey(3, key, blob),
            AccountPrefix(3) + std::string(key.view()) + std::string(blob.view()));
  EXPECT_EQ(WrapKey(3, key, blob).rfind(WrapKeyPrefix(3, key), 0), 0u);
}

TEST(ShardKeysTest, PrefixSuccessorBoundsEveryKeyWithThePrefix) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xff\xff", 2)), "");
  std::string prefix = AccountPrefix(5);
  std::string end = PrefixSuccessor(prefix);
  EXPECT_LT(IndexKey(5, UINT64_MAX, UINT32_MAX), end);
  EXPECT_EQ(end, AccountPrefix(6));
}

TEST(ShardRecordsTest, RecordsRoundTrip) {
  AccountRecord account{42, "eu", 1700000000, 77, 9};
  Result<AccountRecord> account_back = DecodeAccount(EncodeAccount(account));
  ASSERT_TRUE(account_back.ok());
  EXPECT_EQ(account_back->number, 42u);
  EXPECT_EQ(account_back->home_region, "eu");
  EXPECT_EQ(account_back->created_at, 1700000000);
  EXPECT_EQ(account_back->next_uidvalidity, 77u);
  EXPECT_EQ(account_back->next_mailbox_id, 9u);

  MailboxRecord mailbox{3, 12345, 17, 99, false, true, 40, 7, 2, 55, 15};
  Result<MailboxRecord> mailbox_back = DecodeMailbox(EncodeMailbox(mailbox));
  ASSERT_TRUE(mailbox_back.ok());
  EXPECT_EQ(mailbox_back->mailbox_id, 3u);
  EXPECT_EQ(mailbox_back->uidvalidity, 12345u);
  EXPECT_EQ(mailbox_back->uidnext, 17u);
  EXPECT_EQ(mailbox_back->highest_modseq, 99u);
  EXPECT_FALSE(mailbox_back->subscribed);
  EXPECT_TRUE(mailbox_back->counted);
  EXPECT_EQ(mailbox_back->messages, 40u);
  EXPECT_EQ(mailbox_back->unseen, 7u);
  EXPECT_EQ(mailbox_back->deleted, 2u);
  EXPECT_EQ(mailbox_back->vanished_floor, 55u);
  EXPECT_EQ(mailbox_back->recent_from, 15u);
  EXPECT_EQ(EncodeMailbox(mailbox).size(), 50u);
  // A record from before \Recent (46 bytes): nothing is recent.
  auto before_recent = DecodeMailbox(EncodeMailbox(mailbox).substr(0, 46));
  ASSERT_TRUE(before_recent.ok());
  EXPECT_EQ(before_recent->vanished_floor, 55u);
  EXPECT_EQ(before_recent->recent_from, 17u);
  // A record from before the floor (38 bytes): nothing was pruned.
  auto unpruned = DecodeMailbox(EncodeMailbox(mailbox).substr(0, 38));
  ASSERT_TRUE(unpruned.ok());
  EXPECT_TRUE(unpruned->counted);
  EXPECT_EQ(unpruned->deleted, 2u);
  EXPECT_EQ(unpruned->vanished_floor, 0u);
  // A record from before the counts (26 bytes) reads as not counted yet.
  auto old_record = DecodeMailbox(EncodeMailbox(mailbox).substr(0, 26));
  ASSERT_TRUE(old_record.ok());
  EXPECT_FALSE(old_record->counted);
  EXPECT_EQ(old_record->uidnext, 17u);

  MessageEntry entry;
  entry.blob_id = RandomBlobId();
  entry.internal_date = -5;  // before 1970 is representable
  entry.sealed_size = 1234;
  entry.modseq = 8;
  entry.flags = {"$Junk", "\\Seen"};
  Result<MessageEntry> entry_back = DecodeIndexEntry(11, EncodeIndexEntry(entry));
  ASSERT_TRUE(entry_back.ok());
  EXPECT_EQ(entry_back->uid, 11u);
  EXPECT_EQ(entry_back->blob_id, entry.blob_id);
  EXPECT_EQ(entry_back->internal_date, -5);
  EXPECT_EQ(entry_back->sealed_size, 1234u);
  EXPECT_EQ(entry_back->modseq, 8u);
  EXPECT_EQ(entry_back->flags, entry.flags);

  BlobMetaRecord meta{2, 5000, "sealed summary"};
  Result<BlobMetaRecord> meta_back = DecodeBlobMeta(EncodeBlobMeta(meta));
  ASSERT_TRUE(meta_back.ok());
  EXPECT_EQ(meta_back->refcount, 2u);
  EXPECT_EQ(meta_back->sealed_size, 5000u);
  EXPECT_EQ(meta_back->sealed_summary, "sealed summary");

  PublicKeyRecord key{KeyIdOf("k"), PublicKeyKind::kSigning, std::string(32, 'k'), 17, true};
  Result<PublicKeyRecord> key_back = DecodePublicKey(key.key_id, EncodePublicKey(key));
  ASSERT_TRUE(key_back.ok());
  EXPECT_EQ(key_back->kind, PublicKeyKind::kSigning);
  EXPECT_EQ(key_back->public_key, key.public_key);
  EXPECT_EQ(key_back->registered_at, 17);
  EXPECT_TRUE(key_back->revoked);

  std::string sealed_key(kWrapSize, 's');
  EXPECT_EQ(*DecodeWrap(EncodeWrap(sealed_key)), sealed_key);
  EXPECT_EQ(*DecodeBody(std::string(1, kBodyVersionByte) + "body"), "body");
}

TEST(ShardRecordsTest, DamagedRecordsAreCorruptionNotGuesses) {
  std::string mailbox = EncodeMailbox(MailboxRecord{3, 1, 2, 3, true});
  EXPECT_EQ(DecodeMailbox(mailbox.substr(0, mailbox.size() - 1)).code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeMailbox(mailbox + "x").code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeMailbox("").code(), ErrorCode::kCorruption);
  std::string future = mailbox;
  future[0] = 2;
  Result<MailboxRecord> unknown = DecodeMailbox(future);
  EXPECT_EQ(unknown.code(), ErrorCode::kCorruption);
  EXPECT_NE(unknown.status().message().find("unknown version 2"), std::string::npos);

  MessageEntry entry;
  entry.flags = {"\\Seen"};
  std::string index = EncodeIndexEntry(entry);
  EXPECT_EQ(DecodeIndexEntry(1, index.substr(0, index.size() - 2)).code(), ErrorCode::kCorruption);
  // A flag count far beyond the bytes present is refused without allocating.
  std::string huge_count = index.substr(0, 1 + 16 + 24) + std::string("\xff\xff\xff\xff", 4);
  EXPECT_EQ(DecodeIndexEntry(1, huge_count).code(), ErrorCode::kCorruption);

  EXPECT_EQ(DecodeWrap(EncodeWrap("too short")).code(), ErrorCode::kCorruption);
  EXPECT_EQ(DecodeBody("").code(), ErrorCode::kCorruption);
  std::string key = EncodePublicKey(PublicKeyRecord{});
  key[1] = 9;  // no such kind
  EXPECT_EQ(DecodePublicKey(KeyId{}, key).code(), ErrorCode::kCorruption);
}

}  // namespace
}  // namespace mailvault
