// SORT's ordering (RFC 5256, RFC 5957) on hand-made summaries.
#include "server/imap/message_sort.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/imap/mime/unicode_casemap.h"

namespace mailvault::imap {
namespace {

struct Mail {
  int64_t arrival;
  uint64_t size;
  int64_t date;
  std::string subject, from;
};

std::string Sorted(const std::vector<Mail>& mails, const std::vector<SortCriterion>& criteria) {
  std::vector<MessageSummary> summaries;
  for (const Mail& mail : mails) {
    MessageSummary m;
    m.seq = static_cast<uint32_t>(summaries.size() + 1);
    m.uid = m.seq * 10;  // mailbox order: uids ascend with sequence numbers
    m.arrival = mail.arrival;
    m.size = mail.size;
    m.sent_date = mail.date;
    m.subject = UnicodeCasemapKey(mail.subject);
    m.from = UnicodeCasemapKey(mail.from);
    m.display_from = m.from;
    summaries.push_back(std::move(m));
  }
  SortMessages(summaries, criteria);
  std::string out;
  for (const MessageSummary& m : summaries) out += (out.empty() ? "" : " ") + std::to_string(m.seq);
  return out;
}

TEST(MessageSortTest, SortsByEachKeyWithMailboxOrderForTies) {
  const std::vector<Mail> mails = {
      {30, 500, 10, "lunch", "carol"},
      {10, 100, 30, "Budget", "alice"},
      {20, 500, 20, "", "Bob"},
      {20, 300, 10, "LUNCH", ""},
  };
  using K = SortKey;
  EXPECT_EQ(Sorted(mails, {{K::kArrival}}), "2 3 4 1");
  EXPECT_EQ(Sorted(mails, {{K::kArrival, true}}), "1 3 4 2");  // ties stay in mailbox order
  EXPECT_EQ(Sorted(mails, {{K::kSize}}), "2 4 1 3");
  EXPECT_EQ(Sorted(mails, {{K::kDate}}), "1 4 3 2");
  EXPECT_EQ(Sorted(mails, {{K::kDate, true}}), "2 3 1 4");
  // An empty subject or address sorts first; case does not matter.
  EXPECT_EQ(Sorted(mails, {{K::kSubject}}), "3 2 1 4");
  EXPECT_EQ(Sorted(mails, {{K::kFrom}}), "4 2 3 1");
  EXPECT_EQ(Sorted(mails, {{K::kDisplayFrom, true}}), "1 3 2 4");
  // RFC 5256's (SUBJECT REVERSE DATE): REVERSE binds to DATE alone.
  EXPECT_EQ(Sorted(mails, {{K::kSubject}, {K::kDate, true}}), "3 2 1 4");
  EXPECT_EQ(Sorted(mails, {{K::kSize, true}, {K::kArrival}}), "3 1 4 2");
  EXPECT_EQ(Sorted({}, {{K::kArrival}}), "");
}

}  // namespace
}  // namespace mailvault::imap
