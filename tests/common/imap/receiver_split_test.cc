// The receiver's answer must not depend on how TCP cut the bytes.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tests/fuzz/fuzz_checks.h"
#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

using namespace std::string_literals;

// A session's worth of traffic: literals of every kind, pipelining, IDLE,
// AUTHENTICATE, refused lines with resync, an overlong line.
const std::vector<std::string>& Scripts() {
  static const std::vector<std::string> scripts = {
      "a1 LOGIN {4}\r\nuser {4+}\r\npass\r\n"
      "a2 SELECT \"INBOX\"\r\n"
      "a3 APPEND Drafts (\\Seen) \" 1-Jan-2024 10:00:00 +0100\" ~{5+}\r\na\0b\r\n\r\n"
      "a4 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>) (CHANGEDSINCE 5)\r\n"
      "a5 IDLE\r\nDONE\r\n"
      "a6 SEARCH RETURN (MIN COUNT) CHARSET UTF-8 OR FROM {3+}\r\nbob NOT SEEN\r\n"
      "a7 STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\n"
      "a8 LOGOUT\r\n"s,

      "b1 AUTHENTICATE PLAIN\r\nAHVzZXIAcGFzcw==\r\n"
      "b2 NO\0OP\r\n"
      "b3 X \x01 {3+}\r\nabc {2+}\r\nde\r\n"
      "b4 NOOP\n"
      "b5 LIST (SUBSCRIBED) \"\" (INBOX% \"Sent*\") RETURN (CHILDREN STATUS (MESSAGES))\r\n"
      "b6 AUTHENTICATE PLAIN\r\n*\r\n"
      "b7 X {5}\r\nhello\r\n"s,

      "c1 X " + std::string(70000, 'a') + " {4+}\r\nabcd\r\nc2 NOOP\r\n" +
          "c3 LOGIN {100000}\r\nc4 NOOP\r\n" + "c5 IDLE\r\nnope\r\nc6 CAPABILITY\r\n",
  };
  return scripts;
}

std::string Join(const std::vector<std::string>& events) {
  std::string out;
  for (const std::string& event : events) out += event + "\n";
  return out;
}

TEST(ReceiverSplitTest, ByteByByteEqualsOneRead) {
  const size_t one[] = {1};
  for (const std::string& script : Scripts()) {
    const std::vector<std::string> whole = testing::DriveReceiver(script, {});
    ASSERT_GE(whole.size(), 6u) << Join(whole);
    EXPECT_EQ(Join(testing::DriveReceiver(script, one)), Join(whole));
  }
}

TEST(ReceiverSplitTest, EverySplitPointEqualsOneRead) {
  for (const std::string& script : Scripts()) {
    const std::string whole = Join(testing::DriveReceiver(script, {}));
    for (size_t cut = 1; cut < script.size(); cut += (script.size() > 2000 ? 97 : 1)) {
      const size_t chunks[] = {cut, script.size()};
      ASSERT_EQ(Join(testing::DriveReceiver(script, chunks)), whole) << "cut at " << cut;
    }
  }
}

TEST(ReceiverSplitTest, RandomSplitsEqualOneRead) {
  std::mt19937 rng(1234);
  for (const std::string& script : Scripts()) {
    const std::string whole = Join(testing::DriveReceiver(script, {}));
    for (int round = 0; round < 50; ++round) {
      std::vector<size_t> chunks;
      for (int i = 0; i < 16; ++i) chunks.push_back(1 + rng() % 40);
      ASSERT_EQ(Join(testing::DriveReceiver(script, chunks)), whole) << "round " << round;
    }
  }
}

TEST(ReceiverSplitTest, ScriptOutcomesAreTheExpectedOnes) {
  const std::vector<std::string> events = testing::DriveReceiver(Scripts()[0], {});
  const std::string all = Join(events);
  EXPECT_NE(all.find("COMMAND a1 LOGIN LIT(4:user) LIT(4:pass)\nARGS ok\n"), std::string::npos)
      << all;
  EXPECT_NE(all.find("LITERAL 5 nonsync literal8\nCOMMAND a3 APPEND ATOM(Drafts) "
                     "LIST(ATOM(\\Seen)) QUOTED(\" 1-Jan-2024 10:00:00 +0100\") LIT8(5:a\\x00b"
                     "\\x0D\\x0A)\nARGS ok\n"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("COMMAND a5 IDLE\nARGS ok\nDONE\n"), std::string::npos) << all;
  EXPECT_NE(all.find("COMMAND a8 LOGOUT"), std::string::npos) << all;
  EXPECT_EQ(all.find("ERROR"), std::string::npos) << all;

  const std::string second = Join(testing::DriveReceiver(Scripts()[1], {}));
  EXPECT_NE(second.find("AUTH QUOTED(\"\\x00user\\x00pass\")\n"), std::string::npos) << second;
  EXPECT_NE(second.find("ERROR BAD continue tag=b2 NUL byte"), std::string::npos) << second;
  EXPECT_NE(second.find("COMMAND b4 NOOP"), std::string::npos) << second;
  EXPECT_NE(second.find("AUTH cancelled\n"), std::string::npos) << second;
  EXPECT_NE(second.find("COMMAND b7 X LIT(5:hello)"), std::string::npos) << second;

  const std::string third = Join(testing::DriveReceiver(Scripts()[2], {}));
  EXPECT_EQ(third,
            "ERROR BAD continue tag=c1 line too long (limit 65536 bytes)\n"
            "COMMAND c2 NOOP\nARGS ok\n"
            "ERROR BAD continue tag=c3 [TOOBIG] literal of 100000 bytes exceeds the limit of "
            "8192 bytes\n"
            "COMMAND c4 NOOP\nARGS ok\n"
            "COMMAND c5 IDLE\nARGS ok\n"
            "ERROR BAD continue tag= expected DONE to end IDLE\n"
            "COMMAND c6 CAPABILITY\nARGS ok\n");
}

// The fuzz properties over random garbage biased towards IMAP syntax, so
// that gcc-only ctest runs get a taste of what the fuzzer does.
TEST(ReceiverSplitTest, RandomGarbageKeepsTheFuzzProperties) {
  static constexpr std::string_view kPieces[] = {"a1 ",
                                                 "FETCH ",
                                                 "1:* ",
                                                 "(",
                                                 ")",
                                                 "[",
                                                 "]",
                                                 "{3}\r\n",
                                                 "{2+}\r\n",
                                                 "~{1}\r\n",
                                                 "\"",
                                                 "\\",
                                                 "\r\n",
                                                 "\n",
                                                 "\r",
                                                 " ",
                                                 "NIL",
                                                 "BODY[",
                                                 "<0.5>",
                                                 "UID ",
                                                 "IDLE\r\n",
                                                 "DONE\r\n",
                                                 "AUTHENTICATE X\r\n",
                                                 "LOGIN a b\r\n",
                                                 "SEARCH ",
                                                 "NOT ",
                                                 "OR ",
                                                 std::string_view("\0", 1),
                                                 "\xC3\xA4",
                                                 "&AOQ-",
                                                 "*",
                                                 "%",
                                                 "$"};
  std::mt19937 rng(99);
  for (int round = 0; round < 2000; ++round) {
    std::string input;
    const int pieces = 1 + static_cast<int>(rng() % 60);
    for (int i = 0; i < pieces; ++i) {
      if (rng() % 4 == 0) {
        input.push_back(static_cast<char>(rng() % 256));
      } else {
        input.append(kPieces[rng() % std::size(kPieces)]);
      }
    }
    ASSERT_EQ(fuzz::CheckImapReceiver(input), "") << "round " << round;
  }
}

}  // namespace
}  // namespace mailvault::imap
