// THREAD=ORDEREDSUBJECT and THREAD=REFERENCES (RFC 5256 section 3) on
// hand-made summaries, one case per rule of the algorithms, checked on the
// THREAD response text.
#include "server/imap/message_threads.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/imap/base_subject.h"
#include "server/imap/mime/unicode_casemap.h"

namespace mailvault::imap {
namespace {

struct Mail {
  std::string subject;
  int64_t date;
  std::string id;
  std::vector<std::string> references;
};

// Sequence numbers 1..n in order; uids are 100 + seq.
std::vector<MessageSummary> Summaries(const std::vector<Mail>& mails) {
  std::vector<MessageSummary> out;
  for (const Mail& mail : mails) {
    MessageSummary m;
    m.seq = static_cast<uint32_t>(out.size() + 1);
    m.uid = 100 + m.seq;
    m.sent_date = mail.date;
    const BaseSubject base = ExtractBaseSubject(mail.subject);
    m.subject = UnicodeCasemapKey(base.text);
    m.reply_or_forward = base.reply_or_forward;
    m.message_id = mail.id;
    m.references = mail.references;
    out.push_back(std::move(m));
  }
  return out;
}

std::string References(const std::vector<Mail>& mails) {
  const std::vector<MessageSummary> summaries = Summaries(mails);
  return FormatThreads(ThreadByReferences(summaries), false);
}

std::string OrderedSubject(const std::vector<Mail>& mails) {
  const std::vector<MessageSummary> summaries = Summaries(mails);
  return FormatThreads(ThreadByOrderedSubject(summaries), false);
}

TEST(ThreadFormatTest, WritesChainsInlineAndBranchesAsNestedLists) {
  // RFC 5256 section 4's example: (2)(3 6 (4 23)(44 7 96)).
  std::vector<MessageSummary> m(7);
  const uint32_t numbers[] = {2, 3, 6, 4, 23, 44, 7};
  for (size_t i = 0; i < m.size(); ++i) m[i].seq = numbers[i];
  MessageSummary m96;
  m96.seq = 96;
  m96.uid = 960;
  ThreadForest forest;
  auto add = [&](const MessageSummary* message, std::vector<uint32_t> children) {
    forest.nodes.push_back({message, std::move(children)});
    return static_cast<uint32_t>(forest.nodes.size() - 1);
  };
  const uint32_t n96 = add(&m96, {});
  const uint32_t n7 = add(&m[6], {n96});
  const uint32_t n44 = add(&m[5], {n7});
  const uint32_t n23 = add(&m[4], {});
  const uint32_t n4 = add(&m[3], {n23});
  const uint32_t n6 = add(&m[2], {n4, n44});
  forest.roots = {add(&m[0], {}), add(&m[1], {n6})};
  EXPECT_EQ(FormatThreads(forest, false), "(2)(3 6 (4 23)(44 7 96))");
  // A dummy at the top is only its children.
  forest.roots = {add(nullptr, {n4, n44})};
  EXPECT_EQ(FormatThreads(forest, false), "((4 23)(44 7 96))");
  EXPECT_EQ(FormatThreads(ThreadForest{}, false), "");
}

TEST(ThreadFormatTest, WritesUidsForUidThread) {
  const std::vector<MessageSummary> summaries =
      Summaries({{"a", 1, "<1@x>", {}}, {"Re: a", 2, "<2@x>", {"<1@x>"}}, {"b", 3, "<3@x>", {}}});
  EXPECT_EQ(FormatThreads(ThreadByReferences(summaries), true), "(101 102)(103)");
}

TEST(OrderedSubjectTest, GroupsByBaseSubjectAndOrdersByFirstDate) {
  EXPECT_EQ(OrderedSubject({
                {"Lunch", 10, "", {}},
                {"Budget", 5, "", {}},
                {"Re: lunch", 30, "", {}},
                {"[list] Fwd: LUNCH (fwd)", 20, "", {}},
                {"Budget", 40, "", {}},
                {"Other", 1, "", {}},
            }),
            // Children follow their first message, by date; one child is inline.
            "(6)(2 5)(1 (4)(3))");
  // Equal dates keep mailbox order.
  EXPECT_EQ(OrderedSubject({{"x", 7, "", {}}, {"x", 7, "", {}}, {"y", 7, "", {}}}), "(1 2)(3)");
  EXPECT_EQ(OrderedSubject({}), "");
}

TEST(ReferencesTest, LinksRepliesByReferencesAndInReplyTo) {
  EXPECT_EQ(References({
                {"Lunch", 1, "<a@x>", {}},
                {"Re: Lunch", 2, "<b@x>", {"<a@x>"}},
                {"Re: Lunch", 3, "<c@x>", {"<a@x>", "<b@x>"}},
                {"Re: Lunch", 4, "<d@x>", {"<a@x>"}},
            }),
            "(1 (2 3)(4))");
}

TEST(ReferencesTest, ThreadsUnderADummyForAMissingParent) {
  // The root message is not in the mailbox: its two replies hang from a
  // dummy, which stays because it has more than one child.
  EXPECT_EQ(References({
                {"Re: Gone", 2, "<b@x>", {"<gone@x>"}},
                {"Re: Gone", 3, "<c@x>", {"<gone@x>"}},
            }),
            "((1)(2))");
  // With a single child the dummy is pruned and the child is a root.
  EXPECT_EQ(References({{"Re: Gone", 2, "<b@x>", {"<gone@x>"}}}), "(1)");
  // A dummy inside a thread gives its children to its parent.
  EXPECT_EQ(References({
                {"Top", 1, "<a@x>", {}},
                {"Re: Top", 3, "<c@x>", {"<a@x>", "<missing@x>"}},
                {"Re: Top", 4, "<d@x>", {"<a@x>", "<missing@x>"}},
            }),
            "(1 (2)(3))");
}

TEST(ReferencesTest, TheLastReferenceWinsOverEarlierLinks) {
  // Message 3's References say b is a child of a; message 2 (b) itself
  // says it replies to z: step 1(B) for b takes precedence.
  EXPECT_EQ(References({
                {"Re: q", 3, "<c@x>", {"<a@x>", "<b@x>"}},
                {"Re: q", 2, "<b@x>", {"<z@x>"}},
                {"q", 1, "<z@x>", {}},
                {"q", 0, "<a@x>", {}},
            }),
            // a (4) and z (3) both have subject "q": the later joins the
            // thread of the earlier under a dummy, since neither is a reply.
            "((4)(3 2 1))");
}

TEST(ReferencesTest, RefusesLoopsAndDuplicateMessageIds) {
  // a says it replies to b, b to a: the second link would be a loop.
  EXPECT_EQ(References({
                {"x", 1, "<a@x>", {"<b@x>"}},
                {"y", 2, "<b@x>", {"<a@x>"}},
            }),
            "(2 1)");
  // A message referencing itself.
  EXPECT_EQ(References({{"x", 1, "<a@x>", {"<a@x>"}}}), "(1)");
  // The second message with an id is unique: replies go to the first.
  EXPECT_EQ(References({
                {"one", 1, "<a@x>", {}},
                {"two", 2, "<a@x>", {}},
                {"Re: one", 3, "<c@x>", {"<a@x>"}},
            }),
            "(1 3)(2)");
  // No Message-ID at all: each is alone.
  EXPECT_EQ(References({{"p", 1, "", {}}, {"q", 2, "", {}}}), "(1)(2)");
}

TEST(ReferencesTest, GathersRootsWithTheSameBaseSubject) {
  // (5)(C): a reply whose parent is missing joins the original by subject,
  // as a child, since it is a reply and the original is not.
  EXPECT_EQ(References({
                {"Lunch", 1, "<a@x>", {}},
                {"Re: Lunch", 2, "<b@x>", {"<elsewhere@x>"}},
                {"Unrelated", 3, "<c@x>", {}},
            }),
            "(1 2)(3)");
  // Two originals with the same subject: a dummy holds both.
  EXPECT_EQ(References({{"Lunch", 1, "<a@x>", {}}, {"lunch", 2, "<b@x>", {}}}), "((1)(2))");
  // The table prefers the message that is not a reply: the reply, though
  // earlier, becomes its child.
  EXPECT_EQ(References({{"Re: Lunch", 1, "<a@x>", {}}, {"Lunch", 2, "<b@x>", {}}}), "(2 1)");
  // A dummy root takes a same-subject message as a child of the dummy.
  EXPECT_EQ(References({
                {"Re: Lunch", 2, "<b@x>", {"<gone@x>"}},
                {"Re: Lunch", 3, "<c@x>", {"<gone@x>"}},
                {"Lunch", 1, "<d@x>", {}},
            }),
            "((3)(1)(2))");
  // An empty base subject gathers nothing.
  EXPECT_EQ(References({{"Re:", 1, "<a@x>", {}}, {"", 2, "<b@x>", {}}}), "(1)(2)");
}

TEST(ReferencesTest, SortsSiblingsAndThreadsBySentDate) {
  EXPECT_EQ(References({
                {"late", 50, "<l@x>", {}},
                {"Re: early", 30, "<r2@x>", {"<e@x>"}},
                {"early", 10, "<e@x>", {}},
                {"Re: early", 20, "<r1@x>", {"<e@x>"}},
            }),
            "(3 (4)(2))(1)");
}

TEST(ReferencesTest, ALongChainNeedsNoDeepRecursion) {
  std::vector<Mail> mails;
  std::vector<std::string> refs;
  for (int i = 0; i < 100000; ++i) {
    const std::string id = "<" + std::to_string(i) + "@x>";
    mails.push_back({i == 0 ? "chain" : "Re: chain", i, id, {}});
    if (i > 0) mails.back().references = {"<" + std::to_string(i - 1) + "@x>"};
  }
  const std::string threads = References(mails);
  EXPECT_EQ(threads.substr(0, 8), "(1 2 3 4");
  EXPECT_EQ(threads.substr(threads.size() - 8), " 100000)");
}

}  // namespace
}  // namespace mailvault::imap
