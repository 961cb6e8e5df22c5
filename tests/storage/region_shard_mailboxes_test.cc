// Mailboxes: UIDVALIDITY, renames, deletes, subscriptions, \Recent.
#include <gtest/gtest.h>
#include <rocksdb/write_batch.h>

#include "shard_test_util.h"
#include "storage/shard_db.h"
#include "storage/shard_keys.h"
#include "storage/shard_records.h"

namespace mailvault::testing {
namespace {

using MailboxTest = ShardTest;

TEST_F(MailboxTest, UidValidityIsStableAcrossReopen) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  uint32_t inbox = shard_->GetMailbox(kAlice, "INBOX")->uidvalidity;
  uint32_t archive = shard_->GetMailbox(kAlice, "Archive")->uidvalidity;
  EXPECT_NE(inbox, archive);
  Reopen();
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->uidvalidity, inbox);
  EXPECT_EQ(shard_->GetMailbox(kAlice, "Archive")->uidvalidity, archive);
}

TEST_F(MailboxTest, RecreatedMailboxGetsNewUidValidityAndNoOldMessages) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  uint32_t first = shard_->GetMailbox(kAlice, "Archive")->uidvalidity;
  AppendOk("Archive", "one");
  AppendOk("Archive", "two");
  ASSERT_TRUE(shard_->DeleteMailbox(kAlice, "Archive").ok());
  EXPECT_EQ(shard_->GetMailbox(kAlice, "Archive").code(), ErrorCode::kNotFound);

  // Across a restart too: the counter is on disk.
  Reopen();
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  Result<MailboxInfo> second = shard_->GetMailbox(kAlice, "Archive");
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->uidvalidity, first);
  EXPECT_NE(second->uidvalidity, 0u);
  EXPECT_TRUE(shard_->ListMessages(kAlice, "Archive", 1, UINT32_MAX)->empty());
}

TEST_F(MailboxTest, CreateExistingIsAlreadyExists) {
  EXPECT_EQ(shard_->CreateMailbox(kAlice, "INBOX").code(), ErrorCode::kAlreadyExists);
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Sent").ok());
  EXPECT_EQ(shard_->CreateMailbox(kAlice, "Sent").code(), ErrorCode::kAlreadyExists);
}

TEST_F(MailboxTest, InvalidNamesAreRefused) {
  EXPECT_EQ(shard_->CreateMailbox(kAlice, "").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(shard_->CreateMailbox(kAlice, "a\r\nb").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(shard_->CreateMailbox(kAlice, std::string("a\0b", 3)).code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(shard_->GetMailbox(kAlice, "").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(shard_->ListMessages(kAlice, "", 1, 10).code(), ErrorCode::kInvalidArgument);
}

TEST_F(MailboxTest, RenameKeepsMessagesUidValidityAndCounters) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Drafts").ok());
  BlobId blob_id;
  AppendResult appended = AppendOk("Drafts", "draft", &blob_id);
  MailboxInfo before = *shard_->GetMailbox(kAlice, "Drafts");

  ASSERT_TRUE(shard_->RenameMailbox(kAlice, "Drafts", "Old Drafts").ok());
  EXPECT_EQ(shard_->GetMailbox(kAlice, "Drafts").code(), ErrorCode::kNotFound);
  Result<MailboxInfo> after = shard_->GetMailbox(kAlice, "Old Drafts");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->uidvalidity, before.uidvalidity);
  EXPECT_EQ(after->uidnext, before.uidnext);
  EXPECT_EQ(after->highest_modseq, before.highest_modseq);
  Result<MessageEntry> entry = shard_->GetMessage(kAlice, "Old Drafts", appended.uid);
  ASSERT_TRUE(entry.ok());
  EXPECT_EQ(entry->blob_id, blob_id);

  // A mailbox created under the old name is a new mailbox.
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Drafts").ok());
  EXPECT_NE(shard_->GetMailbox(kAlice, "Drafts")->uidvalidity, before.uidvalidity);
  EXPECT_TRUE(shard_->ListMessages(kAlice, "Drafts", 1, UINT32_MAX)->empty());
}

TEST_F(MailboxTest, RenameRefusals) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "A").ok());
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "B").ok());
  EXPECT_EQ(shard_->RenameMailbox(kAlice, "A", "B").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(shard_->RenameMailbox(kAlice, "Missing", "C").code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->RenameMailbox(kAlice, "INBOX", "C").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(shard_->RenameMailbox(kAlice, "A", "INBOX").code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(shard_->RenameMailbox(kAlice, "A", "").code(), ErrorCode::kInvalidArgument);
}

TEST_F(MailboxTest, InboxCannotBeDeleted) {
  EXPECT_EQ(shard_->DeleteMailbox(kAlice, "INBOX").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(shard_->DeleteMailbox(kAlice, "Missing").code(), ErrorCode::kNotFound);
}

TEST_F(MailboxTest, DeleteMailboxExpungesItsMessagesButNotSharedBodies) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Trash").ok());
  BlobId only_in_trash;
  BlobId shared;
  AppendOk("Trash", "only here", &only_in_trash);
  AppendResult copied = AppendOk("Trash", "also in inbox", &shared);
  ASSERT_TRUE(shard_->Copy(kAlice, "Trash", {copied.uid}, "INBOX").ok());
  ASSERT_EQ(*shard_->BodyReferenceCount(kAlice, shared), 2u);

  ASSERT_TRUE(shard_->DeleteMailbox(kAlice, "Trash").ok());
  EXPECT_EQ(*shard_->BodyReferenceCount(kAlice, only_in_trash), 0u);
  EXPECT_EQ(shard_->FetchBody(kAlice, only_in_trash).code(), ErrorCode::kNotFound);
  EXPECT_EQ(shard_->FetchWraps(kAlice, only_in_trash).code(), ErrorCode::kNotFound);
  EXPECT_EQ(*shard_->BodyReferenceCount(kAlice, shared), 1u);
  EXPECT_EQ(*OpenStored(*shard_, kAlice, shared, keys_), "also in inbox");
}

TEST_F(MailboxTest, ListAndSubscribe) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Sent").ok());
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive/2024").ok());
  ASSERT_TRUE(shard_->SetSubscribed(kAlice, "Sent", true).ok());
  EXPECT_EQ(shard_->SetSubscribed(kAlice, std::string("nul\0name", 8), true).code(),
            ErrorCode::kInvalidArgument);
  Reopen();
  Result<std::vector<MailboxInfo>> mailboxes = shard_->ListMailboxes(kAlice);
  ASSERT_TRUE(mailboxes.ok());
  std::vector<std::string> names;
  for (const MailboxInfo& mailbox : *mailboxes) {
    names.push_back(mailbox.name);
    // CREATE subscribes nothing; INBOX is subscribed from the start.
    EXPECT_EQ(mailbox.subscribed, mailbox.name != "Archive/2024") << mailbox.name;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"Archive/2024", "INBOX", "Sent"}));
}

TEST_F(MailboxTest, AccountsDoNotSeeEachOthersMailboxes) {
  ASSERT_TRUE(shard_->CreateAccount("bob@example.org", "eu").ok());
  ASSERT_TRUE(shard_->CreateMailbox("bob@example.org", "Bob's").ok());
  EXPECT_EQ(shard_->ListMailboxes(kAlice)->size(), 1u);
  EXPECT_EQ(shard_->ListMailboxes("bob@example.org")->size(), 2u);
  EXPECT_EQ(shard_->GetMailbox(kAlice, "Bob's").code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace mailvault::testing

namespace mailvault::testing {
namespace {

TEST_F(MailboxTest, RecentIsClaimedOnceAndTheMarkSurvivesARestart) {
  AppendOk("INBOX", "one");
  AppendOk("INBOX", "two");
  Result<MailboxInfo> first = shard_->ClaimRecent(kAlice, "INBOX");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->recent_from, 1u);  // both are the claimer's
  EXPECT_EQ(first->uidnext, 3u);
  Reopen();
  Result<MailboxInfo> second = shard_->ClaimRecent(kAlice, "INBOX");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->recent_from, 3u);  // nothing left for the next session
  AppendOk("INBOX", "three");
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->recent_from, 3u);
  EXPECT_EQ(shard_->ClaimRecent(kAlice, "INBOX")->recent_from, 3u);
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->recent_from, 4u);
  EXPECT_EQ(shard_->ClaimRecent(kAlice, "Missing").code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace mailvault::testing

namespace mailvault::testing {
namespace {

TEST_F(MailboxTest, SubscriptionsAreNamesThatOutliveTheirMailboxes) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Work").ok());
  EXPECT_EQ(*shard_->ListSubscriptions(kAlice), std::vector<std::string>{"INBOX"});
  ASSERT_TRUE(shard_->SetSubscribed(kAlice, "Later", true).ok());  // not a mailbox
  ASSERT_TRUE(shard_->SetSubscribed(kAlice, "Work", true).ok());
  ASSERT_TRUE(shard_->DeleteMailbox(kAlice, "Work").ok());
  EXPECT_EQ(*shard_->ListSubscriptions(kAlice),
            (std::vector<std::string>{"INBOX", "Later", "Work"}));
  ASSERT_TRUE(shard_->SetSubscribed(kAlice, "Later", false).ok());
  EXPECT_EQ(*shard_->ListSubscriptions(kAlice), (std::vector<std::string>{"INBOX", "Work"}));
}

TEST_F(MailboxTest, ASubscriptionKeptInAMailboxRecordMovesToItsFamilyAtOpen) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Old").ok());
  ASSERT_TRUE(shard_->SetSubscribed(kAlice, "INBOX", false).ok());
  // Make "Old" a record from before the subscriptions family: the bit set.
  shard_.reset();
  {
    auto db = ShardDb::Open(OptionsFor(dir_.Sub("shard")));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    const std::string key = shard_keys::MailboxKey(1, "Old");
    auto value = (*db)->Get(Cf::kMailboxes, key);
    ASSERT_TRUE(value.ok() && value->has_value());
    auto record = shard_records::DecodeMailbox(**value);
    ASSERT_TRUE(record.ok());
    record->subscribed = true;
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(batch.Put((*db)->cf(Cf::kMailboxes), key, shard_records::EncodeMailbox(*record)).ok());
    ASSERT_TRUE((*db)->Commit(&batch).ok());
  }
  Reopen();
  EXPECT_EQ(*shard_->ListSubscriptions(kAlice), std::vector<std::string>{"Old"});
  ASSERT_TRUE(shard_->SetSubscribed(kAlice, "Old", false).ok());
  Reopen();  // the bit was cleared: unsubscribing holds
  EXPECT_TRUE(shard_->ListSubscriptions(kAlice)->empty());
}

}  // namespace
}  // namespace mailvault::testing
