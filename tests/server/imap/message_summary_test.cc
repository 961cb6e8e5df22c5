// What SORT and THREAD read of a message: address keys, display names,
// base subject, sent date, message ids.
#include "server/imap/message_summary.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/unicode_casemap.h"

namespace mailvault::imap {
namespace {

using Strings = std::vector<std::string>;

MessageSummary Summarize(std::string_view message) {
  MessageMeta meta;
  meta.uid = 7;
  meta.internal_date = 1000;
  meta.size = message.size();
  MessageSummary summary = SummarizeMeta(3, meta);
  Result<MessageStructure> parsed = MessageStructure::Parse(message);
  EXPECT_TRUE(parsed.ok());
  if (parsed.ok()) SummarizeContent(*parsed, summary);
  return summary;
}

TEST(MessageSummaryTest, ReadsWhatSortAndThreadCompare) {
  const MessageSummary s = Summarize(
      "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
      "From: =?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\r\n"
      "To: team: <bob@example.net>, carol@example.com;\r\n"
      "Cc: (nobody)\r\n"
      "Subject: =?UTF-8?Q?Re=3A_=5Blist=5D_Fwd=3A_Gr=C3=BC=C3=9Fe?=\r\n"
      "Message-ID: <m3@example.org>\r\n"
      "References: <m1@example.org>\r\n"
      " junk <m2@example.org> <not-an-id>\r\n"
      "In-Reply-To: <ignored@example.org>\r\n"
      "\r\n"
      "body\r\n");
  EXPECT_EQ(s.seq, 3u);
  EXPECT_EQ(s.uid, 7u);
  EXPECT_EQ(s.arrival, 1000);
  EXPECT_EQ(s.sent_date, 760686745);  // 1994-02-08 05:52:25 UTC
  EXPECT_EQ(s.subject, UnicodeCasemapKey("Gr\xC3\xBC\xC3\x9F"
                                         "e"));
  EXPECT_TRUE(s.reply_or_forward);
  EXPECT_EQ(s.from, UnicodeCasemapKey("pirard"));
  EXPECT_EQ(s.to, UnicodeCasemapKey("bob"));  // the group's first member
  EXPECT_EQ(s.cc, "");
  EXPECT_EQ(s.display_from, UnicodeCasemapKey("Andr\xC3\xA9 Pirard"));
  EXPECT_EQ(s.display_to, UnicodeCasemapKey("bob@example.net"));  // no name: the addr-spec
  EXPECT_EQ(s.message_id, "<m3@example.org>");
  EXPECT_EQ(s.references, (Strings{"<m1@example.org>", "<m2@example.org>"}));
}

TEST(MessageSummaryTest, FallsBackToInReplyToAndInternalDate) {
  const MessageSummary s = Summarize(
      "Date: not a date\r\n"
      "In-Reply-To: Your message of Monday <parent@example.org> and <other@example.org>\r\n"
      "\r\n");
  EXPECT_EQ(s.sent_date, 1000);
  EXPECT_EQ(s.references, Strings{"<parent@example.org>"});
  EXPECT_EQ(s.message_id, "");
  EXPECT_EQ(s.subject, "");
  EXPECT_FALSE(s.reply_or_forward);
}

TEST(MessageSummaryTest, ParsesOnlyValidMessageIds) {
  EXPECT_EQ(ParseMessageIds("<a@b> <c@d>"), (Strings{"<a@b>", "<c@d>"}));
  EXPECT_EQ(ParseMessageIds("<a@b><c@d>"), (Strings{"<a@b>", "<c@d>"}));
  EXPECT_EQ(ParseMessageIds("<no-at> <@b> <a@> <a@b@c> <a b@c> <<x@y>"), Strings{"<x@y>"});
  EXPECT_EQ(ParseMessageIds("(comment) <\"q\"@b> <a@[1.2.3.4]>"), Strings{"<a@[1.2.3.4]>"});
  EXPECT_EQ(ParseMessageIds("<unterminated@x"), Strings{});
  EXPECT_EQ(ParseMessageIds(""), Strings{});
}

}  // namespace
}  // namespace mailvault::imap
