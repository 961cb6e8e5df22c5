// Lexing and framing: (wire bytes, expected events) tables.
#include "common/imap/receiver.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

using testing::ReceiveAll;
using namespace std::string_literals;

std::string Events(std::string_view input, ReceiverLimits limits = ReceiverLimits::PostAuth()) {
  ImapReceiver receiver(limits);
  std::string out;
  for (const ReceiverEvent& event : ReceiveAll(receiver, input)) {
    if (!out.empty()) out += " | ";
    out += DescribeEvent(event);
  }
  return out;
}

struct Case {
  std::string input;
  std::string expected;
};

TEST(ReceiverTest, LexesCommandsIntoTokenTrees) {
  const std::vector<Case> cases = {
      {"a1 NOOP\r\n", "COMMAND a1 NOOP"},
      {"a1 noop\r\n", "COMMAND a1 NOOP"},
      {"a1 NOOP   \r\n", "COMMAND a1 NOOP"},
      {"a2 UID fetch 1:* (FLAGS)\r\n", "COMMAND a2 UID FETCH ATOM(1:*) LIST(ATOM(FLAGS))"},
      {"a2 uid Move 5 Trash\r\n", "COMMAND a2 UID MOVE NUM(5) ATOM(Trash)"},
      {"a3 LOGIN \"us\\\"er\" \"p\\\\w\"\r\n",
       "COMMAND a3 LOGIN QUOTED(\"us\\\"er\") QUOTED(\"p\\\\w\")"},
      {"a3 LOGIN \"\" \"\"\r\n", "COMMAND a3 LOGIN QUOTED(\"\") QUOTED(\"\")"},
      {"a4 SELECT nil\r\n", "COMMAND a4 SELECT NIL"},
      {"a5 FETCH 1 BODY.PEEK[HEADER.FIELDS (FROM \"To\")]<0.100>\r\n",
       "COMMAND a5 FETCH NUM(1) SECTION(BODY.PEEK[ATOM(HEADER.FIELDS) LIST(ATOM(FROM) "
       "QUOTED(\"To\"))]<0.100>)"},
      {"a5 FETCH 1 (BODY[] BINARY.SIZE[1.2])\r\n",
       "COMMAND a5 FETCH NUM(1) LIST(SECTION(BODY[]) SECTION(BINARY.SIZE[ATOM(1.2)]))"},
      {"a6 SELECT [Gmail]/Drafts\r\n", "COMMAND a6 SELECT SECTION([ATOM(Gmail)]/Drafts)"},
      {"a7 CREATE foo[bar\r\n", "COMMAND a7 CREATE ATOM(foo[bar)"},
      {"a7 CREATE foo]bar\r\n", "COMMAND a7 CREATE ATOM(foo]bar)"},
      {"a8 STORE 1 +FLAGS (\\Seen $Junk)\r\n",
       "COMMAND a8 STORE NUM(1) ATOM(+FLAGS) LIST(ATOM(\\Seen) ATOM($Junk))"},
      {"a9 X 18446744073709551615 18446744073709551616 007\r\n",
       "COMMAND a9 X NUM(18446744073709551615) ATOM(18446744073709551616) NUM(7)"},
      {"b1 X (a (b (c)) d) () e\r\n",
       "COMMAND b1 X LIST(ATOM(a) LIST(ATOM(b) LIST(ATOM(c))) ATOM(d)) LIST() ATOM(e)"},
      {"b2 X ( a b )\r\n", "COMMAND b2 X LIST(ATOM(a) ATOM(b))"},
      {"b3 LIST \"\" %\r\n", "COMMAND b3 LIST QUOTED(\"\") ATOM(%)"},
      {"b4 SELECT \"Entw\xC3\xBCrfe\"\r\n", "COMMAND b4 SELECT QUOTED(\"Entw\\xC3\\xBCrfe\")"},
      {"b5 X \"tab\there\"\r\n", "COMMAND b5 X QUOTED(\"tab\\x09here\")"},
      // Bare LF ends a line too (see receiver.h).
      {"a1 NOOP\n", "COMMAND a1 NOOP"},
      {"\r\n\r\n\na1 NOOP\r\n", "COMMAND a1 NOOP"},
      {"a1 NOOP\r\na2 CAPABILITY\r\na3 LOGOUT\r\n",
       "COMMAND a1 NOOP | COMMAND a2 CAPABILITY | COMMAND a3 LOGOUT"},
  };
  for (const Case& c : cases) EXPECT_EQ(Events(c.input), c.expected) << c.input;
}

TEST(ReceiverTest, AnnouncesAndCollectsLiterals) {
  const std::vector<Case> cases = {
      {"a1 LOGIN {4}\r\nuser {4}\r\npass\r\n",
       "LITERAL 4 sync | LITERAL 4 sync | COMMAND a1 LOGIN LIT(4:user) LIT(4:pass)"},
      {"a1 LOGIN {4+}\r\nuser {4+}\r\npass\r\n",
       "LITERAL 4 nonsync | LITERAL 4 nonsync | COMMAND a1 LOGIN LIT(4:user) LIT(4:pass)"},
      {"a1 APPEND INBOX ~{3}\r\na\0b\r\n"s,
       "LITERAL 3 sync literal8 | COMMAND a1 APPEND ATOM(INBOX) LIT8(3:a\\x00b)"},
      {"a1 APPEND INBOX ~{3+}\r\nabc\r\n",
       "LITERAL 3 nonsync literal8 | COMMAND a1 APPEND ATOM(INBOX) LIT8(3:abc)"},
      {"a1 X (a {1}\r\nb c)\r\n", "LITERAL 1 sync | COMMAND a1 X LIST(ATOM(a) LIT(1:b) ATOM(c))"},
      {"a1 X {0}\r\n\r\n", "LITERAL 0 sync | COMMAND a1 X LIT(0:)"},
      // Literal bytes are opaque: CRLF, parentheses and NUL inside do not count.
      {"a1 X {6}\r\n)\r\n{1}\r\n", "LITERAL 6 sync | COMMAND a1 X LIT(6:)\\x0D\\x0A{1})"},
      {"a1 X {00003}\r\nabc\r\n", "LITERAL 3 sync | COMMAND a1 X LIT(3:abc)"},
      // LITERAL+ pipelined with the next command in one read.
      {"a1 LOGIN u {1+}\r\np\r\na2 NOOP\r\n",
       "LITERAL 1 nonsync | COMMAND a1 LOGIN ATOM(u) LIT(1:p) | COMMAND a2 NOOP"},
  };
  for (const Case& c : cases) EXPECT_EQ(Events(c.input), c.expected) << c.input;
}

// Every malformed line is refused with a precise message, and the receiver
// carries on with the next command.
TEST(ReceiverTest, RefusesMalformedLinesAndResyncs) {
  const std::vector<Case> cases = {
      {"a1 NO\0OP\r\n"s, "ERROR BAD continue tag=a1 NUL byte at offset 5 in command line"},
      {"a1 NOOP\rx\r\n", "ERROR BAD continue tag=a1 bare CR at offset 7 in command line"},
      {"a1 SELECT Entw\xC3\xBCrfe\r\n",
       "ERROR BAD continue tag=a1 8-bit byte 0xC3 at offset 14 outside a quoted string or "
       "literal"},
      {"a1 X a\x01z\r\n",
       "ERROR BAD continue tag=a1 control character byte 0x01 at offset 6 in atom"},
      {"a1 LOGIN \"a\\b\" x\r\n",
       "ERROR BAD continue tag=a1 invalid escape \\b in quoted string (only \\\" and \\\\ are "
       "allowed)"},
      {"a1 LOGIN \"abc\r\n", "ERROR BAD continue tag=a1 unterminated quoted string"},
      {"a1 LOGIN \"abc\\\r\n", "ERROR BAD continue tag=a1 unterminated quoted string"},
      {"a1 X a)\r\n", "ERROR BAD continue tag=a1 unexpected ')' without matching '('"},
      {"a1 X (a (b)\r\n", "ERROR BAD continue tag=a1 missing ')' at end of command"},
      {"a1 FETCH 1(FLAGS)\r\n", "ERROR BAD continue tag=a1 missing space before '(' at offset 10"},
      {"a1 X \"a\"\"b\"\r\n", "ERROR BAD continue tag=a1 missing space before '\"' at offset 8"},
      {"a1 X {3}x\r\n", "ERROR BAD continue tag=a1 literal announcement must end the line"},
      {"a1 X {x}\r\n",
       "ERROR BAD continue tag=a1 invalid literal announcement: expected digits after '{'"},
      {"a1 X {3\r\n",
       "ERROR BAD continue tag=a1 invalid literal announcement: expected '}' after the size"},
      {"a1 FETCH 1 BODY[HEADER.FIELDS (FROM]\r\n",
       "ERROR BAD continue tag=a1 missing ')' inside [section]"},
      {"a1 FETCH 1 BODY[TEXT {3}]\r\n",
       "ERROR BAD continue tag=a1 literal is not supported inside [section]"},
      {"a+1 NOOP\r\n", "ERROR BAD continue tag= invalid '+' in tag"},
      {"* NOOP\r\n", "ERROR BAD continue tag= invalid '*' in tag"},
      {" a1 NOOP\r\n", "ERROR BAD continue tag= missing tag"},
      {"a1\r\n", "ERROR BAD continue tag=a1 missing command name"},
      {"a1 \r\n", "ERROR BAD continue tag=a1 missing command name"},
      {"a1 UID\r\n", "ERROR BAD continue tag=a1 UID must be followed by a command name"},
      {"a1 FE(CH\r\n", "ERROR BAD continue tag=a1 invalid '(' in command name"},
      {"a1 {3}\r\n", "ERROR BAD continue tag=a1 invalid '{' in command name"},
      {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n"s,
       "ERROR BAD continue tag= NUL byte at offset 4 in command line"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Events(c.input + "z9 NOOP\r\n"), c.expected + " | COMMAND z9 NOOP") << c.input;
  }
}

TEST(ReceiverTest, RefusesListsNestedDeeperThanTheLimit) {
  ReceiverLimits limits;
  limits.max_list_depth = 16;
  const std::string ok = "a1 X " + std::string(16, '(') + std::string(16, ')') + "\r\n";
  EXPECT_EQ(Events(ok, limits).substr(0, 14), "COMMAND a1 X L");
  const std::string deep =
      "a1 X " + std::string(17, '(') + std::string(17, ')') + "\r\nz9 NOOP\r\n";
  EXPECT_EQ(Events(deep, limits),
            "ERROR BAD continue tag=a1 parentheses nested deeper than 16 | COMMAND z9 NOOP");
  // Lists inside a [section] count too.
  const std::string section =
      "a1 FETCH 1 " + std::string(15, '(') + "BODY[X ((a))]" + std::string(15, ')') + "\r\n";
  EXPECT_EQ(Events(section, limits),
            "ERROR BAD continue tag=a1 parentheses nested deeper than 16 inside [section]");
}

// After a refused line that ended with a LITERAL+ announcement the client
// sends the literal anyway: skip exactly those bytes and the rest of the
// command, never interpreting them as commands.
TEST(ReceiverTest, ResyncSkipsNonSynchronizingLiteralsOfRefusedCommand) {
  const std::vector<Case> cases = {
      {"a1 X \x01 {5+}\r\nhello world\r\nz9 NOOP\r\n",
       "ERROR BAD continue tag=a1 control character byte 0x01 at offset 5 in atom | "
       "COMMAND z9 NOOP"},
      {"a1 X \x01 {2+}\r\nab {3+}\r\nc\r\n\r\nz9 NOOP\r\n",
       "ERROR BAD continue tag=a1 control character byte 0x01 at offset 5 in atom | "
       "COMMAND z9 NOOP"},
      // A synchronizing literal is never sent: the client got no "+".
      {"a1 X \x01 {5}\r\nz9 NOOP\r\n",
       "ERROR BAD continue tag=a1 control character byte 0x01 at offset 5 in atom | "
       "COMMAND z9 NOOP"},
      // The error is in the piece after a literal.
      {"a1 LOGIN {2+}\r\nab \x01\r\nz9 NOOP\r\n",
       "LITERAL 2 nonsync | ERROR BAD continue tag=a1 control character byte 0x01 at offset 1 in "
       "atom | COMMAND z9 NOOP"},
  };
  for (const Case& c : cases) EXPECT_EQ(Events(c.input), c.expected) << c.input;
}

TEST(ReceiverTest, RejectsLiteralOverLimitBeforeBuffering) {
  ReceiverLimits limits;
  limits.max_literal_size = 100;
  ImapReceiver receiver(limits);
  // Only the announcement arrives: the error must come now, with no "+".
  std::vector<ReceiverEvent> events = ReceiveAll(receiver, "a1 APPEND INBOX {101}\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(
      DescribeEvent(events[0]),
      "ERROR NO continue tag=a1 [TOOBIG] literal of 101 bytes exceeds the limit of 100 bytes");
  EXPECT_EQ(receiver.literal_bytes_missing(), 0u);
  EXPECT_FALSE(receiver.HasPartialInput());
  events = ReceiveAll(receiver, "a2 NOOP\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(DescribeEvent(events[0]), "COMMAND a2 NOOP");

  // Outside APPEND the reply is BAD; a size beyond 64 bits is just too big.
  EXPECT_EQ(
      Events("a1 LOGIN {101}\r\n", limits),
      "ERROR BAD continue tag=a1 [TOOBIG] literal of 101 bytes exceeds the limit of 100 bytes");
  EXPECT_EQ(Events("a1 LOGIN {99999999999999999999999}\r\n", limits),
            "ERROR BAD continue tag=a1 [TOOBIG] literal of a size that does not fit in 64 bits "
            "exceeds the limit of 100 bytes");
  EXPECT_EQ(Events("a1 APPEND INBOX {100}\r\n", limits), "LITERAL 100 sync");
}

TEST(ReceiverTest, ClosesOnNonSynchronizingLiteralOverLimit) {
  // Pre-auth LITERAL+ is capped at 4096 (RFC 7888 LITERAL-); the bytes are
  // already on their way, so the connection cannot continue.
  const ReceiverLimits pre = ReceiverLimits::PreAuth();
  EXPECT_EQ(Events("a1 LOGIN {4096+}\r\n", pre), "LITERAL 4096 nonsync");
  ImapReceiver receiver(pre);
  std::vector<ReceiverEvent> events =
      ReceiveAll(receiver, "a1 LOGIN {4097+}\r\n" + std::string(4097, 'x') + "\r\na2 NOOP\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(DescribeEvent(events[0]),
            "ERROR BAD close tag=a1 [TOOBIG] non-synchronizing literal of 4097 bytes exceeds the "
            "limit of 4096 bytes");
  EXPECT_TRUE(receiver.closed());
  receiver.Feed("a3 NOOP\r\n");
  EXPECT_TRUE(std::holds_alternative<NeedMoreInput>(receiver.Next()));

  ReceiverLimits post;
  post.max_literal_size = 1000;
  EXPECT_EQ(Events("a1 APPEND INBOX {1001+}\r\n", post),
            "ERROR NO close tag=a1 [TOOBIG] non-synchronizing literal of 1001 bytes exceeds the "
            "limit of 1000 bytes");
}

TEST(ReceiverTest, LimitsAllLiteralsOfOneCommandTogether) {
  ReceiverLimits limits;
  limits.max_literal_size = 100;
  limits.max_command_literal_bytes = 150;
  EXPECT_EQ(Events("a1 X {100}\r\n" + std::string(100, 'a') + " {51}\r\nz9 NOOP\r\n", limits),
            "LITERAL 100 sync | ERROR BAD continue tag=a1 [TOOBIG] literal of 51 bytes exceeds "
            "the limit of 50 bytes | COMMAND z9 NOOP");
  // The budget is per command.
  EXPECT_EQ(
      Events("a1 X {100}\r\n" + std::string(100, 'a') + "\r\na2 X {100}\r\n", limits),
      "LITERAL 100 sync | COMMAND a1 X LIT(100:" + std::string(100, 'a') + ") | LITERAL 100 sync");
}

TEST(ReceiverTest, RefusesOverlongLineBeforeItEnds) {
  const ReceiverLimits pre = ReceiverLimits::PreAuth();
  ImapReceiver receiver(pre);
  // No line end yet: the error comes as soon as the limit is passed.
  std::vector<ReceiverEvent> events = ReceiveAll(receiver, "a1 X " + std::string(70000, 'a'));
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(DescribeEvent(events[0]), "ERROR BAD continue tag=a1 line too long (limit 65536 bytes)");
  // The rest of that line is skipped without being buffered.
  events = ReceiveAll(receiver, std::string(100000, 'b'));
  EXPECT_TRUE(events.empty());
  events = ReceiveAll(receiver, "bbb\r\na2 NOOP\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(DescribeEvent(events[0]), "COMMAND a2 NOOP");
}

TEST(ReceiverTest, RefusesOverlongLineThatArrivesWhole) {
  const ReceiverLimits pre = ReceiverLimits::PreAuth();
  EXPECT_EQ(Events("a1 X " + std::string(65531, 'a') + "\r\n", pre).substr(0, 14), "COMMAND a1 X A");
  EXPECT_EQ(Events("a1 X " + std::string(65531, 'a') + "b\r\nz9 NOOP\r\n", pre),
            "ERROR BAD continue tag=a1 line too long (limit 65536 bytes) | COMMAND z9 NOOP");
  // The overlong line ends with LITERAL+: its bytes are skipped too.
  EXPECT_EQ(Events("a1 X " + std::string(70000, 'a') + " {3+}\r\nabc\r\nz9 NOOP\r\n", pre),
            "ERROR BAD continue tag=a1 line too long (limit 65536 bytes) | COMMAND z9 NOOP");
  // The budget covers every piece of a command, literals excluded.
  EXPECT_EQ(Events("a1 X " + std::string(40000, 'a') + " {1+}\r\nx " + std::string(40000, 'b') +
                       "\r\nz9 NOOP\r\n",
                   pre),
            "LITERAL 1 nonsync | ERROR BAD continue tag=a1 line too long (limit 65536 bytes) | "
            "COMMAND z9 NOOP");
}

TEST(ReceiverTest, ReportsMissingLiteralBytesWhileWaiting) {
  ImapReceiver receiver(ReceiverLimits::PostAuth());
  std::vector<ReceiverEvent> events = ReceiveAll(receiver, "a1 APPEND INBOX {10}\r\nabc");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(DescribeEvent(events[0]), "LITERAL 10 sync");
  EXPECT_EQ(receiver.literal_bytes_missing(), 7u);
  EXPECT_TRUE(receiver.HasPartialInput());
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::holds_alternative<NeedMoreInput>(receiver.Next()));
  events = ReceiveAll(receiver, "defghij\r\n");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(DescribeEvent(events[0]), "COMMAND a1 APPEND ATOM(INBOX) LIT(10:abcdefghij)");
  EXPECT_EQ(receiver.literal_bytes_missing(), 0u);
  EXPECT_FALSE(receiver.HasPartialInput());
}

TEST(ReceiverTest, NewLimitsApplyFromTheNextCommand) {
  ReceiverLimits pre = ReceiverLimits::PreAuth();
  pre.max_line_length = 8192;  // below PostAuth()'s, as a configuration may set it
  ImapReceiver receiver(pre);
  const std::string long_line = "a2 X " + std::string(10000, 'a') + "\r\n";
  std::vector<ReceiverEvent> events = ReceiveAll(receiver, "a1 LOGIN u p\r\n" + long_line);
  ASSERT_GE(events.size(), 1u);
  EXPECT_EQ(DescribeEvent(events[0]), "COMMAND a1 LOGIN ATOM(u) ATOM(p)");
  ASSERT_EQ(events.size(), 2u);  // still pre-auth: the session had not switched yet
  EXPECT_EQ(DescribeEvent(events[1]), "ERROR BAD continue tag=a2 line too long (limit 8192 bytes)");

  ImapReceiver switched(pre);
  switched.Feed("a1 LOGIN u p\r\n" + long_line);
  EXPECT_TRUE(std::holds_alternative<ImapCommand>(switched.Next()));
  switched.SetLimits(ReceiverLimits::PostAuth());
  ReceiverEvent next = switched.Next();
  ASSERT_TRUE(std::holds_alternative<ImapCommand>(next)) << DescribeEvent(next);
  EXPECT_EQ(std::get<ImapCommand>(next).tag, "a2");
}

}  // namespace
}  // namespace mailvault::imap
