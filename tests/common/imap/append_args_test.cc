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
    for (const CatenatePart& part : message.catenate) {
      out += part.kind == CatenatePart::Kind::kUrl
                 ? " url=" + part.text
                 : (part.binary ? " text8=" : " text=") + std::to_string(part.text.size());
    }
    if (message.catenated()) continue;
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
       "error: APPEND: the message contains a NUL byte; send it as literal8 (~{n}) with BINARY"},
      {"a APPEND INBOX {1}\r\nx extra",
       "error: APPEND: expected the message as a literal ({n} or ~{n}), got atom extra"},
      {"a APPEND ~{5}\r\nINBOX {1}\r\nx",
       "error: APPEND: literal8 (~{n}) is only allowed for APPEND message data"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

// RFC 3502 section 6.3.11's example: two messages, each with its flags and
// date, the second announced after the first literal.
TEST(AppendArgsTest, ParsesTheMultiappendExampleOfRfc3502) {
  const std::string first =
      "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
      "From: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n"
      "Subject: afternoon meeting\r\n"
      "To: mooch@owatagu.example.net\r\n"
      "Message-Id: <B27397-0100000@Blurdybloop.example.COM>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n"
      "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";
  const std::string second =
      "Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)\r\n"
      "From: Joe Mooch <mooch@OWaTaGU.example.net>\r\n"
      "Subject: Re: afternoon meeting\r\n"
      "To: foobar@blurdybloop.example.com\r\n"
      "Message-Id: <a0434793874930@OWaTaGU.example.net>\r\n"
      "MIME-Version: 1.0\r\n"
      "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\r\n"
      "3:30 is fine with me.\r\n";
  const std::string line = "A003 APPEND saved-messages (\\Seen) {" + std::to_string(first.size()) +
                           "}\r\n" + first + " (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {" +
                           std::to_string(second.size()) + "}\r\n" + second;
  EXPECT_EQ(Parse(line), "mailbox=saved-messages [\\Seen] data=" + std::to_string(first.size()) +
                             " [\\Seen] date=760689784/-480 data=" + std::to_string(second.size()));
}

// RFC 4469 section 5's example: URL and TEXT parts, mixed, in one message.
TEST(AppendArgsTest, ParsesTheCatenateExampleOfRfc4469) {
  const std::string boundary = "\r\n--------------030308070208000400050907\r\n";
  const std::string line =
      "A003 APPEND Drafts (\\Seen \\Draft $MDNSent) CATENATE "
      "(URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\" TEXT {42}\r\n" +
      boundary +
      " URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\" "
      "URL \"/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\" TEXT {42}\r\n" +
      boundary + " URL \"/Drafts;UIDVALIDITY=385759045/;UID=30\" TEXT {44}\r\n" +
      "\r\n--------------030308070208000400050907--\r\n)";
  EXPECT_EQ(Parse(line),
            "mailbox=Drafts [\\Seen,\\Draft,$MDNSent]"
            " url=/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER text=42"
            " url=/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME"
            " url=/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1 text=42"
            " url=/Drafts;UIDVALIDITY=385759045/;UID=30 text=44");
}

TEST(AppendArgsTest, ParsesCatenateAmongPlainMessages) {
  const std::vector<Case> cases = {
      {"a APPEND INBOX CATENATE (TEXT {2}\r\nhi)", "mailbox=INBOX [] text=2"},
      {"a APPEND INBOX catenate (text ~{3}\r\na\0b url \"/INBOX;UID=1\")"s,
       "mailbox=INBOX [] text8=3 url=/INBOX;UID=1"},
      {"a APPEND INBOX {1}\r\nx (\\Seen) CATENATE (URL /INBOX/;UID=3) {2}\r\nyz",
       "mailbox=INBOX [] data=1 [\\Seen] url=/INBOX/;UID=3 [] data=2"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

TEST(AppendArgsTest, RefusesInvalidCatenatePrecisely) {
  const std::vector<Case> cases = {
      {"a APPEND INBOX CATENATE",
       "error: APPEND: CATENATE needs a parenthesised list of TEXT and URL parts"},
      {"a APPEND INBOX CATENATE ()", "error: APPEND: CATENATE needs at least one TEXT or URL part"},
      {"a APPEND INBOX CATENATE (TEXT)", "error: APPEND: CATENATE TEXT without its literal"},
      {"a APPEND INBOX CATENATE (URL)", "error: APPEND: CATENATE URL without a URL"},
      {"a APPEND INBOX CATENATE (TEXT \"hi\")",
       "error: APPEND: expected CATENATE TEXT as a literal ({n} or ~{n}), got quoted string"},
      {"a APPEND INBOX CATENATE (BODY {1}\r\nx)",
       "error: APPEND: expected TEXT or URL in CATENATE, got atom BODY"},
      {"a APPEND INBOX CATENATE (TEXT {3}\r\na\0b)"s,
       "error: APPEND: CATENATE TEXT contains a NUL byte; send it as literal8 (~{n}) with BINARY"},
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
