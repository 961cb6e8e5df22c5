// The selected view brought up to date from changes (the shard's change
// index) must say what a full comparison would, in an order that keeps
// sequence numbers right.
#include "server/imap/selected_mailbox.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

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

namespace mailvault::imap {
namespace {

// The view as a plain list, to hold the shared base and its differences to.
void ExpectSame(const SelectedMailbox& view, const std::vector<MessageMeta>& model) {
  ASSERT_EQ(view.count(), model.size());
  for (uint32_t seq = 1; seq <= model.size(); ++seq) {
    ASSERT_EQ(view.at(seq).uid, model[seq - 1].uid) << seq;
    ASSERT_EQ(view.at(seq).flags, model[seq - 1].flags) << seq;
    ASSERT_EQ(view.SeqOf(model[seq - 1].uid), seq);
  }
  EXPECT_EQ(view.MaxUid(), model.empty() ? 0 : model.back().uid);
}

TEST(SelectedMailboxTest, ABaseAndItsDifferencesBehaveAsOneList) {
  std::vector<MessageMeta> model;
  for (uint32_t uid = 1; uid <= 300; uid += 1 + uid % 3) model.push_back(Meta(uid, uid));
  const std::vector<MessageMeta> original = model;
  auto base = std::make_shared<const MailboxSnapshot>(Mailbox(model, 300));
  MailboxChanges none;
  none.info = base->info;
  SelectedMailbox view(false, base, none);
  uint32_t next_uid = 301;
  uint64_t modseq = 300;
  std::srand(7);
  for (int round = 0; round < 400; ++round) {
    std::string out;
    const int what = std::rand() % 4;
    if (what == 0 && !model.empty()) {  // expunge a few
      std::vector<uint32_t> uids;
      for (int k = std::rand() % 4; k >= 0; --k) uids.push_back(model[std::rand() % model.size()].uid);
      uids.push_back(next_uid + 5);  // never there
      view.Remove(uids, out);
      std::erase_if(model, [&](const MessageMeta& m) {
        return std::find(uids.begin(), uids.end(), m.uid) != uids.end();
      });
    } else if (what == 1 && !model.empty()) {  // another session's flags
      MessageMeta& m = model[std::rand() % model.size()];
      m = Meta(m.uid, ++modseq, {std::rand() % 2 ? "\\Seen" : "\\Flagged"});
      MailboxChanges changes;
      changes.info.highest_modseq = modseq;
      changes.changed = {m};
      view.Apply(changes, false, out);
    } else if (what == 2) {  // new mail
      MailboxChanges changes;
      changes.info.highest_modseq = ++modseq;
      changes.changed = {Meta(next_uid, modseq)};
      model.push_back(changes.changed[0]);
      ++next_uid;
      view.Apply(changes, false, out);
    } else if (!model.empty()) {  // this session's STORE
      MessageMeta& m = model[std::rand() % model.size()];
      m = Meta(m.uid, ++modseq, {"$Mine"});
      view.Update(m);
    }
    ExpectSame(view, model);
    if (HasFatalFailure()) return;
  }
  // UID sets resolve to exactly the members shown.
  auto seqs = view.Resolve(SequenceSet::Parse("1:100,250:*").value(), /*uid=*/true);
  ASSERT_TRUE(seqs.ok());
  std::vector<uint32_t> expected;
  for (uint32_t i = 0; i < model.size(); ++i) {
    if (model[i].uid <= 100 || model[i].uid >= 250) expected.push_back(i + 1);
  }
  EXPECT_EQ(*seqs, expected);
  // The base itself never changed.
  ASSERT_EQ(base->messages.size(), original.size());
  for (size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(base->messages[i].flags, original[i].flags);
  }
}

TEST(SelectedMailboxTest, ASessionOpenedOnASharedBaseStartsFromItsChangesSilently) {
  auto base = std::make_shared<const MailboxSnapshot>(
      Mailbox({Meta(1, 1), Meta(2, 2), Meta(3, 3)}, 3));
  MailboxChanges since;
  since.info.highest_modseq = 6;
  since.expunged = {2};
  since.changed = {Meta(3, 5, {"\\Seen"}), Meta(4, 6)};
  SelectedMailbox later(false, base, since);
  EXPECT_EQ(later.synced_modseq(), 6u);
  ExpectSame(later, {Meta(1, 1), Meta(3, 5, {"\\Seen"}), Meta(4, 6)});
  // The other session on the same base still sees what it saw.
  MailboxChanges none;
  none.info = base->info;
  SelectedMailbox earlier(false, base, none);
  ExpectSame(earlier, base->messages);
}

TEST(SelectedMailboxTest, AWholeComparisonLeavesTheViewEqualToTheSnapshot) {
  auto base = std::make_shared<const MailboxSnapshot>(
      Mailbox({Meta(1, 1), Meta(2, 2), Meta(3, 3)}, 3));
  MailboxChanges none;
  none.info = base->info;
  SelectedMailbox view(false, base, none);
  std::string out;
  view.Remove({1}, out);
  out.clear();
  view.Sync(Mailbox({Meta(2, 2), Meta(3, 4, {"\\Seen"}), Meta(5, 5)}, 5), true, out);
  EXPECT_EQ(out,
            "* 2 FETCH (UID 3 FLAGS (\\Seen) MODSEQ (4))\r\n"
            "* 3 EXISTS\r\n");
  ExpectSame(view, {Meta(2, 2), Meta(3, 4, {"\\Seen"}), Meta(5, 5)});
}

}  // namespace
}  // namespace mailvault::imap
