// The change index: what changed in a mailbox since a modseq, read as one
// range, with tombstones for expunged uids; kept in the same batch as each
// change, carried by moves of the account, gone with the mailbox; tombstones
// pruned to a window of modseqs, below which a read asks for a full resync.
#include <gtest/gtest.h>

#include <rocksdb/write_batch.h>

#include "shard_test_util.h"
#include "storage/shard_db.h"

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

TEST_F(ChangesTest, AShardFromBeforeTheChangeIndexResyncsOlderModseqs) {
  AppendOk("INBOX", "one");
  AppendOk("INBOX", "two");
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {1}).ok());  // modseq 3
  // Make it a shard written before the change index: no rows at all.
  shard_.reset();
  {
    auto db = ShardDb::Open(OptionsFor(dir_.Sub("shard")));
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(
        batch.DeleteRange((*db)->cf(Cf::kChanges), std::string(1, '\0'), std::string(9, '\xff'))
            .ok());
    ASSERT_TRUE((*db)->Commit(&batch).ok());
  }
  Reopen();
  // Uid 1's expunge was never recorded: a reader from before it must not
  // be told that nothing went.
  EXPECT_EQ(shard_->GetMailbox(kAlice, "INBOX")->vanished_floor, 3u);
  EXPECT_TRUE(ChangesOk(*shard_, "INBOX", 2).resync_required);
  MailboxChanges changes = ChangesOk(*shard_, "INBOX", 3);
  EXPECT_FALSE(changes.resync_required);
  EXPECT_TRUE(changes.changed.empty());
  AppendOk("INBOX", "three");
  EXPECT_EQ(UidsOf(ChangesOk(*shard_, "INBOX", 3).changed), std::vector<uint32_t>{3});
}

// A shard whose tombstones live for the newest 4 modseqs of their mailbox.
class PruneTest : public ShardTest {
 protected:
  static constexpr uint64_t kWindow = 4;

  void SetUp() override {
    ShardTest::SetUp();
    ReopenWithWindow(kWindow);
  }

  void ReopenWithWindow(uint64_t window) {
    shard_.reset();
    ShardOptions options = OptionsFor(dir_.Sub("shard"));
    options.tombstone_window = window;
    shard_ = OpenShardOrDie(options);
    ASSERT_NE(shard_, nullptr);
  }

  uint64_t Floor(std::string_view mailbox) {
    auto info = shard_->GetMailbox(kAlice, mailbox);
    EXPECT_TRUE(info.ok());
    return info.ok() ? info->vanished_floor : 0;
  }
};

TEST_F(PruneTest, AnExpungePrunesTombstonesOutsideTheWindowAndRaisesTheFloor) {
  for (const char* text : {"one", "two", "three", "four"}) AppendOk("INBOX", text);  // 1..4
  EXPECT_EQ(Floor("INBOX"), 0u);
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {1}).ok());  // modseq 5: cutoff 1
  EXPECT_EQ(Floor("INBOX"), 1u);
  MailboxChanges changes = ChangesOk(*shard_, "INBOX", 1);
  EXPECT_FALSE(changes.resync_required);
  EXPECT_EQ(changes.expunged, std::vector<uint32_t>{1});
  EXPECT_EQ(UidsOf(changes.changed), (std::vector<uint32_t>{2, 3, 4}));

  for (uint32_t uid : {2, 3, 4}) {  // modseqs 6, 7, 8
    ASSERT_TRUE(shard_->StoreFlags(kAlice, "INBOX", {uid}, FlagOp::kAdd, {"\\Seen"}).ok());
  }
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {2}).ok());  // modseq 9: cutoff 5
  EXPECT_EQ(Floor("INBOX"), 5u);
  // At the floor: exact, and uid 1's tombstone (modseq 5) is not needed.
  changes = ChangesOk(*shard_, "INBOX", 5);
  EXPECT_FALSE(changes.resync_required);
  EXPECT_EQ(changes.expunged, std::vector<uint32_t>{2});
  EXPECT_EQ(UidsOf(changes.changed), (std::vector<uint32_t>{3, 4}));
  // Below it: uid 1's tombstone is gone, and the read does not pretend.
  changes = ChangesOk(*shard_, "INBOX", 4);
  EXPECT_TRUE(changes.resync_required);
  EXPECT_TRUE(changes.changed.empty());
  EXPECT_TRUE(changes.expunged.empty());
  EXPECT_EQ(changes.mailbox.highest_modseq, 9u);
  EXPECT_EQ(changes.mailbox.vanished_floor, 5u);
  EXPECT_TRUE(ChangesOk(*shard_, "INBOX", 0).resync_required);

  // The floor is in the mailbox record: it survives a restart.
  ReopenWithWindow(kWindow);
  EXPECT_EQ(Floor("INBOX"), 5u);
  EXPECT_TRUE(ChangesOk(*shard_, "INBOX", 4).resync_required);
}

TEST_F(PruneTest, LiveRowsBelowTheFloorStayAndEveryOldTombstoneGoes) {
  for (int i = 0; i < 6; ++i) AppendOk("INBOX", "m" + std::to_string(i));  // 1..6
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {1, 2}).ok());              // 7, one modseq
  for (int i = 0; i < 6; ++i) AppendOk("INBOX", "n" + std::to_string(i));  // 8..13
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {7}).ok());                 // 14: cutoff 10
  EXPECT_EQ(Floor("INBOX"), 10u);
  MailboxChanges changes = ChangesOk(*shard_, "INBOX", 10);
  EXPECT_EQ(changes.expunged, std::vector<uint32_t>{7});
  // Uids 3..6, 8 and 9 last changed at or below the floor and keep their
  // rows; above it the answer is exact.
  EXPECT_EQ(UidsOf(changes.changed), (std::vector<uint32_t>{10, 11, 12}));
  ReopenWithWindow(0);  // nothing is pruned any more, and nothing comes back
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {3}).ok());
  EXPECT_EQ(Floor("INBOX"), 10u);
  EXPECT_TRUE(ChangesOk(*shard_, "INBOX", 9).resync_required);
  auto entries = shard_->ListMessages(kAlice, "INBOX", 1, UINT32_MAX);
  ASSERT_TRUE(entries.ok());
  EXPECT_EQ(UidsOf(*entries), (std::vector<uint32_t>{4, 5, 6, 8, 9, 10, 11, 12}));
}

TEST_F(PruneTest, AMoveOutPrunesTheSourceAndAWindowOfZeroKeepsEverything) {
  ASSERT_TRUE(shard_->CreateMailbox(kAlice, "Archive").ok());
  for (const char* text : {"one", "two", "three", "four", "five"}) AppendOk("INBOX", text);
  ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {1}).ok());  // 6: cutoff 2
  for (uint32_t uid : {2, 3, 4}) {                            // 7, 8, 9
    ASSERT_TRUE(shard_->StoreFlags(kAlice, "INBOX", {uid}, FlagOp::kAdd, {"$X"}).ok());
  }
  ASSERT_TRUE(shard_->Move(kAlice, "INBOX", {2}, "Archive").ok());  // 10: cutoff 6
  EXPECT_EQ(Floor("INBOX"), 6u);
  EXPECT_EQ(Floor("Archive"), 0u);
  EXPECT_TRUE(ChangesOk(*shard_, "INBOX", 5).resync_required);
  EXPECT_EQ(ChangesOk(*shard_, "INBOX", 6).expunged, std::vector<uint32_t>{2});

  ReopenWithWindow(0);
  for (uint32_t uid : {3, 4, 5}) ASSERT_TRUE(shard_->Expunge(kAlice, "INBOX", {uid}).ok());
  EXPECT_EQ(Floor("INBOX"), 6u);
  EXPECT_EQ(ChangesOk(*shard_, "INBOX", 6).expunged, (std::vector<uint32_t>{2, 3, 4, 5}));
}

}  // namespace
}  // namespace mailvault::testing
