// BODYSTRUCTURE and BODY strings, compared with what Dovecot 2.3.19 sends
// for the same messages (test_messages.h). Where we differ on purpose, the
// case says how.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/imap/mime/address_list.h"
#include "server/imap/mime/body_structure_writer.h"
#include "server/imap/mime/message_structure.h"
#include "tests/server/imap/mime/test_messages.h"

namespace mailvault::imap {
namespace {

using namespace mime_test;  // NOLINT: test messages

struct StructureCase {
  std::string_view name;
  std::string_view message;
  std::string_view body_structure;  // extensible
  std::string_view body;            // BODY: no extension data
};

TEST(BodyStructureTest, MatchesDovecotForTestMessages) {
  // Long wire strings read best one per line.
  // clang-format off
  const std::vector<StructureCase> cases = {
      {"plain", kPlain,
       R"imap(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 27 3 NIL NIL NIL NIL))imap",
       R"imap(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 27 3))imap"},
      {"mixed with every Content-* field", kMixed,
       R"imap((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 33 1 NIL NIL NIL NIL)("application" "pdf" ("name" "doc.pdf") "<part2@example.org>" "A document" "base64" 22 "Q2hlY2sgSW50ZWdyaXR5IQ==" ("attachment" ("filename" "doc.pdf" "size" "12")) ("en" "de") "http://example.org/doc.pdf") "mixed" ("boundary" "=_b1") NIL NIL NIL))imap",
       R"imap((("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 33 1)("application" "pdf" ("name" "doc.pdf") "<part2@example.org>" "A document" "base64" 22) "mixed"))imap"},
      // The line end before a boundary belongs to it: "plain text" is 10
      // octets and 0 lines.
      {"alternative in mixed", kAlternative,
       R"imap(((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL)("text" "html" ("charset" "utf-8") NIL NIL "7bit" 13 1 NIL NIL NIL NIL) "alternative" ("boundary" "inner") NIL NIL NIL)("image" "png" NIL NIL NIL "base64" 12 NIL ("inline" NIL) NIL NIL) "mixed" ("boundary" "outer") NIL NIL NIL))imap",
       R"imap(((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0)("text" "html" ("charset" "utf-8") NIL NIL "7bit" 13 1) "alternative")("image" "png" NIL NIL NIL "base64" 12) "mixed"))imap"},
      {"attached message", kAttachedMessage,
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 232 ("Tue, 1 Mar 2022 10:00:00 +0100" "inner" (("Inner" NIL "inner" "example.com")) (("Inner" NIL "inner" "example.com")) (("Inner" NIL "inner" "example.com")) NIL NIL NIL NIL NIL) (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 0 NIL NIL NIL NIL)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 12 0 NIL NIL NIL NIL) "alternative" ("boundary" "c") NIL NIL NIL) 14 NIL ("attachment" NIL) NIL NIL) "mixed" ("boundary" "b") NIL NIL NIL))imap",
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0)("message" "rfc822" NIL NIL NIL "7bit" 232 ("Tue, 1 Mar 2022 10:00:00 +0100" "inner" (("Inner" NIL "inner" "example.com")) (("Inner" NIL "inner" "example.com")) (("Inner" NIL "inner" "example.com")) NIL NIL NIL NIL NIL) (("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 11 0)("text" "html" ("charset" "us-ascii") NIL NIL "7bit" 12 0) "alternative") 14) "mixed"))imap"},
      {"latin1", kLatin1,
       R"imap(("text" "plain" ("charset" "ISO-8859-1") NIL NIL "8bit" 16 1 NIL NIL NIL NIL))imap",
       R"imap(("text" "plain" ("charset" "ISO-8859-1") NIL NIL "8bit" 16 1))imap"},
      // Sizes are of the bytes as stored: 17 for "line one\nline two".
      // Dovecot converts to CRLF on the fly and says 18.
      {"lf only", kLfOnly,
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 17 1 NIL NIL NIL NIL)("application" "octet-stream" NIL NIL NIL "base64" 8 NIL NIL NIL NIL) "mixed" ("boundary" "zz") NIL NIL NIL))imap",
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 17 1)("application" "octet-stream" NIL NIL NIL "base64" 8) "mixed"))imap"},
      {"vault", kVault,
       R"imap(("application" "vnd.mailvault.sealed" NIL NIL NIL "base64" 104 NIL NIL NIL NIL))imap",
       R"imap(("application" "vnd.mailvault.sealed" NIL NIL NIL "base64" 104))imap"},
      {"header only", kHeaderOnly,
       R"imap(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL))imap",
       R"imap(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0))imap"},
      {"unclosed multipart", kUnclosed,
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 17 0 NIL NIL NIL NIL) "mixed" ("boundary" "q") NIL NIL NIL))imap",
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 5 0)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 17 0) "mixed"))imap"},
      {"boundary that prefixes another", kBoundaryPrefix,
       R"imap(((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL) "mixed" ("boundary" "ab") NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0 NIL NIL NIL NIL) "mixed" ("boundary" "a") NIL NIL NIL))imap",
       R"imap(((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0) "mixed")("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 3 0) "mixed"))imap"},
      {"header cut by a boundary", kHeaderCutByBoundary,
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "mixed" ("boundary" "a") NIL NIL NIL))imap",
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0) "mixed"))imap"},
      // A multipart needs a body part: Dovecot's empty text/plain.
      {"multipart without parts", kNoParts,
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) "mixed" ("boundary" "e") NIL NIL NIL))imap",
       R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) "mixed"))imap"},
      {"rfc 2231 parameters", kRfc2231,
       R"imap(("application" "x-stuff" ("Plain" "a \"q\" b" "name" "longname.txt" "title*" "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn't it!") NIL NIL "7BIT" 6 NIL ("ATTACHMENT" ("filename*" "UTF-8''na%C3%AFve.txt")) NIL NIL))imap",
       R"imap(("application" "x-stuff" ("Plain" "a \"q\" b" "name" "longname.txt" "title*" "us-ascii'en'This%20is%20even%20more%20%2A%2A%2Afun%2A%2A%2A%20isn't it!") NIL NIL "7BIT" 6))imap"},
      {"digest", kDigest,
       R"imap((("message" "rfc822" NIL NIL NIL "7bit" 49 (NIL "first" ((NIL NIL "one" "example.org")) ((NIL NIL "one" "example.org")) ((NIL NIL "one" "example.org")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 8 0 NIL NIL NIL NIL) 3 NIL NIL NIL NIL)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0 NIL NIL NIL NIL) "digest" ("boundary" "d") NIL NIL NIL))imap",
       R"imap((("message" "rfc822" NIL NIL NIL "7bit" 49 (NIL "first" ((NIL NIL "one" "example.org")) ((NIL NIL "one" "example.org")) ((NIL NIL "one" "example.org")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 8 0) 3)("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 13 0) "digest"))imap"},
      {"epilogues and a cut message header", kEpilogue,
       R"imap(((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "alternative" ("boundary" "i") NIL NIL NIL)("message" "rfc822" NIL NIL NIL "7bit" 13 (NIL "hi" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0 NIL NIL NIL NIL) 1 NIL NIL NIL NIL)(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0 NIL NIL NIL NIL) "mixed" ("boundary" "j") NIL NIL NIL) "mixed" ("boundary" "o") NIL NIL NIL))imap",
       R"imap(((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0) "alternative")("message" "rfc822" NIL NIL NIL "7bit" 13 (NIL "hi" NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) 1)(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 1 0) "mixed") "mixed"))imap"},
      // Without MIME-Version Dovecot reports "7bit" (yet decodes the part
      // for BINARY); we honour the Content-Transfer-Encoding as GMime does.
      // 31 octets as stored (one line ends in a bare LF; Dovecot: 32).
      {"quoted-printable without MIME-Version", kQuotedPrintable,
       R"imap(("text" "plain" ("charset" "us-ascii") NIL NIL "Quoted-Printable" 31 5 NIL NIL NIL NIL))imap",
       R"imap(("text" "plain" ("charset" "us-ascii") NIL NIL "Quoted-Printable" 31 5))imap"},
      {"no final newline", kNoFinalNewline,
       R"imap(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 0 NIL NIL NIL NIL))imap",
       R"imap(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 16 0))imap"},
  };
  // clang-format on
  for (const StructureCase& c : cases) {
    Result<MessageStructure> message = MessageStructure::Parse(c.message);
    ASSERT_TRUE(message.ok()) << c.name;
    EXPECT_EQ(message->BodyStructure(Charset::kAscii, /*extensible=*/true), c.body_structure)
        << c.name;
    EXPECT_EQ(message->BodyStructure(Charset::kAscii, /*extensible=*/false), c.body) << c.name;
  }
}

struct ContentTypeCase {
  std::string_view header;  // the part's Content-* fields
  std::string_view body_structure;
};

// Single-part messages with a one-line body "x\r\n".
TEST(BodyStructureTest, ContentFieldsAsDovecotReportsThem) {
  // Long wire strings read best one per line.
  // clang-format off
  const std::vector<ContentTypeCase> cases = {
      // Case is kept; a text part gets a charset when it has none.
      {"Content-Type: TEXT/Plain; format=flowed; delsp=yes\r\nContent-Type: text/html\r\n",
       R"imap(("TEXT" "Plain" ("format" "flowed" "delsp" "yes" "charset" "us-ascii") NIL NIL "7bit" 3 1 NIL NIL NIL NIL))imap"},
      {"Content-Type: text\r\nContent-Transfer-Encoding: x-uuencode\r\n",
       R"imap(("text" "" ("charset" "us-ascii") NIL NIL "x-uuencode" 3 1 NIL NIL NIL NIL))imap"},
      // Unreadable: the default type (Dovecot sends "" "" NIL here).
      {"Content-Type: ;;;garbage\r\nContent-Description: =?utf-8?q?d=C3=A9sc?=\r\n",
       R"imap(("text" "plain" ("charset" "us-ascii") NIL "=?utf-8?q?d=C3=A9sc?=" "7bit" 3 1 NIL NIL NIL NIL))imap"},
      {"Content-Type: image/gif (a comment); name = \"x.gif\" ; ; junk ; n2=v2\r\n"
       "Content-Language: fr\r\nContent-Disposition: inline\r\n",
       R"imap(("image" "gif" ("name" "x.gif" "n2" "v2") NIL NIL "7bit" 3 NIL ("inline" NIL) ("fr") NIL))imap"},
      // A gap in the continuation indexes: pieces reported one by one.
      {"Content-Type: application/x; a*0=one; a*2=three\r\n",
       R"imap(("application" "x" ("a*0" "one" "a*2" "three") NIL NIL "7bit" 3 NIL NIL NIL NIL))imap"},
      // Folded Content-ID and Location are unfolded.
      {"Content-Type: application/x\r\nContent-ID:\r\n <id@x>\r\n"
       "Content-Location: http://x/\r\n a\r\n",
       R"imap(("application" "x" NIL "<id@x>" NIL "7bit" 3 NIL NIL NIL "http://x/ a"))imap"},
  };
  // clang-format on
  for (const ContentTypeCase& c : cases) {
    const std::string raw = "MIME-Version: 1.0\r\n" + std::string(c.header) + "\r\nx\r\n";
    Result<MessageStructure> message = MessageStructure::Parse(raw);
    ASSERT_TRUE(message.ok()) << c.header;
    EXPECT_EQ(message->BodyStructure(Charset::kAscii, true), c.body_structure) << c.header;
  }
}

TEST(BodyStructureTest, EightBitParameterIsALiteralWithoutUtf8) {
  Result<MessageStructure> message = MessageStructure::Parse(
      "Content-Type: application/pdf; name=\"r\xC3\xA9sum\xC3\xA9.pdf\"\r\n\r\nx");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->BodyStructure(Charset::kUtf8, false),
            "(\"application\" \"pdf\" (\"name\" \"r\xC3\xA9sum\xC3\xA9.pdf\") NIL NIL \"7bit\" 1)");
  EXPECT_EQ(
      message->BodyStructure(Charset::kAscii, false),
      "(\"application\" \"pdf\" (\"name\" {12}\r\nr\xC3\xA9sum\xC3\xA9.pdf) NIL NIL \"7bit\" 1)");
}

// Millions of parameters in one field (bridge_mime_bomb_test.py's 20 MiB
// of "a=b; c*7=d;" took the bridge 1.4 s and 360 MiB per BODYSTRUCTURE): the
// first kMaxMediaParams are read, RFC 2231 pieces counted one by one.
TEST(BodyStructureTest, ReadsAtMostTheLimitOfParameters) {
  std::string plain = "Content-Type: application/x;";
  std::string pieces = "Content-Type: application/x;";
  for (int i = 0; i < 1'000'000; ++i) {
    plain += " a=b;";
    pieces += " c*" + std::to_string(i) + "=d;";
  }
  Result<MessageStructure> many = MessageStructure::Parse(plain + "\r\n\r\nx");
  ASSERT_TRUE(many.ok());
  std::string expected = R"imap(("application" "x" ()imap";
  for (size_t i = 0; i < mime::kMaxMediaParams; ++i) expected += i ? R"( "a" "b")" : R"("a" "b")";
  expected += R"imap() NIL NIL "7bit" 1))imap";
  EXPECT_EQ(many->BodyStructure(Charset::kAscii, false), expected);

  Result<MessageStructure> continued = MessageStructure::Parse(pieces + "\r\n\r\nx");
  ASSERT_TRUE(continued.ok());
  EXPECT_EQ(continued->BodyStructure(Charset::kAscii, false),
            R"imap(("application" "x" ("c" ")imap" + std::string(mime::kMaxMediaParams, 'd') +
                R"imap(") NIL NIL "7bit" 1))imap");
}

size_t Occurrences(std::string_view text, std::string_view needle) {
  size_t count = 0;
  for (size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + needle.size())) {
    ++count;
  }
  return count;
}

// A digest of small messages, each with as many four-byte From addresses
// as a list takes (bridge_mime_bomb_test.py's, 5,000 of them, built a
// BODYSTRUCTURE of about 270 MB before FETCH refused it): the envelopes of all the
// parts list kMaxBodyStructureAddresses entries together, then NIL.
TEST(BodyStructureTest, EnvelopesOfAllPartsShareOneAddressBudget) {
  std::string from;
  for (size_t i = 0; i < mime::kMaxEnvelopeAddresses; ++i) from += "a@b,";
  std::string raw = "Content-Type: multipart/digest; boundary=d\r\n\r\n";
  const size_t parts = 50;
  for (size_t i = 0; i < parts; ++i) raw += "--d\r\n\r\nFrom: " + from + "\r\n\r\nx\r\n";
  raw += "--d--\r\n";
  Result<MessageStructure> digest = MessageStructure::Parse(raw);
  ASSERT_TRUE(digest.ok());
  const std::string structure = digest->BodyStructure(Charset::kAscii, false);
  EXPECT_EQ(Occurrences(structure, R"((NIL NIL "a" "b"))"), mime::kMaxBodyStructureAddresses);
  // Every part is still there, the last with an envelope of NILs.
  EXPECT_EQ(Occurrences(structure, R"(("message" "rfc822" )"), parts);
  const size_t last = structure.rfind(R"(("message" "rfc822" NIL NIL NIL "7bit" )");
  ASSERT_NE(last, std::string::npos);
  EXPECT_NE(structure.find("(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)", last), std::string::npos)
      << structure.substr(last);
  // The message's own ENVELOPE has its own budget: a full list per field.
  Result<MessageStructure> one = MessageStructure::Parse("From: " + from + "\r\n\r\nx\r\n");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(Occurrences(one->Envelope(Charset::kAscii), R"((NIL NIL "a" "b"))"),
            3 * mime::kMaxEnvelopeAddresses);
}

}  // namespace
}  // namespace mailvault::imap
