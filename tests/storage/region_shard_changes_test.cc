// The change index: what changed in a mailbox since a modseq, read as one
// range, with tombstones for expunged uids; kept in the same batch as each
// change, carried by moves of the account, gone with the mailbox.
#include <gtest/gtest.h>

#include "shard_test_util.h"

namespace mailvault::testing {
namespace {

using ChangesTest = ShardTest;

MailboxChanges ChangesOk(RegionShard& shard, std::string_view mailbox, uint64_t since) {
  auto changes = shard.ChangesSince("alice@example.org", mailbox, since);
  EXPECT_TRUE(changes.ok()) << changes.status().ToString();
  return changes.ok() ? *changes : MailboxChanges{};
}

TEST_F(ChangesTest, AppendsStoresAndExpungesSinceAModseq) {
  for (const char* text : {"one", "two", "three", "four"}) AppendOk("INBOX", text);
  const uint64_t seen = shard_->GetMailbox(kAlice, "INBOX")->highest_modseq;
  EXPECT_TRUE(ChangesOk(*shard_, "INBOX", seen).changed.empty());

  ASSERT_TRUE(shard_->StoreFlags(kAlice, "INBOX", {2}, FlagOp::kAdd, {"\\Seen"}).ok());
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {3}).ok());
  AppendOk("INBOX", "five");
  MailboxChanges changes = ChangesOk(*shard_, "INBOX", seen);
  EXPECT_EQ(UidsOf(changes.changed), (std::vector<uint32_t>{2, 5}));
  EXPECT_EQ(changes.changed[0].flags, std::vector<std::string>{"\\Seen"});
  EXPECT_EQ(changes.expunged, std::vector<uint32_t>{3});
  EXPECT_EQ(changes.mailbox.highest_modseq, shard_->GetMailbox(kAlice, "INBOX")->highest_modseq);
  EXPECT_EQ(changes.mailbox.uidnext, 6u);

  // Everything from the start: the live uids once each, and the tombstone.
  changes = ChangesOk(*shard_, "INBOX", 0);
  EXPECT_EQ(UidsOf(changes.changed), (std::vector<uint32_t>{1, 2, 4, 5}));
  EXPECT_EQ(changes.expunged, std::vector<uint32_t>{3});
  // From the current modseq: nothing.
  changes = ChangesOk(*shard_, "INBOX", changes.mailbox.highest_modseq);
  EXPECT_TRUE(changes.changed.empty());
  EXPECT_TRUE(changes.expunged.empty());
}

TEST_F(ChangesTest, AUidChangedManyTimesIsOneRow) {
  AppendOk("INBOX", "one");
  const uint64_t seen = shard_->GetMailbox(kAlice, "INBOX")->highest_modseq;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        shard_->StoreFlags(kAlice, "INBOX", {1}, i % 2 ? FlagOp::kRemove : FlagOp::kAdd, {"$X"})
            .ok());
  }
  MailboxChanges changes = ChangesOk(*shard_, "INBOX", seen);
  ASSERT_EQ(changes.changed.size(), 1u);
  EXPECT_EQ(changes.changed[0].modseq, changes.mailbox.highest_modseq);
  // Between two of the stores, only what came after.
  EXPECT_EQ(ChangesOk(*shard_, "INBOX", changes.mailbox.highest_modseq - 1).changed.size(), 1u);
}

TEST_F(ChangesTest, MoveLeavesTombstonesInTheSourceAndEntriesInTheTarget) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  AppendOk("INBOX", "one");
  AppendOk("INBOX", "two");
  const uint64_t inbox_seen = shard_->GetMailbox(kAlice, "INBOX")->highest_modseq;
  const uint64_t archive_seen = shard_->GetMailbox(kAlice, "Archive")->highest_modseq;
  ASSERT_TRUE(shard_->Move(kAlice, "INBOX", {1}, "Archive").ok());
  ASSERT_TRUE(shard_->Copy(kAlice, "INBOX", {2}, "Archive").ok());
  MailboxChanges inbox = ChangesOk(*shard_, "INBOX", inbox_seen);
  EXPECT_TRUE(inbox.changed.empty());
  EXPECT_EQ(inbox.expunged, std::vector<uint32_t>{1});
  MailboxChanges archive = ChangesOk(*shard_, "Archive", archive_seen);
  EXPECT_EQ(UidsOf(archive.changed), (std::vector<uint32_t>{1, 2}));
  EXPECT_TRUE(archive.expunged.empty());
}

TEST_F(ChangesTest, DeletingAMailboxRemovesItsChanges) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Old").ok());
  AppendOk("Old", "one");
  AppendOk("Old", "two");
  ASSERT_TRUE(shard_->Expunge(kAlice, "Old", {1}).ok());
  ASSERT_TRUE(shard_->DeleteMailbox(kAlice, "Old").ok());
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Old").ok());
  MailboxChanges changes = ChangesOk(*shard_, "Old", 0);
  EXPECT_TRUE(changes.changed.empty());
  EXPECT_TRUE(changes.expunged.empty());
}

TEST_F(ChangesTest, TheChangesSurviveARestartAndTravelWithTheAccount) {
  AppendOk("INBOX", "one");
  AppendOk("INBOX", "two");
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {1}).ok());
  Reopen();
  MailboxChanges changes = ChangesOk(*shard_, "INBOX", 0);
  EXPECT_EQ(UidsOf(changes.changed), std::vector<uint32_t>{2});
  EXPECT_EQ(changes.expunged, std::vector<uint32_t>{1});

  auto dump = shard_->ExportAccount(kAlice);
  ASSERT_TRUE(dump.ok());
  auto other = OpenShardOrDie(OptionsFor(dir_.Sub("other")));
  ASSERT_TRUE(other->ImportAccount(*dump, nullptr).ok());
  changes = ChangesOk(*other, "INBOX", 0);
  EXPECT_EQ(UidsOf(changes.changed), std::vector<uint32_t>{2});
  EXPECT_EQ(changes.expunged, std::vector<uint32_t>{1});
}

TEST_F(ChangesTest, StatusCountsFollowEveryChange) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  for (const char* text : {"one", "two", "three", "four"}) AppendOk("INBOX", text);
  auto counts = [&](std::string_view mailbox) {
    auto info = shard_->GetMailbox(kAlice, mailbox);
    EXPECT_TRUE(info.ok());
    return std::vector<uint32_t>{info->messages, info->unseen, info->deleted};
  };
  EXPECT_EQ(counts("INBOX"), (std::vector<uint32_t>{4, 4, 0}));
  ASSERT_TRUE(shard_->StoreFlags(kAlice, "INBOX", {1, 2}, FlagOp::kAdd, {"\\Seen"}).ok());
  ASSERT_TRUE(shard_->StoreFlags(kAlice, "INBOX", {2, 3}, FlagOp::kAdd, {"\\Deleted"}).ok());
  EXPECT_EQ(counts("INBOX"), (std::vector<uint32_t>{4, 2, 2}));
  ASSERT_TRUE(shard_->StoreFlags(kAlice, "INBOX", {1}, FlagOp::kSet, {}).ok());
  EXPECT_EQ(counts("INBOX"), (std::vector<uint32_t>{4, 3, 2}));
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {2, 3}).ok());
  EXPECT_EQ(counts("INBOX"), (std::vector<uint32_t>{2, 2, 0}));
  ASSERT_TRUE(shard_->Move(kAlice, "INBOX", {1}, "Archive").ok());
  ASSERT_TRUE(shard_->Copy(kAlice, "INBOX", {4}, "Archive").ok());
  EXPECT_EQ(counts("INBOX"), (std::vector<uint32_t>{1, 1, 0}));
  EXPECT_EQ(counts("Archive"), (std::vector<uint32_t>{2, 2, 0}));
  Reopen();
  EXPECT_EQ(counts("Archive"), (std::vector<uint32_t>{2, 2, 0}));
  // What the index holds, counted the slow way, agrees.
  auto entries = shard_->ListMessages(kAlice, "INBOX", 1, UINT32_MAX);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(entries->size(), 1u);
}

}  // namespace
}  // namespace mailvault::testing
