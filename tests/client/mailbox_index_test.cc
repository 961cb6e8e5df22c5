#include "client/bridge/mailbox_index.h"

#include <gtest/gtest.h>

namespace mailvault::client {
namespace {

LearntMessage Readable(uint64_t size) {
  LearntMessage learnt;
  learnt.size = size;
  learnt.key = KeyId{};
  learnt.key->bytes[0] = 7;
  learnt.blob_id.bytes[0] = static_cast<char>(size);
  learnt.wrap.assign(kWrapSize, 'w');
  return learnt;
}

std::vector<uint32_t> UidsOf(const std::vector<imap::MessageMeta>& metas) {
  std::vector<uint32_t> uids;
  for (const auto& m : metas) uids.push_back(m.uid);
  return uids;
}

// An index holding uids 1..3 synced to modseq 10.
std::unique_ptr<MailboxIndex> MakeFilled() {
  auto made = std::make_unique<MailboxIndex>();
  MailboxIndex& index = *made;
  index.Reset(42);
  const LearntMessage learnt = Readable(100);
  index.Put(1, 3, 1000, {"\\Seen"}, &learnt);
  index.Put(2, 5, 1001, {}, &learnt);
  index.Put(3, 9, 1002, {"\\Seen", "\\Answered"}, &learnt);
  index.SetSynced(10);
  return made;
}

TEST(MailboxIndexTest, SnapshotListsWhatWasPutInUidOrder) {
  auto filled = MakeFilled();
  MailboxIndex& index = *filled;
  imap::MailboxSnapshot snapshot = index.Snapshot(imap::MailboxInfo{});
  EXPECT_EQ(UidsOf(snapshot.messages), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_EQ(snapshot.info.highest_modseq, 10u);
  EXPECT_EQ(snapshot.messages[2].flags, (std::vector<std::string>{"\\Answered", "\\Seen"}));
  EXPECT_EQ(snapshot.messages[1].size, 100u);
}

TEST(MailboxIndexTest, AMessageNotLearntIsNotIndexed) {
  auto filled = MakeFilled();
  MailboxIndex& index = *filled;
  index.Put(4, 11, 1003, {}, nullptr);
  EXPECT_EQ(index.Find(4), nullptr);
  EXPECT_EQ(index.Unknown({2, 4, 5}), (std::vector<uint32_t>{4, 5}));
}

TEST(MailboxIndexTest, AnOlderListingDoesNotUndoANewerChange) {
  auto filled = MakeFilled();
  MailboxIndex& index = *filled;
  index.Put(2, 12, 1001, {"\\Flagged"}, nullptr);
  index.Put(2, 11, 1001, {}, nullptr);  // a slower session's listing
  EXPECT_EQ(index.MetaOf(*index.Find(2)).flags, std::vector<std::string>{"\\Flagged"});
}

TEST(MailboxIndexTest, ChangesSinceAViewReportNewFlagsAndRemovals) {
  auto filled = MakeFilled();
  MailboxIndex& index = *filled;
  EXPECT_TRUE(index.ChangesSince({}, 10).changed.empty());
  index.Put(1, 11, 1000, {}, nullptr);
  const LearntMessage learnt = Readable(50);
  index.Put(4, 12, 1003, {}, &learnt);
  index.Remove({2, 99}, 13);
  index.SetSynced(13);
  imap::MailboxChanges changes = index.ChangesSince({}, 10);
  EXPECT_FALSE(changes.snapshot.has_value());
  EXPECT_EQ(UidsOf(changes.changed), (std::vector<uint32_t>{1, 4}));
  EXPECT_EQ(changes.expunged, std::vector<uint32_t>{2});  // 99 was never there
  EXPECT_EQ(changes.info.highest_modseq, 13u);
  // A view made after the sync has nothing more to hear.
  changes = index.ChangesSince({}, 13);
  EXPECT_TRUE(changes.changed.empty());
  EXPECT_TRUE(changes.expunged.empty());
}

TEST(MailboxIndexTest, ARemovalWithoutAModseqReachesEveryViewThatMayShowIt) {
  auto filled = MakeFilled();
  MailboxIndex& index = *filled;
  index.Remove({3}, 0);  // this bridge's own EXPUNGE, before the next sync
  EXPECT_EQ(index.ChangesSince({}, 10).expunged, std::vector<uint32_t>{3});
}

TEST(MailboxIndexTest, AViewOlderThanTheIndexGetsTheWholeSnapshot) {
  auto loaded = MailboxIndex::Decode(MakeFilled()->Encode());
  ASSERT_NE(loaded, nullptr);
  imap::MailboxChanges changes = loaded->ChangesSince({}, 4);
  ASSERT_TRUE(changes.snapshot.has_value());
  EXPECT_EQ(UidsOf(changes.snapshot->messages), (std::vector<uint32_t>{1, 2, 3}));
}

TEST(MailboxIndexTest, ANewUidvalidityEmptiesTheIndex) {
  auto filled = MakeFilled();
  MailboxIndex& index = *filled;
  index.Reset(43);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.modseq(), 0u);
  EXPECT_EQ(index.uidvalidity(), 43u);
}

TEST(MailboxIndexTest, EncodeDecodeKeepsEverything) {
  auto filled = MakeFilled();
  MailboxIndex& index = *filled;
  LearntMessage sealed = Readable(70);
  sealed.device_seal = DeviceSeal{KeyId{}, std::string(64, 's')};
  index.Put(5, 10, 1004, {"$Label"}, &sealed);
  LearntMessage unreadable;
  unreadable.size = 33;
  index.Put(6, 10, 1005, {}, &unreadable);
  auto decoded = MailboxIndex::Decode(index.Encode());
  ASSERT_NE(decoded, nullptr);
  EXPECT_EQ(decoded->Encode(), index.Encode());
  EXPECT_EQ(decoded->uidvalidity(), 42u);
  EXPECT_EQ(decoded->modseq(), 10u);
  EXPECT_TRUE(decoded->DeviceSealOf(5).has_value());
  EXPECT_FALSE(decoded->DeviceSealOf(1).has_value());
  EXPECT_TRUE(decoded->Find(5)->readable);
  EXPECT_FALSE(decoded->Find(6)->readable);
  EXPECT_EQ(decoded->MetaOf(*decoded->Find(5)).flags, std::vector<std::string>{"$Label"});
}

TEST(MailboxIndexTest, EveryTruncationAndTrailingByteIsRefused) {
  const std::string payload = MakeFilled()->Encode();
  for (size_t n = 0; n < payload.size(); ++n) {
    EXPECT_EQ(MailboxIndex::Decode(payload.substr(0, n)), nullptr) << n;
  }
  EXPECT_EQ(MailboxIndex::Decode(payload + "x"), nullptr);
}

}  // namespace
}  // namespace mailvault::client

namespace mailvault::client {
namespace {

TEST(MailboxIndexTest, VanishedRangesRemoveOnlyWhatTheIndexHolds) {
  auto index = MakeFilled();
  // A resync below the vault's tombstone floor names every absent uid.
  index->RemoveWithin(imap::NumberSet::FromRanges({{2, 2}, {4, 4000000000u}}), 11);
  index->SetSynced(11);
  EXPECT_EQ(index->size(), 2u);
  EXPECT_EQ(index->ChangesSince({}, 10).expunged, std::vector<uint32_t>{2});
}

}  // namespace
}  // namespace mailvault::client

namespace mailvault::client {
namespace {

TEST(MailboxIndexTest, RecentIsWhatArrivedAfterTheFirstSyncAndIsClaimedOnce) {
  auto index = MakeFilled();  // synced once: its three messages are old
  EXPECT_EQ(index->RecentCount(), 0u);
  const LearntMessage learnt = Readable(10);
  index->Put(7, 11, 1003, {}, &learnt);
  index->SetSynced(11);
  EXPECT_EQ(index->RecentCount(), 1u);
  auto peek = index->ClaimRecent(/*claim=*/false);
  EXPECT_EQ(peek.first, 4u);
  EXPECT_EQ(peek.last, 7u);
  auto claimed = MailboxIndex::Decode(index->Encode())->ClaimRecent(true);  // kept on disk
  EXPECT_EQ(claimed.first, 4u);
  index->ClaimRecent(true);
  auto after = index->ClaimRecent(true);
  EXPECT_GT(after.first, after.last);
  EXPECT_EQ(index->RecentCount(), 0u);
}

}  // namespace
}  // namespace mailvault::client
