#include "common/imap/append_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

using namespace std::string_literals;

std::string Parse(std::string_view line) {
  ImapCommand command = testing::ReceiveCommand(line);
  if (command.name != "APPEND") return "no command: " + command.tag;
  Result<AppendArgs> args = ParseAppendArgs(std::move(command));
  if (!args.ok()) return "error: " + args.status().message();
  std::string out = "mailbox=" + args->mailbox;
  for (const AppendMessage& message : args->messages) {
    out += " [";
    for (size_t i = 0; i < message.flags.size(); ++i) out += (i > 0 ? "," : "") + message.flags[i];
    out += "]";
    if (message.internal_date.has_value()) {
      out += " date=" + std::to_string(message.internal_date->unix_seconds) + "/" +
             std::to_string(message.internal_date->zone_minutes);
    }
    out += message.binary ? " binary=" : " data=";
    out += std::to_string(message.data.size());
  }
  return out;
}

struct Case {
  std::string line;
  std::string expected;
};

TEST(AppendArgsTest, ParsesFlagsDateAndMessages) {
  const std::vector<Case> cases = {
      {"a APPEND INBOX {5}\r\nhello", "mailbox=INBOX [] data=5"},
      {"a APPEND \"Sent Mail\" (\\Seen \\seen $Sent) {5+}\r\nhello",
       "mailbox=Sent Mail [\\Seen,$Sent] data=5"},
      {"a APPEND Drafts () \"17-Jul-1996 02:44:25 -0700\" {2}\r\nhi",
       "mailbox=Drafts [] date=837596665/-420 data=2"},
      {"a APPEND Drafts \" 1-Jan-1970 00:00:00 +0000\" {2}\r\nhi",
       "mailbox=Drafts [] date=0/0 data=2"},
      {"a APPEND INBOX ~{3}\r\na\0b"s, "mailbox=INBOX [] binary=3"},
      // MULTIAPPEND: several messages in one command.
      {"a APPEND INBOX (\\Seen) {1}\r\na (\\Flagged) {2}\r\nbc {3}\r\ndef",
       "mailbox=INBOX [\\Seen] data=1 [\\Flagged] data=2 [] data=3"},
      {"a APPEND INBOX {0}\r\n", "mailbox=INBOX [] data=0"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

TEST(AppendArgsTest, RefusesInvalidAppendsPrecisely) {
  const std::vector<Case> cases = {
      {"a APPEND", "error: APPEND: missing mailbox name"},
      {"a APPEND INBOX", "error: APPEND: missing message literal"},
      {"a APPEND INBOX (\\Seen)", "error: APPEND: missing message literal"},
      {"a APPEND INBOX \"hello\"",
       "error: APPEND: invalid date-time \"hello\": expected \"dd-Mon-yyyy hh:mm:ss +zzzz\""},
      {"a APPEND INBOX \"17-Jul-1996 02:44:25 -0700\" message",
       "error: APPEND: expected the message as a literal ({n} or ~{n}), got atom message"},
      {"a APPEND INBOX (\\Recent) {1}\r\nx", "error: APPEND: \\Recent cannot be set by a client"},
      {"a APPEND INBOX {3}\r\na\0b"s,
       "error: APPEND: message contains a NUL byte; send it as literal8 (~{n}) with BINARY"},
      {"a APPEND INBOX {1}\r\nx extra",
       "error: APPEND: expected the message as a literal ({n} or ~{n}), got atom extra"},
      {"a APPEND ~{5}\r\nINBOX {1}\r\nx",
       "error: APPEND: literal8 (~{n}) is only allowed for APPEND message data"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

TEST(AppendArgsTest, MovesTheMessageInsteadOfCopyingIt) {
  ImapCommand command = testing::ReceiveCommand("a APPEND INBOX {" + std::to_string(1 << 20) +
                                                "}\r\n" + std::string(1 << 20, 'm'));
  ASSERT_EQ(command.name, "APPEND");
  const char* bytes = command.args[1].text.data();
  Result<AppendArgs> args = ParseAppendArgs(std::move(command));
  ASSERT_TRUE(args.ok());
  EXPECT_EQ(args->messages[0].data.data(), bytes);
}

}  // namespace
}  // namespace mailvault::imap
