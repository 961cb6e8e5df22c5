// RFC 5267 4.3: the ADDTO and REMOVEFROM lines that keep a client's copy of
// an updating search right, in the order that keeps its numbers valid.
#include "server/imap/updating_searches.h"

#include <gtest/gtest.h>

namespace mailvault::imap {
namespace {

MessageMeta Meta(uint32_t uid, uint64_t size, std::vector<std::string> flags = {}) {
  return MessageMeta{uid, 1700000000, size, uid, std::move(flags)};
}

MailboxSnapshot Mailbox(std::vector<MessageMeta> messages) {
  MailboxSnapshot snapshot;
  snapshot.info.name = "INBOX";
  snapshot.info.highest_modseq = 100;
  snapshot.messages = std::move(messages);
  return snapshot;
}

MessageSummary Summary(uint32_t uid, uint64_t size) {
  MessageSummary m;
  m.uid = uid;
  m.size = size;
  return m;
}

TEST(UpdatingSearchesTest, RemovalsComeBeforeTheExpungeAndAdditionsAfterExists) {
  SelectedMailbox view(false, Mailbox({Meta(1, 10), Meta(2, 20), Meta(3, 30), Meta(4, 40),
                                       Meta(5, 50)}));
  UpdatingSearches updating;
  view.set_listener(&updating);
  UpdatingSearch unseen;  // "A1 SEARCH RETURN (UPDATE) UNSEEN", by sequence number
  unseen.tag = "A1";
  unseen.uids = {2, 4};
  updating.Add(unseen);

  MailboxChanges changes;
  changes.info.name = "INBOX";
  changes.info.highest_modseq = 101;
  changes.expunged = {1, 2};
  changes.changed = {Meta(4, 40, {"\\Seen"}), Meta(3, 30, {}), Meta(6, 60)};
  std::string out;
  view.Apply(changes, false, out);
  // Message 2 (uid 2) leaves the results while it is still message 2.
  EXPECT_EQ(out,
            "* ESEARCH (TAG \"A1\") REMOVEFROM (0 2)\r\n"
            "* 2 EXPUNGE\r\n"
            "* 1 EXPUNGE\r\n"
            "* 2 FETCH (UID 4 FLAGS (\\Seen))\r\n"
            "* 4 EXISTS\r\n");
  // The session runs the program again on what was touched: uid 4 is seen
  // now, uid 6 is new and unseen; uid 3 was reported as unchanged.
  const std::vector<uint32_t> touched = updating.TakeTouched();
  EXPECT_EQ(touched, (std::vector<uint32_t>{4, 6}));
  EXPECT_TRUE(updating.TakeTouched().empty());
  const std::string line = UpdatingSearches::Reconcile(
      updating.searches()[0], {{4, std::nullopt}, {6, Summary(6, 60)}}, view);
  // After the expunges uid 4 is message 2 and uid 6 message 4.
  EXPECT_EQ(line, "ESEARCH (TAG \"A1\") REMOVEFROM (0 2) ADDTO (0 4)");
  EXPECT_EQ(updating.searches()[0].uids, (std::vector<uint32_t>{6}));
  // Nothing changed: nothing to say.
  EXPECT_EQ(UpdatingSearches::Reconcile(updating.searches()[0], {{6, Summary(6, 60)}}, view), "");
}

TEST(UpdatingSearchesTest, ASortIsUpdatedAtItsPositions) {
  SelectedMailbox view(false, Mailbox({Meta(1, 30), Meta(2, 10), Meta(3, 20), Meta(4, 50)}));
  UpdatingSearches updating;
  view.set_listener(&updating);
  UpdatingSearch by_size;  // "B1 UID SORT RETURN (UPDATE) (SIZE) UTF-8 UNDELETED"
  by_size.tag = "B1";
  by_size.uid = true;
  by_size.sort = {SortCriterion{SortKey::kSize, false}};
  by_size.sorted = {Summary(2, 10), Summary(3, 20), Summary(1, 30), Summary(4, 50)};
  updating.Add(by_size);

  // Expunging uids 3 and 4: positions 2, then 3 once uid 3 has gone.
  std::string out;
  view.Remove({3, 4}, out);
  EXPECT_EQ(out,
            "* ESEARCH (TAG \"B1\") UID REMOVEFROM (2 3 3 4)\r\n"
            "* 4 EXPUNGE\r\n"
            "* 3 EXPUNGE\r\n");

  // Three new messages: sizes 25, 5 and 30 (equal to uid 1's: the lower
  // uid sorts first). Each position counts the insertions before it.
  MailboxChanges changes;
  changes.info.highest_modseq = 102;
  changes.changed = {Meta(5, 25), Meta(6, 5), Meta(7, 30)};
  out.clear();
  view.Apply(changes, false, out);
  EXPECT_EQ(out, "* 5 EXISTS\r\n");
  EXPECT_EQ(updating.TakeTouched(), (std::vector<uint32_t>{5, 6, 7}));
  const std::string line = UpdatingSearches::Reconcile(
      updating.searches()[0],
      {{5, Summary(5, 25)}, {6, Summary(6, 5)}, {7, Summary(7, 30)}}, view);
  EXPECT_EQ(line, "ESEARCH (TAG \"B1\") UID ADDTO (2 5 1 6 5 7)");
  std::vector<uint32_t> order;
  for (const MessageSummary& m : updating.searches()[0].sorted) order.push_back(m.uid);
  EXPECT_EQ(order, (std::vector<uint32_t>{6, 2, 5, 1, 7}));

  // A flag change that makes uid 1 leave (\Deleted): removed at position 4.
  EXPECT_EQ(UpdatingSearches::Reconcile(updating.searches()[0], {{1, std::nullopt}}, view),
            "ESEARCH (TAG \"B1\") UID REMOVEFROM (4 1)");
}

TEST(UpdatingSearchesTest, CancelledAndClearedSearchesAreNotFollowed) {
  UpdatingSearches updating;
  updating.Touched(9);  // no search follows anything yet
  EXPECT_TRUE(updating.TakeTouched().empty());
  for (size_t i = 0; i < UpdatingSearches::kLimit; ++i) {
    UpdatingSearch search;
    search.tag = "T" + std::to_string(i);
    updating.Add(search);
  }
  EXPECT_TRUE(updating.full());
  EXPECT_TRUE(updating.HasTag("T3"));
  EXPECT_TRUE(updating.Cancel("T3"));
  EXPECT_FALSE(updating.Cancel("T3"));
  EXPECT_FALSE(updating.HasTag("T3"));
  EXPECT_FALSE(updating.full());
  updating.Clear();
  EXPECT_TRUE(updating.empty());
}

}  // namespace
}  // namespace mailvault::imap
