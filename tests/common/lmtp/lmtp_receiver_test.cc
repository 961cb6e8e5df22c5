#include "common/lmtp/lmtp_receiver.h"

#include <gtest/gtest.h>

#include <vector>

namespace mailvault::lmtp {
namespace {

// Feeds `input` one byte at a time and records every event with its payload.
std::vector<std::string> FeedByteByByte(Receiver& r, std::string_view input, bool start_data_after_data) {
  std::vector<std::string> events;
  for (char c : input) {
    r.Feed(std::string_view(&c, 1));
    for (Receiver::Event e = r.Next(); e != Receiver::Event::kNeedMore; e = r.Next()) {
      switch (e) {
        case Receiver::Event::kLine:
          events.push_back("line:" + r.line());
          if (start_data_after_data && r.line() == "DATA") r.StartData();
          break;
        case Receiver::Event::kMessage: events.push_back("message:" + r.TakeMessage()); break;
        case Receiver::Event::kMessageTooBig: events.push_back("too-big"); break;
        case Receiver::Event::kLineTooLong: events.push_back("too-long"); break;
        case Receiver::Event::kBadLine: events.push_back("bad-line"); break;
        case Receiver::Event::kNeedMore: break;
      }
    }
  }
  return events;
}

TEST(LmtpReceiverTest, PipelinedTransactionByteByByte) {
  Receiver r;
  const auto events = FeedByteByByte(r,
                          "LHLO mx\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n"
                          "Subject: hi\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n",
                          true);
  const std::vector<std::string> expected = {
      "line:LHLO mx", "line:MAIL FROM:<a@b>", "line:RCPT TO:<c@d>", "line:DATA",
      "message:Subject: hi\r\n\r\n.leading dot\r\n", "line:QUIT"};
  EXPECT_EQ(events, expected);
}

TEST(LmtpReceiverTest, DotAloneOnlyEndsAtLineStart) {
  Receiver r;
  r.StartData();
  const auto events = FeedByteByByte(r, "a.\r\n.b\r\n. \r\n.\r\n", false);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0], "message:a.\r\nb\r\n \r\n");
}

TEST(LmtpReceiverTest, OverlongLineIsSkippedAndTheNextOneRead) {
  Receiver r({.max_line = 16, .max_message = 1000});
  const auto events = FeedByteByByte(r, std::string(100, 'x') + "\r\nNOOP\r\n", false);
  const std::vector<std::string> expected = {"too-long", "line:NOOP"};
  EXPECT_EQ(events, expected);
}

TEST(LmtpReceiverTest, NulOrBareCrIsABadLine) {
  Receiver r;
  const auto events = FeedByteByByte(r, std::string("NO\0OP\r\nNO\rOP\r\nNOOP\n", 20), false);
  const std::vector<std::string> expected = {"bad-line", "bad-line", "line:NOOP"};
  EXPECT_EQ(events, expected);
}

TEST(LmtpReceiverTest, MessageOverTheLimitIsReadToItsEndAndDropped) {
  Receiver r({.max_line = 512, .max_message = 10});
  r.StartData();
  const auto events = FeedByteByByte(r, "0123456789\r\nmore\r\n.\r\nNOOP\r\n", false);
  const std::vector<std::string> expected = {"too-big", "line:NOOP"};
  EXPECT_EQ(events, expected);
}

TEST(LmtpReceiverTest, LineWithoutEndInDataKeepsTheBufferBounded) {
  Receiver r({.max_line = 64, .max_message = 1 << 20});
  r.StartData();
  const std::string long_line(10000, 'y');
  r.Feed("." + long_line);  // a stuffed dot, then no LF for a long time
  EXPECT_EQ(r.Next(), Receiver::Event::kNeedMore);
  EXPECT_LE(r.buffered(), 64u);
  r.Feed(".\r\n.\r\n");  // the dot here is mid-line: kept
  ASSERT_EQ(r.Next(), Receiver::Event::kMessage);
  EXPECT_EQ(r.TakeMessage(), long_line + ".\r\n");
}

}  // namespace
}  // namespace mailvault::lmtp
