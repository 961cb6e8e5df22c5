// BODY[section] bytes. Every expectation for a CRLF message is what Dovecot
// 2.3.19 returns for the same fetch; the LF-only and odd-byte cases check
// that nothing is re-serialised.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/imap/mime/message_structure.h"
#include "tests/server/imap/mime/test_messages.h"

namespace mailvault::imap {
namespace {

using namespace mime_test;  // NOLINT: test messages

FetchSection Part(std::vector<uint32_t> part, SectionText text = SectionText::kAll,
                  std::vector<std::string> fields = {}) {
  return FetchSection{std::move(part), text, std::move(fields)};
}

struct SectionCase {
  std::string_view name;
  std::string_view message;
  FetchSection section;
  std::string_view bytes;
};

TEST(SectionTest, MatchesDovecotByteForByte) {
  const std::vector<SectionCase> cases = {
      {"whole message", kPlain, Part({}), kPlain},
      {"header", kAttachedMessage, Part({}, SectionText::kHeader),
       "From: fwd@example.org\r\nTo: x@example.org\r\nSubject: Fwd: inner\r\nMIME-Version: 1.0\r\n"
       "Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n"},
      {"text", kPlain, Part({}, SectionText::kText), "Hi Bob,\r\n\r\nthis is plain.\r\n"},
      // Fields in message order, folding kept exactly, then the blank line;
      // names match case-insensitively; "X-Odd:no-space" has no blank.
      {"header fields", kPlain,
       Part({}, SectionText::kHeaderFields, {"SUBJECT", "to", "x-odd", "nonexistent"}),
       "Subject: Hello\r\n  world,\r\n\tfolded\r\n"
       "To: bob@example.net, \"Carol \\\"C\\\" Q.\" <carol@example.com>,\r\n"
       " <@relay.example:dave@example.com>\r\nX-Odd:no-space\r\n\r\n"},
      {"header fields not", kPlain,
       Part({}, SectionText::kHeaderFieldsNot,
            {"SUBJECT", "to", "return-path", "date", "from", "sender", "cc"}),
       "Message-ID: <1234@local.machine.example>\r\nIn-Reply-To: <0001@example.net>\r\n"
       "X-Odd:no-space\r\n\r\n"},
      {"header fields, none present", kPlain, Part({}, SectionText::kHeaderFields, {"nonexistent"}),
       "\r\n"},
      // Part 1 of a single-part message is its body; 1.MIME its header.
      {"single part 1", kPlain, Part({1}), "Hi Bob,\r\n\r\nthis is plain.\r\n"},
      {"single part 1.MIME", kVault, Part({1}, SectionText::kMime),
       kVault.substr(0, kVault.find("\r\n\r\n") + 4)},
      {"single part 2 does not exist", kPlain, Part({2}), ""},
      {"HEADER of a part that is not a message", kPlain, Part({1}, SectionText::kHeader), ""},
      {"TEXT of a part that is not a message", kAttachedMessage, Part({1}, SectionText::kText), ""},
      // The line end before the boundary is the boundary's.
      {"leaf in multipart", kAttachedMessage, Part({1}), "See attached."},
      {"attached message", kAttachedMessage, Part({2}),
       "From: Inner <inner@example.com>\r\nDate: Tue, 1 Mar 2022 10:00:00 +0100\r\n"
       "Subject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; "
       "boundary=\"c\"\r\n"
       "\r\n--c\r\n\r\ninner plain\r\n--c\r\nContent-Type: "
       "text/html\r\n\r\n<b>inner</b>\r\n--c--\r\n"},
      {"attached message MIME", kAttachedMessage, Part({2}, SectionText::kMime),
       "Content-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"},
      {"attached message HEADER", kAttachedMessage, Part({2}, SectionText::kHeader),
       "From: Inner <inner@example.com>\r\nDate: Tue, 1 Mar 2022 10:00:00 +0100\r\n"
       "Subject: inner\r\nMIME-Version: 1.0\r\n"
       "Content-Type: multipart/alternative; boundary=\"c\"\r\n\r\n"},
      {"attached message TEXT", kAttachedMessage, Part({2}, SectionText::kText),
       "--c\r\n\r\ninner plain\r\n--c\r\nContent-Type: text/html\r\n\r\n<b>inner</b>\r\n--c--\r\n"},
      {"attached message HEADER.FIELDS", kAttachedMessage,
       Part({2}, SectionText::kHeaderFields, {"subject", "from"}),
       "From: Inner <inner@example.com>\r\nSubject: inner\r\n\r\n"},
      {"part of the attached message", kAttachedMessage, Part({2, 1}), "inner plain"},
      // A part with an empty header: its MIME header is the blank line.
      {"part with an empty header, MIME", kAttachedMessage, Part({2, 1}, SectionText::kMime),
       "\r\n"},
      {"second part of the attached message", kAttachedMessage, Part({2, 2}), "<b>inner</b>"},
      {"attached message has no part 3", kAttachedMessage, Part({2, 3}), ""},
      // Dovecot's leniency: "1" of a non-multipart part is the part itself.
      {"2.1.1 is 2.1", kAttachedMessage, Part({2, 1, 1}), "inner plain"},
      {"top-level 3 does not exist", kAttachedMessage, Part({3}), ""},
      {"part 0 does not exist", kAttachedMessage, Part({0}), ""},
      {"nested multipart with preamble, up to its close delimiter line", kAlternative, Part({1}),
       "preamble\r\n--inner\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\nplain text\r\n"
       "--inner\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n<p>html</p>\r\n\r\n"
       "--inner--\r\n"},
      {"nested leaf", kAlternative, Part({1, 2}), "<p>html</p>\r\n"},
      {"nested leaf MIME", kAlternative, Part({1, 1}, SectionText::kMime),
       "Content-Type: text/plain; charset=us-ascii\r\n\r\n"},
      {"base64 attachment as transmitted", kMixed, Part({2}), "JVBERi0xLjQK\r\nJcfsj6IK"},
      {"QP part as transmitted", kMixed, Part({1}), "Caf=C3=A9 au lait, soft=\r\n break."},
      {"unclosed multipart, last part", kUnclosed, Part({2}), "second no newline"},
      {"inner multipart never closed", kBoundaryPrefix, Part({1}), "--ab\r\n\r\none"},
      {"inner part ended by the outer boundary", kBoundaryPrefix, Part({1, 1}), "one"},
      {"part after an unclosed inner multipart", kBoundaryPrefix, Part({2}), "two"},
      {"header cut by a boundary: MIME has no line end", kHeaderCutByBoundary,
       Part({1}, SectionText::kMime), "Content-Type: text/plain"},
      {"header cut by a boundary: empty body", kHeaderCutByBoundary, Part({1}), ""},
      {"part after it", kHeaderCutByBoundary, Part({2}, SectionText::kMime), "X: y\r\n\r\n"},
      {"epilogue stays in the multipart", kEpilogue, Part({1}), "--i\r\n\r\nx\r\n--i--\r\nepi\r\n"},
      {"cut message header keeps its line end in the part body", kEpilogue, Part({2}),
       "Subject: hi\r\n"},
      {"but not in HEADER", kEpilogue, Part({2}, SectionText::kHeader), "Subject: hi"},
      {"digest part defaults to message/rfc822", kDigest, Part({1}, SectionText::kHeader),
       "From: one@example.org\r\nSubject: first\r\n\r\n"},
      {"multipart without parts has no part 1", kNoParts, Part({1}), ""},
      {"header only: HEADER has no blank line", kHeaderOnly, Part({}, SectionText::kHeader),
       kHeaderOnly},
      {"header only: empty TEXT", kHeaderOnly, Part({}, SectionText::kText), ""},
      {"MIME without a part number", kPlain, Part({}, SectionText::kMime), ""},
  };
  for (const SectionCase& c : cases) {
    Result<MessageStructure> message = MessageStructure::Parse(c.message);
    ASSERT_TRUE(message.ok()) << c.name;
    EXPECT_EQ(message->Section(c.section), c.bytes) << c.name;
  }
}

// No re-serialisation: LF stays LF, 8-bit bytes and odd folding stay.
TEST(SectionTest, KeepsBareLfAndEightBitBytes) {
  Result<MessageStructure> lf = MessageStructure::Parse(kLfOnly);
  ASSERT_TRUE(lf.ok());
  EXPECT_EQ(lf->Section(Part({})), kLfOnly);
  EXPECT_EQ(lf->Section(Part({1})), "line one\nline two");
  EXPECT_EQ(lf->Section(Part({2}, SectionText::kMime)),
            "Content-Type: application/octet-stream\nContent-Transfer-Encoding: base64\n\n");
  // The blank line HEADER.FIELDS adds follows the header's own line ends.
  EXPECT_EQ(lf->Section(Part({}, SectionText::kHeaderFields, {"Subject"})),
            "Subject: LF\n only\n\n");

  Result<MessageStructure> latin1 = MessageStructure::Parse(kLatin1);
  ASSERT_TRUE(latin1.ok());
  EXPECT_EQ(latin1->Section(Part({}, SectionText::kHeaderFields, {"x-raw", "To"})),
            "To: Keld J\xF8rn Simonsen <keld@dkuug.dk>\r\nX-Raw: caf\xE9 cr\xE8me\r\n\r\n");
  EXPECT_EQ(latin1->Section(Part({1})),
            "Gr\xFC\xDF"
            "e aus K\xF6ln\r\n");

  // Mixed line ends, a field with only a continuation, a line without a
  // colon, trailing blanks and a control byte in the body (a NUL would be
  // served base64-encoded: nul_free_message_test.cc).
  static constexpr char kOdd[] =
      "Subject: a \r\n\t \r\n  b\n"
      "no colon here\r\n"
      "X-Empty:\r\n"
      "\r\n"
      "body\x01with ctl\r\n";
  const std::string odd(kOdd, sizeof(kOdd) - 1);
  Result<MessageStructure> message = MessageStructure::Parse(odd);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->Section(Part({})), odd);
  EXPECT_EQ(message->Section(Part({}, SectionText::kHeaderFields, {"subject", "x-empty"})),
            "Subject: a \r\n\t \r\n  b\nX-Empty:\r\n\r\n");
  EXPECT_EQ(message->Section(Part({}, SectionText::kHeaderFieldsNot, {"subject"})),
            "no colon here\r\nX-Empty:\r\n\r\n");
  EXPECT_EQ(message->Section(Part({}, SectionText::kText)), "body\x01with ctl\r\n");
}

TEST(SectionTest, HeaderFieldsOfAHeaderWithoutFinalLineEnd) {
  Result<MessageStructure> message = MessageStructure::Parse("A: 1\r\nSubject: x");
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->Section(Part({}, SectionText::kHeaderFields, {"subject"})),
            "Subject: x\r\n\r\n");
  EXPECT_EQ(message->Section(Part({}, SectionText::kHeader)), "A: 1\r\nSubject: x");
}

// Every section of every test message is a piece of the original bytes.
TEST(SectionTest, SectionsAreSubstringsOfTheMessage) {
  for (std::string_view raw : {kPlain, kMixed, kAlternative, kAttachedMessage, kLatin1, kLfOnly,
                               kVault, kUnclosed, kBoundaryPrefix, kEpilogue, kDigest}) {
    Result<MessageStructure> message = MessageStructure::Parse(raw);
    ASSERT_TRUE(message.ok());
    EXPECT_EQ(message->size(), raw.size());
    for (uint32_t a = 1; a <= 3; ++a) {
      for (uint32_t b = 0; b <= 3; ++b) {
        std::vector<uint32_t> part = {a};
        if (b > 0) part.push_back(b);
        for (SectionText text :
             {SectionText::kAll, SectionText::kMime, SectionText::kHeader, SectionText::kText}) {
          const std::string bytes = message->Section(Part(part, text));
          EXPECT_NE(raw.find(bytes), std::string_view::npos) << raw.substr(0, 40);
        }
      }
    }
  }
}

struct PartialCase {
  std::string_view bytes;
  std::optional<FetchPartial> partial;
  std::string_view expected;
};

TEST(ApplyPartialTest, CutsAtTheEndAndGivesEmptyPastIt) {
  const std::vector<PartialCase> cases = {
      {"0123456789", std::nullopt, "0123456789"},
      {"0123456789", FetchPartial{0, 4}, "0123"},
      {"0123456789", FetchPartial{3, 4}, "3456"},
      {"0123456789", FetchPartial{8, 100}, "89"},
      {"0123456789", FetchPartial{9, 1}, "9"},
      {"0123456789", FetchPartial{10, 1}, ""},
      {"0123456789", FetchPartial{4000000000ULL, 5}, ""},
      {"0123456789", FetchPartial{2, UINT64_MAX}, "23456789"},
      {"", FetchPartial{0, 1}, ""},
  };
  for (const PartialCase& c : cases) {
    EXPECT_EQ(ApplyPartial(c.bytes, c.partial), c.expected);
  }
}

TEST(ApplyPartialTest, PartialOfASection) {
  Result<MessageStructure> message = MessageStructure::Parse(kPlain);
  ASSERT_TRUE(message.ok());
  // Dovecot: BODY[]<0.10> "Return-Pat", BODY[]<400.10> "ine.exampl",
  // BODY[TEXT]<5.1000> "b,\r\n\r\nthis is plain.\r\n".
  const std::string whole = message->Section(Part({}));
  EXPECT_EQ(ApplyPartial(whole, FetchPartial{0, 10}), "Return-Pat");
  EXPECT_EQ(ApplyPartial(whole, FetchPartial{400, 10}), "ine.exampl");
  const std::string text = message->Section(Part({}, SectionText::kText));
  EXPECT_EQ(ApplyPartial(text, FetchPartial{5, 1000}), "b,\r\n\r\nthis is plain.\r\n");
}

}  // namespace
}  // namespace mailvault::imap
