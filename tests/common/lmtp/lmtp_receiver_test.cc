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
        case Receiver::Event::kMessageBareLf:
          events.push_back("bare-lf:" + r.TakeMessage());  // nothing of it is kept
          break;
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

// Found by the lmtp fuzz target: a line of exactly max_line bytes was
// refused when its CR arrived in one read and its LF in the next.
TEST(LmtpReceiverTest, LineAtTheLimitPassesHoweverItIsSplit) {
  const std::string line = "NOOP " + std::string(4096 - 5, 'x');
  Receiver whole;
  whole.Feed(line + "\r\n");
  EXPECT_EQ(whole.Next(), Receiver::Event::kLine);
  Receiver split;
  split.Feed(line + "\r");
  EXPECT_EQ(split.Next(), Receiver::Event::kNeedMore);
  split.Feed("\n");
  EXPECT_EQ(split.Next(), Receiver::Event::kLine);
  EXPECT_EQ(split.line(), line);
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

// SMTP smuggling: a peer hides a second transaction behind an end of data
// that a lax receiver accepts and its MTA does not. Only CRLF "." CRLF ends
// DATA; the smuggled commands stay message data, and the message, which
// holds bare LFs, is refused whole.
TEST(LmtpReceiverTest, OnlyCrlfDotCrlfEndsDataAndABareLfRefusesTheMessage) {
  struct Case {
    const char* name;
    std::string data;
  };
  const std::string smuggled = "MAIL FROM:<evil@example.org>\r\nRCPT TO:<c@d>\r\nDATA\r\nforged\r\n";
  const std::vector<Case> cases = {
      {"LF . LF", "hello\n.\n" + smuggled},
      {"CRLF . LF", "hello\r\n.\n" + smuggled},
      {"LF . CRLF", "hello\n.\r\n" + smuggled},
      {"bare LF mid-message", "Subject: x\n\nhello\r\n"},
  };
  for (const Case& c : cases) {
    for (bool byte_by_byte : {true, false}) {
      Receiver r;
      std::vector<std::string> events;
      const std::string input = "DATA\r\n" + c.data + ".\r\nNOOP\r\n";
      if (byte_by_byte) {
        events = FeedByteByByte(r, input, true);
      } else {
        r.Feed(input);
        ASSERT_EQ(r.Next(), Receiver::Event::kLine) << c.name;
        r.StartData();
        events.push_back(r.Next() == Receiver::Event::kMessageBareLf ? "bare-lf:" : "other");
        ASSERT_EQ(r.Next(), Receiver::Event::kLine) << c.name;
        events.push_back("line:" + r.line());
        events.insert(events.begin(), "line:DATA");
      }
      const std::vector<std::string> expected = {"line:DATA", "bare-lf:", "line:NOOP"};
      EXPECT_EQ(events, expected) << c.name << (byte_by_byte ? " byte by byte" : " at once");
    }
  }
}

TEST(LmtpReceiverTest, CrlfSplitAcrossALongLineIsNotABareLf) {
  Receiver r({.max_line = 8, .max_message = 1 << 20});
  r.StartData();
  r.Feed(std::string(20, 'z') + "\r");  // taken in part: no LF for a long time
  EXPECT_EQ(r.Next(), Receiver::Event::kNeedMore);
  r.Feed("\n.\r\n");
  ASSERT_EQ(r.Next(), Receiver::Event::kMessage);
  EXPECT_EQ(r.TakeMessage(), std::string(20, 'z') + "\r\n");
}

TEST(LmtpReceiverTest, ABareCrInDataIsKeptAsData) {
  Receiver r;
  r.StartData();
  r.Feed("a\rb\r\n\r.\r\n.\r\n");
  ASSERT_EQ(r.Next(), Receiver::Event::kMessage);
  EXPECT_EQ(r.TakeMessage(), "a\rb\r\n\r.\r\n");
}

}  // namespace
}  // namespace mailvault::lmtp
