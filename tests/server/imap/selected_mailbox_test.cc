// The selected view brought up to date from changes (the shard's change
// index) must say what a full comparison would, in an order that keeps
// sequence numbers right.
#include "server/imap/selected_mailbox.h"

#include <gtest/gtest.h>

namespace mailvault::imap {
namespace {

MessageMeta Meta(uint32_t uid, uint64_t modseq, std::vector<std::string> flags = {}) {
  return MessageMeta{uid, 1700000000, 100, modseq, std::move(flags)};
}

MailboxSnapshot Mailbox(std::vector<MessageMeta> messages, uint64_t highest_modseq) {
  MailboxSnapshot snapshot;
  snapshot.info.name = "INBOX";
  snapshot.info.highest_modseq = highest_modseq;
  snapshot.messages = std::move(messages);
  return snapshot;
}

TEST(SelectedMailboxTest, ChangesGiveExpungesThenFlagsThenExists) {
  SelectedMailbox view(false, Mailbox({Meta(1, 1), Meta(2, 2), Meta(3, 3)}, 3));
  MailboxChanges changes;
  changes.info.name = "INBOX";
  changes.info.highest_modseq = 7;
  changes.expunged = {1, 9};  // 9: added and expunged before this view saw it
  changes.changed = {Meta(3, 5, {"\\Seen"}), Meta(4, 6), Meta(5, 7)};
  std::string out;
  view.Apply(changes, /*condstore=*/true, out);
  EXPECT_EQ(out,
            "* 1 EXPUNGE\r\n"
            "* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (5))\r\n"
            "* 4 EXISTS\r\n");
  EXPECT_EQ(view.count(), 4u);
  EXPECT_EQ(view.at(1).uid, 2u);
  EXPECT_EQ(view.at(4).uid, 5u);
  EXPECT_EQ(view.synced_modseq(), 7u);
}

TEST(SelectedMailboxTest, TheSessionsOwnStoreDoesNotMoveTheSyncPoint) {
  SelectedMailbox view(false, Mailbox({Meta(1, 1), Meta(2, 2)}, 2));
  view.Update(Meta(2, 4, {"$Mine"}));  // this session's STORE, at modseq 4
  EXPECT_EQ(view.info().highest_modseq, 4u);
  // Another session's change at modseq 3 is still asked for.
  EXPECT_EQ(view.synced_modseq(), 2u);
  MailboxChanges changes;
  changes.info.highest_modseq = 4;
  changes.changed = {Meta(1, 3, {"\\Flagged"}), Meta(2, 4, {"$Mine"})};
  std::string out;
  view.Apply(changes, false, out);
  EXPECT_EQ(out, "* 1 FETCH (UID 1 FLAGS (\\Flagged))\r\n");
}

TEST(SelectedMailboxTest, AfterQresyncExpungesAreOneVanished) {
  SelectedMailbox view(false, Mailbox({Meta(1, 1), Meta(2, 2), Meta(3, 3), Meta(7, 4)}, 4));
  view.set_report_vanished(true);
  std::string out;
  view.Remove({1, 2, 7, 9}, out);
  EXPECT_EQ(out, "* VANISHED 1:2,7\r\n");
  EXPECT_EQ(view.count(), 1u);
  EXPECT_EQ(view.at(1).uid, 3u);
}

TEST(SelectedMailboxTest, AbsentUidsAreTheGapsOfTheCandidates) {
  const std::vector<MessageMeta> present = {Meta(2, 1), Meta(3, 1), Meta(7, 1), Meta(10, 1)};
  EXPECT_EQ(AbsentUids(NumberSet::FromRanges({{1, 10}}), present).ToString(), "1,4:6,8:9");
  EXPECT_EQ(AbsentUids(NumberSet::FromRanges({{3, 3}, {5, 8}}), present).ToString(), "5:6,8");
  EXPECT_TRUE(AbsentUids(NumberSet::FromRanges({{2, 3}}), present).empty());
  EXPECT_EQ(AbsentUids(NumberSet::FromRanges({{1, 4000000000u}}), {}).ToString(), "1:4000000000");
}

}  // namespace
}  // namespace mailvault::imap
