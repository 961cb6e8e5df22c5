// IDLE and AUTHENTICATE continuation lines.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/imap/receiver.h"
#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

using testing::ReceiveAll;

std::string NextEvent(ImapReceiver& receiver) { return DescribeEvent(receiver.Next()); }

TEST(ReceiverModesTest, IdleEndsWithDoneInAnyCase) {
  for (const char* done : {"DONE\r\n", "done\r\n", "Done\n"}) {
    ImapReceiver receiver(ReceiverLimits::PostAuth());
    receiver.Feed("a1 IDLE\r\n");
    EXPECT_EQ(NextEvent(receiver), "COMMAND a1 IDLE");
    receiver.SetMode(ReceiverMode::kIdle);
    EXPECT_EQ(NextEvent(receiver), "NEED");
    receiver.Feed(done);
    EXPECT_EQ(NextEvent(receiver), "DONE");
    EXPECT_EQ(receiver.mode(), ReceiverMode::kCommand);
  }
}

TEST(ReceiverModesTest, PipelinedDoneAndNextCommandInOneRead) {
  ImapReceiver receiver(ReceiverLimits::PostAuth());
  receiver.Feed("a1 IDLE\r\nDONE\r\na2 NOOP\r\n");
  EXPECT_EQ(NextEvent(receiver), "COMMAND a1 IDLE");
  receiver.SetMode(ReceiverMode::kIdle);
  EXPECT_EQ(NextEvent(receiver), "DONE");
  EXPECT_EQ(NextEvent(receiver), "COMMAND a2 NOOP");
  EXPECT_EQ(NextEvent(receiver), "NEED");
}

TEST(ReceiverModesTest, AnythingButDoneEndsIdleWithAnError) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a2 NOOP\r\n", "ERROR BAD continue tag= expected DONE to end IDLE"},
      {"DONE \r\n", "ERROR BAD continue tag= expected DONE to end IDLE"},
      {"\r\n", "ERROR BAD continue tag= expected DONE to end IDLE"},
      {std::string("DO\0NE\r\n", 7), "ERROR BAD continue tag= NUL byte at offset 2 in line"},
  };
  for (const auto& [line, expected] : cases) {
    ImapReceiver receiver(ReceiverLimits::PostAuth());
    receiver.SetMode(ReceiverMode::kIdle);
    receiver.Feed(line + "a3 NOOP\r\n");
    EXPECT_EQ(NextEvent(receiver), expected) << line;
    EXPECT_EQ(NextEvent(receiver), "COMMAND a3 NOOP") << line;
  }
}

TEST(ReceiverModesTest, AuthenticateLinesAreDecodedOrCancelled) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"dXNlcg==\r\n", "AUTH QUOTED(\"user\")"},
      {"dXNlcg\r\n", "AUTH QUOTED(\"user\")"},  // unpadded, as some clients send
      {"\r\n", "AUTH QUOTED(\"\")"},
      {"*\r\n", "AUTH cancelled"},
      {"d*Nlcg==\r\n",
       "ERROR BAD continue tag= invalid AUTHENTICATE response: invalid character "
       "in base64"},
      {"dXNlcg=\r\n",
       "ERROR BAD continue tag= invalid AUTHENTICATE response: invalid base64 "
       "padding"},
      {"dXNlcr==\r\n",
       "ERROR BAD continue tag= invalid AUTHENTICATE response: non-zero trailing "
       "bits in base64"},
  };
  for (const auto& [line, expected] : cases) {
    ImapReceiver receiver(ReceiverLimits::PreAuth());
    receiver.SetMode(ReceiverMode::kAuthenticate);
    receiver.Feed(line + "a2 NOOP\r\n");
    EXPECT_EQ(NextEvent(receiver), expected) << line;
    EXPECT_EQ(receiver.mode(), ReceiverMode::kCommand);
    EXPECT_EQ(NextEvent(receiver), "COMMAND a2 NOOP") << line;
  }
}

TEST(ReceiverModesTest, AuthenticateLinesHaveTheirOwnLengthLimit) {
  ReceiverLimits limits = ReceiverLimits::PreAuth();
  // A 12 KiB GSSAPI token is longer than a pre-login command line may be.
  ImapReceiver receiver(limits);
  receiver.SetMode(ReceiverMode::kAuthenticate);
  receiver.Feed(std::string(12 * 1024, 'A') + "\r\n");
  EXPECT_EQ(NextEvent(receiver).substr(0, 5), "AUTH ");

  ImapReceiver overlong(limits);
  overlong.SetMode(ReceiverMode::kAuthenticate);
  overlong.Feed(std::string(limits.max_authenticate_line_length + 10, 'A'));
  EXPECT_EQ(NextEvent(overlong), "ERROR BAD continue tag= line too long (limit 16384 bytes)");
  EXPECT_EQ(overlong.mode(), ReceiverMode::kCommand);
  overlong.Feed("AAAA {3+}\r\na2 NOOP\r\n");  // no literal to skip on a SASL line
  EXPECT_EQ(NextEvent(overlong), "COMMAND a2 NOOP");
}

TEST(ReceiverModesTest, ModeChangeIsIgnoredInTheMiddleOfACommand) {
  ImapReceiver receiver(ReceiverLimits::PostAuth());
  receiver.Feed("a1 LOGIN {4}\r\n");
  EXPECT_EQ(NextEvent(receiver), "LITERAL 4 sync");
  receiver.SetMode(ReceiverMode::kIdle);
  EXPECT_EQ(receiver.mode(), ReceiverMode::kCommand);
  receiver.Feed("DONE x\r\n");
  EXPECT_EQ(NextEvent(receiver), "COMMAND a1 LOGIN LIT(4:DONE) ATOM(x)");
}

}  // namespace
}  // namespace mailvault::imap
