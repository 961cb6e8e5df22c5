#include "common/mail/header_summary.h"

#include <gtest/gtest.h>

namespace mailvault {
namespace {

TEST(HeaderSummaryTest, ReadsTheListingFieldsAndUnfolds) {
  const std::string message =
      "Received: from mx by vault\r\n"
      "From: Bob <bob@example.org>\r\n"
      "To: alice@example.com,\r\n carol@example.com\r\n"
      "subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
      "Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n"
      "Message-ID: <abc@example.org>\r\n"
      "\r\n"
      "From: not a header\r\n";
  const MessageSummary s = SummarizeMessage(message);
  EXPECT_EQ(s.from, "Bob <bob@example.org>");
  EXPECT_EQ(s.to, "alice@example.com, carol@example.com");
  EXPECT_EQ(s.subject, "=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=");
  EXPECT_EQ(s.date, "Mon, 23 Nov 2026 10:00:00 +0000");
  EXPECT_EQ(s.message_id, "<abc@example.org>");
  EXPECT_EQ(s.size, message.size());
  EXPECT_FALSE(s.has_attachment);
}

TEST(HeaderSummaryTest, MultipartMixedHasAnAttachment) {
  const MessageSummary s = SummarizeMessage(
      "Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nhi\n--x--\n");
  EXPECT_TRUE(s.has_attachment);
}

TEST(HeaderSummaryTest, GarbageGivesEmptyFieldsNotACrash) {
  for (std::string_view junk : {std::string_view(""), std::string_view("\r\n"),
                                std::string_view("no colon here\r\nFrom"),
                                std::string_view("From:\r\n \r\n")}) {
    const MessageSummary s = SummarizeMessage(junk);
    EXPECT_EQ(s.size, junk.size());
  }
}

TEST(HeaderSummaryTest, LongFieldsAreCapped) {
  const MessageSummary s = SummarizeMessage("Subject: " + std::string(100000, 'x') + "\r\n\r\n");
  EXPECT_EQ(s.subject.size(), 2048u);
}

}  // namespace
}  // namespace mailvault
