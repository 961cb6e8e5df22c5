// ENVELOPE strings, compared with what Dovecot 2.3.19 sends for the same
// messages (test_messages.h). Where we differ on purpose, the case says how.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/imap/mime/message_structure.h"
#include "tests/server/imap/mime/test_messages.h"

namespace mailvault::imap {
namespace {

using namespace mime_test;  // NOLINT: test messages

struct EnvelopeCase {
  std::string_view name;
  std::string_view message;
  std::string_view envelope;  // Charset::kAscii
};

TEST(EnvelopeTest, MatchesDovecotForTestMessages) {
  // Long wire strings read best one per line.
  // clang-format off
  const std::vector<EnvelopeCase> cases = {
      // Dovecot sends the Subject "for humans" (blank runs collapsed,
      // "Hello world, folded"); we unfold as RFC 5322 says and keep the
      // blanks. Dovecot also sends a name with quotes as a literal; ours
      // is quoted and escaped, the same string to a client.
      {"plain", kPlain,
       R"imap(("Mon, 7 Feb 1994 21:52:25 -0800 (PST)" "Hello  world,)imap"
       "\t"
       R"imap(folded" (("Alice Example" NIL "alice" "example.org")) (("Alice E." NIL "alice" "example.org")) (("Alice Example" NIL "alice" "example.org")) ((NIL NIL "bob" "example.net")("Carol \"C\" Q." NIL "carol" "example.com")(NIL "@relay.example" "dave" "example.com")) ((NIL NIL "Friends" NIL)(NIL NIL "eve" "example.com")("Frank" NIL "frank" "example.com")(NIL NIL NIL NIL)(NIL NIL "undisclosed-recipients" NIL)(NIL NIL NIL NIL)) NIL "<0001@example.net>" "<1234@local.machine.example>"))imap"},
      {"mixed", kMixed,
       R"imap((NIL "attachment" ((NIL NIL "a" "example.org")) ((NIL NIL "a" "example.org")) ((NIL NIL "a" "example.org")) ((NIL NIL "b" "example.org")) NIL NIL NIL NIL))imap"},
      {"alternative", kAlternative,
       R"imap((NIL "alt" (("Q" NIL "q" "example.org")) (("Q" NIL "q" "example.org")) (("Q" NIL "q" "example.org")) NIL NIL NIL NIL NIL))imap"},
      // RFC 2047 words stay encoded (the client decodes); raw 8-bit goes
      // out as a literal on a connection without UTF-8.
      {"latin1", kLatin1,
       "(NIL \"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= "
       "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=\" "
       "((\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" NIL \"PIRARD\" \"vm1.ulg.ac.be\")) "
       "((\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" NIL \"PIRARD\" \"vm1.ulg.ac.be\")) "
       "((\"=?ISO-8859-1?Q?Andr=E9?= Pirard\" NIL \"PIRARD\" \"vm1.ulg.ac.be\")) "
       "(({18}\r\nKeld J\xF8rn Simonsen NIL \"keld\" \"dkuug.dk\")) NIL NIL NIL NIL)"},
      {"lf only", kLfOnly,
       R"imap((NIL "LF only" ((NIL NIL "lf" "example.org")) ((NIL NIL "lf" "example.org")) ((NIL NIL "lf" "example.org")) ((NIL NIL "y" "example.org")) NIL NIL NIL NIL))imap"},
      {"vault", kVault,
       R"imap(("Wed, 5 Jun 2024 12:34:56 +0000" "Sealed message" (("mailvault" NIL "vault" "localhost")) (("mailvault" NIL "vault" "localhost")) (("mailvault" NIL "vault" "localhost")) NIL NIL NIL NIL "<0123456789abcdef0123456789abcdef@mailvault>"))imap"},
      {"header only", kHeaderOnly,
       R"imap((NIL "only header" ((NIL NIL "x" "y")) ((NIL NIL "x" "y")) ((NIL NIL "x" "y")) NIL NIL NIL NIL NIL))imap"},
      // An empty Subject is "", not NIL; an empty Reply-To falls back to
      // From; a comment names an address without a display name. Dovecot
      // keeps the blank a folded Message-ID starts with
      // (" <testabcd.1234@silly.test>"); we trim it.
      {"addresses", kAddresses,
       R"imap(("Thu,      13        Feb          1969      23:32               -0330 (Newfoundland Time)" "" (("Joe Q. Public" NIL "john.q.public" "example.com")) (("Mary Smith" NIL "mary" "x.test")) (("Joe Q. Public" NIL "john.q.public" "example.com")) ((NIL NIL "nodomain" "MISSING_DOMAIN")(NIL NIL "quoted local" "example.com")("Pete" NIL "pete" "silly.test")) ((NIL NIL "A Group" NIL)("Ed Jones" NIL "c" "a.test")(NIL NIL "joe" "where.test")("John" NIL "jdoe" "one.test")(NIL NIL NIL NIL)) (("=?utf-8?q?J=C3=B6rg?=" NIL "j" "example.de")) NIL "<testabcd.1234@silly.test>"))imap"},
      // Differences from Dovecot: the first Subject counts (Dovecot: the
      // last); empty list members (",,") are dropped (Dovecot reports each
      // as MISSING_MAILBOX@MISSING_DOMAIN); after junk ("a@b c@d") we go on
      // at the next comma (Dovecot drops the rest of the field).
      {"odd addresses", kOddAddresses,
       R"imap((NIL "s1" ((NIL NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) (("Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) ((NIL NIL "MISSING_MAILBOX" "domain.only")) ((NIL NIL "a" "b")("Only Name" NIL "MISSING_MAILBOX" "MISSING_DOMAIN")) ((NIL NIL "Empty" NIL)(NIL NIL NIL NIL)(NIL NIL "Nested" NIL)(NIL NIL "x" "y")(NIL NIL NIL NIL)) ((NIL NIL "a" "b")(NIL NIL "x" "y")("q\\uote" NIL "q" "x")) "<a@b> <c@d>" NIL))imap"},
      {"no envelope fields", kUnclosed,
       R"imap((NIL "no end" NIL NIL NIL NIL NIL NIL NIL NIL))imap"},
  };
  // clang-format on
  for (const EnvelopeCase& c : cases) {
    Result<MessageStructure> message = MessageStructure::Parse(c.message);
    ASSERT_TRUE(message.ok()) << c.name;
    EXPECT_EQ(message->Envelope(Charset::kAscii), c.envelope) << c.name;
  }
}

TEST(EnvelopeTest, Utf8HeadersAreQuotedOnlyWhenTheConnectionAllowsUtf8) {
  const std::string_view raw =
      "From: J\xC3\xB6rg <j@example.de>\r\n"
      "Subject: Gr\xC3\xBC\xC3\x9F"
      "e\r\n"
      "X-Bad: \xFF\r\n"
      "\r\n";
  Result<MessageStructure> message = MessageStructure::Parse(raw);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->Envelope(Charset::kUtf8),
            "(NIL \"Gr\xC3\xBC\xC3\x9F"
            "e\" ((\"J\xC3\xB6rg\" NIL \"j\" \"example.de\")) "
            "((\"J\xC3\xB6rg\" NIL \"j\" \"example.de\")) "
            "((\"J\xC3\xB6rg\" NIL \"j\" \"example.de\")) NIL NIL NIL NIL NIL)");
  EXPECT_EQ(message->Envelope(Charset::kAscii),
            "(NIL {7}\r\nGr\xC3\xBC\xC3\x9F"
            "e (({5}\r\nJ\xC3\xB6rg NIL \"j\" \"example.de\")) "
            "(({5}\r\nJ\xC3\xB6rg NIL \"j\" \"example.de\")) "
            "(({5}\r\nJ\xC3\xB6rg NIL \"j\" \"example.de\")) NIL NIL NIL NIL NIL)");
}

TEST(EnvelopeTest, NulInAHeaderNeverReachesTheWire) {
  const std::string raw("Subject: a\0b\r\n\r\n", 16);
  Result<MessageStructure> message = MessageStructure::Parse(raw);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->Envelope(Charset::kUtf8),
            "(NIL \"a\xEF\xBF\xBD"
            "b\" NIL NIL NIL NIL NIL NIL NIL NIL)");
}

TEST(EnvelopeTest, SenderAndReplyToDefaultToFromOnlyWhenAbsentOrEmpty) {
  Result<MessageStructure> message =
      MessageStructure::Parse("From: a@x\r\nSender: s@x\r\nReply-To: Group:;\r\n\r\n");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->Envelope(Charset::kAscii),
            "(NIL NIL ((NIL NIL \"a\" \"x\")) ((NIL NIL \"s\" \"x\")) "
            "((NIL NIL \"Group\" NIL)(NIL NIL NIL NIL)) NIL NIL NIL NIL NIL)");
}

}  // namespace
}  // namespace mailvault::imap
