// The client's response parser: (wire bytes, expected responses) tables,
// any split of the stream, limits and errors, and cost on large literals.
#include "client/protocol/response_parser.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace mailvault::client {
namespace {

using imap::ImapToken;
using imap::TokenKind;
using namespace std::string_literals;

// One line per response, naming only the fields its kind uses; the helper
// fails the test if any other field is set.
std::string Describe(const Response& response) {
  std::string out;
  switch (response.kind) {
    case Response::Kind::kTagged:
      out = "TAGGED " + response.tag + " " + response.status + " code{" + response.code +
            "} text{" + response.text + "}";
      EXPECT_TRUE(response.data.empty()) << out;
      break;
    case Response::Kind::kUntagged:
      EXPECT_TRUE(response.tag.empty());
      if (!response.status.empty()) {
        out = "UNTAGGED " + response.status + " code{" + response.code + "} text{" + response.text +
              "}";
        EXPECT_TRUE(response.data.empty()) << out;
      } else {
        out = "DATA " + imap::DescribeTokens(response.data);
        EXPECT_TRUE(response.code.empty()) << out;
        EXPECT_TRUE(response.text.empty()) << out;
      }
      break;
    case Response::Kind::kContinuation:
      out = "CONTINUE text{" + response.text + "}";
      EXPECT_TRUE(response.tag.empty() && response.status.empty() && response.code.empty() &&
                  response.data.empty())
          << out;
      break;
  }
  return out;
}

// Feeds `input` in pieces of `chunk` bytes (0: all at once), collecting
// every response; an error ends the list as "ERROR <code>: <message>".
std::vector<std::string> ParseAll(std::string_view input, size_t chunk = 0,
                                  ResponseParser parser = ResponseParser()) {
  std::vector<std::string> out;
  if (chunk == 0) chunk = input.size() + 1;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    parser.Feed(input.substr(pos, chunk));
    for (;;) {
      auto next = parser.Next();
      if (!next.ok()) {
        out.push_back("ERROR " + next.status().ToString());
        return out;
      }
      if (!next->has_value()) break;
      out.push_back(Describe(**next));
    }
  }
  return out;
}

// The single response `input` holds.
std::string ParseOne(std::string_view input) {
  const std::vector<std::string> all = ParseAll(input);
  if (all.size() != 1) return "got " + std::to_string(all.size()) + " responses";
  return all[0];
}

// The parse of one complete response; fails the test on an error.
Response ParseResponse(std::string_view input) {
  ResponseParser parser;
  parser.Feed(input);
  auto next = parser.Next();
  EXPECT_TRUE(next.ok()) << next.status().ToString();
  if (!next.ok() || !next->has_value()) {
    ADD_FAILURE() << "no complete response";
    return Response();
  }
  return std::move(**next);
}

struct Case {
  std::string input;
  std::string expected;
};

TEST(ResponseParserTest, ParsesStatusResponses) {
  const std::vector<Case> cases = {
      {"a1 OK LOGIN completed\r\n", "TAGGED a1 OK code{} text{LOGIN completed}"},
      {"a2 NO [AUTHENTICATIONFAILED] Invalid credentials\r\n",
       "TAGGED a2 NO code{AUTHENTICATIONFAILED} text{Invalid credentials}"},
      {"a3 BAD Command unknown\r\n", "TAGGED a3 BAD code{} text{Command unknown}"},
      {"a4 OK [APPENDUID 38505 3955] APPEND completed\r\n",
       "TAGGED a4 OK code{APPENDUID 38505 3955} text{APPEND completed}"},
      {"a5 bad [CLIENTBUG] Nope\r\n", "TAGGED a5 BAD code{CLIENTBUG} text{Nope}"},
      {"a6 ok done\r\n", "TAGGED a6 OK code{} text{done}"},
      {"a7 OK\r\n", "TAGGED a7 OK code{} text{}"},
      {"a8 NO [TRYCREATE]\r\n", "TAGGED a8 NO code{TRYCREATE} text{}"},
      {"a9 OK [READ-WRITE] SELECT done\n", "TAGGED a9 OK code{READ-WRITE} text{SELECT done}"},
      {"b1 OK [COPYUID 38505 304,319:320 3956:3958] Done\r\n",
       "TAGGED b1 OK code{COPYUID 38505 304,319:320 3956:3958} text{Done}"},
      {"b2 NO [BADCHARSET (UTF-8 \"X\")] No\r\n",
       "TAGGED b2 NO code{BADCHARSET (UTF-8 \"X\")} text{No}"},
      {"b3 OK text with [brackets] and {5}\r\n",
       "TAGGED b3 OK code{} text{text with [brackets] and {5}}"},
      {"* OK [UIDVALIDITY 3] UIDs valid\r\n", "UNTAGGED OK code{UIDVALIDITY 3} text{UIDs valid}"},
      {"* OK [CAPABILITY IMAP4rev2 AUTH=PLAIN] mailvault ready\r\n",
       "UNTAGGED OK code{CAPABILITY IMAP4rev2 AUTH=PLAIN} text{mailvault ready}"},
      {"* BYE Logging out\r\n", "UNTAGGED BYE code{} text{Logging out}"},
      {"* BYE\r\n", "UNTAGGED BYE code{} text{}"},
      {"* PREAUTH [CAPABILITY IMAP4rev2] Welcome\r\n",
       "UNTAGGED PREAUTH code{CAPABILITY IMAP4rev2} text{Welcome}"},
      {"* NO [ALERT] Disk is \xC3\xBC full\r\n",
       "UNTAGGED NO code{ALERT} text{Disk is \xC3\xBC full}"},
      {"* ok [READ-ONLY]\r\n", "UNTAGGED OK code{READ-ONLY} text{}"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseOne(c.input), c.expected) << c.input;
  }
}

TEST(ResponseParserTest, ParsesUntaggedDataResponses) {
  const std::vector<Case> cases = {
      {"* 3 EXISTS\r\n", "DATA NUM(3) ATOM(EXISTS)"},
      {"* 3 EXPUNGE\r\n", "DATA NUM(3) ATOM(EXPUNGE)"},
      {"* CAPABILITY IMAP4rev2 IDLE\r\n", "DATA ATOM(CAPABILITY) ATOM(IMAP4rev2) ATOM(IDLE)"},
      {"* LIST (\\HasNoChildren \\Sent) \"/\" \"Sent\"\r\n",
       "DATA ATOM(LIST) LIST(ATOM(\\HasNoChildren) ATOM(\\Sent)) QUOTED(\"/\") QUOTED(\"Sent\")"},
      {"* LIST () NIL INBOX\r\n", "DATA ATOM(LIST) LIST() NIL ATOM(INBOX)"},
      {"* STATUS \"INBOX\" (MESSAGES 3 UIDNEXT 4)\r\n",
       "DATA ATOM(STATUS) QUOTED(\"INBOX\") LIST(ATOM(MESSAGES) NUM(3) ATOM(UIDNEXT) NUM(4))"},
      {"* ESEARCH (TAG \"a1\") UID ALL 1:3,5\r\n",
       "DATA ATOM(ESEARCH) LIST(ATOM(TAG) QUOTED(\"a1\")) ATOM(UID) ATOM(ALL) ATOM(1:3,5)"},
      {"* FLAGS (\\Seen \\*)\r\n", "DATA ATOM(FLAGS) LIST(ATOM(\\Seen) ATOM(\\*))"},
      {"* SEARCH 1 2\r\n", "DATA ATOM(SEARCH) NUM(1) NUM(2)"},
      {"* SEARCH\r\n", "DATA ATOM(SEARCH)"},
      {"* XKEY 5f0e9a ENCRYPTION kLX+/= 1700000000 ACTIVE\r\n",
       "DATA ATOM(XKEY) ATOM(5f0e9a) ATOM(ENCRYPTION) ATOM(kLX+/=) NUM(1700000000) ATOM(ACTIVE)"},
      {"* VANISHED (EARLIER) 1:3\r\n", "DATA ATOM(VANISHED) LIST(ATOM(EARLIER)) ATOM(1:3)"},
      {"* ENABLED IMAP4REV2\r\n", "DATA ATOM(ENABLED) ATOM(IMAP4REV2)"},
      {"* NAMESPACE ((\"\" \"/\")) NIL NIL\r\n",
       "DATA ATOM(NAMESPACE) LIST(LIST(QUOTED(\"\") QUOTED(\"/\"))) NIL NIL"},
      {"* NAMESPACE ((\"\" \"/\")(\"#shared/\" \"/\")) nil Nil\r\n",
       "DATA ATOM(NAMESPACE) LIST(LIST(QUOTED(\"\") QUOTED(\"/\")) LIST(QUOTED(\"#shared/\") "
       "QUOTED(\"/\"))) NIL NIL"},
      {"* ID NIL\r\n", "DATA ATOM(ID) NIL"},
      {"* ID (\"name\" \"mailvault\")\r\n",
       "DATA ATOM(ID) LIST(QUOTED(\"name\") QUOTED(\"mailvault\"))"},
      {"* 1 FETCH (UID 9 MODSEQ (12345))\n",
       "DATA NUM(1) ATOM(FETCH) LIST(ATOM(UID) NUM(9) ATOM(MODSEQ) LIST(NUM(12345)))"},
      {"* 2 FETCH (FLAGS () INTERNALDATE \"17-Jul-1996 02:44:25 -0700\")\r\n",
       "DATA NUM(2) ATOM(FETCH) LIST(ATOM(FLAGS) LIST() ATOM(INTERNALDATE) "
       "QUOTED(\"17-Jul-1996 02:44:25 -0700\"))"},
      // Quoted strings: escapes removed, UTF-8 kept.
      {"* LIST () \"/\" \"a\\\"b\\\\c \xC3\xA9t\xC3\xA9\"\r\n",
       "DATA ATOM(LIST) LIST() QUOTED(\"/\") QUOTED(\"a\\\"b\\\\c \\xC3\\xA9t\\xC3\\xA9\")"},
      // Brackets: a closed pair makes a section, an unclosed '[' or a lone
      // ']' is an atom character (as the server's tokenizer does).
      {"* LIST () \"/\" [Gmail]/Sent\r\n",
       "DATA ATOM(LIST) LIST() QUOTED(\"/\") SECTION([ATOM(Gmail)]/Sent)"},
      {"* LIST () \"/\" foo[bar\r\n", "DATA ATOM(LIST) LIST() QUOTED(\"/\") ATOM(foo[bar)"},
      {"* LIST () \"/\" foo]bar\r\n", "DATA ATOM(LIST) LIST() QUOTED(\"/\") ATOM(foo]bar)"},
      // Numbers are digits that fit in 64 bits; anything else stays an atom.
      {"* X 18446744073709551615 18446744073709551616 007 12a\r\n",
       "DATA ATOM(X) NUM(18446744073709551615) ATOM(18446744073709551616) NUM(7) ATOM(12a)"},
      {"* X  a   b \r\n", "DATA ATOM(X) ATOM(a) ATOM(b)"},
      {"* X a{b}\r\n", "DATA ATOM(X) ATOM(a{b})"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseOne(c.input), c.expected) << c.input;
  }
}

TEST(ResponseParserTest, ParsesFetchWithSectionsAndLiterals) {
  EXPECT_EQ(ParseOne("* 12 FETCH (UID 7 FLAGS (\\Seen) BINARY[1] {3}\r\nabc)\r\n"),
            "DATA NUM(12) ATOM(FETCH) LIST(ATOM(UID) NUM(7) ATOM(FLAGS) LIST(ATOM(\\Seen)) "
            "SECTION(BINARY[NUM(1)]) LIT(3:abc))");

  const Response response =
      ParseResponse("* 4 FETCH (BODY[HEADER.FIELDS (FROM TO)]<0> {5}\r\nFrom:)\r\n");
  ASSERT_EQ(response.data.size(), 3u);
  const ImapToken& list = response.data[2];
  ASSERT_EQ(list.kind, TokenKind::kList);
  ASSERT_EQ(list.children.size(), 2u);
  const ImapToken& section = list.children[0];
  EXPECT_EQ(section.kind, TokenKind::kSection);
  EXPECT_EQ(section.text, "BODY[HEADER.FIELDS (FROM TO)]<0>");
  EXPECT_EQ(section.section_open, 4u);
  EXPECT_EQ(section.section_close, 28u);
  EXPECT_EQ(section.SectionPrefix(), "BODY");
  EXPECT_EQ(section.SectionText(), "HEADER.FIELDS (FROM TO)");
  EXPECT_EQ(section.SectionSuffix(), "<0>");
  EXPECT_EQ(imap::DescribeTokens(section.children),
            "ATOM(HEADER.FIELDS) LIST(ATOM(FROM) ATOM(TO))");
  EXPECT_EQ(list.children[1].kind, TokenKind::kLiteral);
  EXPECT_EQ(list.children[1].text, "From:");
  EXPECT_FALSE(list.children[1].literal8);

  EXPECT_EQ(ParseOne("* 5 FETCH (BODY[] {0}\r\n BODY[1.MIME] NIL BINARY.SIZE[2] 10)\r\n"),
            "DATA NUM(5) ATOM(FETCH) LIST(SECTION(BODY[]) LIT(0:) SECTION(BODY[ATOM(1.MIME)]) "
            "NIL SECTION(BINARY.SIZE[NUM(2)]) NUM(10))");
}

// The FETCH a bridge issues for a whole message: two literals, one inside a
// list that stays open across them.
const std::string kTwoLiteralFetch =
    "* 7 FETCH (UID 42 BODY[HEADER] {26}\r\nSubject: hi\r\nFrom: a@b\r\n\r\n"
    " BODY[TEXT] {13}\r\nline 1\r\n.\r\n\r\n FLAGS (\\Seen))\r\n"
    "a9 OK FETCH done\r\n";

TEST(ResponseParserTest, ParsesResponseWithSeveralLiterals) {
  const std::vector<std::string> expected = {
      "DATA NUM(7) ATOM(FETCH) LIST(ATOM(UID) NUM(42) SECTION(BODY[ATOM(HEADER)]) "
      "LIT(26:Subject: hi\\x0D\\x0AFrom: a@b\\x0D\\x0A\\x0D\\x0A) SECTION(BODY[ATOM(TEXT)]) "
      "LIT(13:line 1\\x0D\\x0A.\\x0D\\x0A\\x0D\\x0A) ATOM(FLAGS) LIST(ATOM(\\Seen)))",
      "TAGGED a9 OK code{} text{FETCH done}"};
  EXPECT_EQ(ParseAll(kTwoLiteralFetch), expected);
}

TEST(ResponseParserTest, AnySplitGivesTheSameResponses) {
  const std::vector<std::string> whole = ParseAll(kTwoLiteralFetch);
  ASSERT_EQ(whole.size(), 2u);
  EXPECT_EQ(ParseAll(kTwoLiteralFetch, 1), whole);
  EXPECT_EQ(ParseAll(kTwoLiteralFetch, 7), whole);
  // Every two-piece split.
  for (size_t cut = 0; cut <= kTwoLiteralFetch.size(); ++cut) {
    ResponseParser parser;
    std::vector<std::string> got;
    for (std::string_view part : {std::string_view(kTwoLiteralFetch).substr(0, cut),
                                  std::string_view(kTwoLiteralFetch).substr(cut)}) {
      parser.Feed(part);
      for (;;) {
        auto next = parser.Next();
        ASSERT_TRUE(next.ok()) << next.status().ToString();
        if (!next->has_value()) break;
        got.push_back(Describe(**next));
      }
    }
    EXPECT_EQ(got, whole) << "cut at " << cut;
  }
}

TEST(ResponseParserTest, NeedsMoreUntilTheLineEnds) {
  ResponseParser parser;
  parser.Feed("* 3 EXI");
  auto next = parser.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  parser.Feed("STS\r");
  next = parser.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  parser.Feed("\n* 4 FETCH (BODY[] {4}\r\nab");
  next = parser.Next();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(Describe(**next), "DATA NUM(3) ATOM(EXISTS)");
  next = parser.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
  parser.Feed("cd)\r\n");
  next = parser.Next();
  ASSERT_TRUE(next.ok());
  ASSERT_TRUE(next->has_value());
  EXPECT_EQ(Describe(**next), "DATA NUM(4) ATOM(FETCH) LIST(SECTION(BODY[]) LIT(4:abcd))");
  next = parser.Next();
  ASSERT_TRUE(next.ok());
  EXPECT_FALSE(next->has_value());
}

TEST(ResponseParserTest, LiteralBytesAreNotInterpreted) {
  // CRLF, NUL and what looks like a tagged response, inside a literal.
  const std::string body = "x\r\nA1 OK done\r\n\0\r\n)"s;
  const std::string wire =
      "* 1 FETCH (BODY[] {" + std::to_string(body.size()) + "}\r\n" + body + ")\r\nA1 OK real\r\n";
  for (size_t chunk : {0, 1, 3}) {
    EXPECT_EQ(ParseAll(wire, chunk),
              (std::vector<std::string>{"DATA NUM(1) ATOM(FETCH) LIST(SECTION(BODY[]) "
                                        "LIT(19:x\\x0D\\x0AA1 OK done\\x0D\\x0A\\x00\\x0D\\x0A)))",
                                        "TAGGED A1 OK code{} text{real}"}))
        << "chunk " << chunk;
  }
  const Response response = ParseResponse(wire);
  ASSERT_EQ(response.data.size(), 3u);
  ASSERT_EQ(response.data[2].children.size(), 2u);
  EXPECT_EQ(response.data[2].children[1].text, body);
}

TEST(ResponseParserTest, ParsesLiteral8) {
  const std::string wire = "* 2 FETCH (BINARY[1] ~{4}\r\n\0\xFF\r\n)\r\n"s;
  EXPECT_EQ(ParseOne(wire),
            "DATA NUM(2) ATOM(FETCH) LIST(SECTION(BINARY[NUM(1)]) LIT8(4:\\x00\\xFF\\x0D\\x0A))");
  const Response response = ParseResponse(wire);
  const ImapToken& literal = response.data[2].children[1];
  EXPECT_EQ(literal.kind, TokenKind::kLiteral);
  EXPECT_TRUE(literal.literal8);
  EXPECT_EQ(literal.text, "\0\xFF\r\n"s);
  // '~' not followed by '{' is an ordinary atom.
  EXPECT_EQ(ParseOne("* LIST () \"/\" ~user\r\n"),
            "DATA ATOM(LIST) LIST() QUOTED(\"/\") ATOM(~user)");
}

TEST(ResponseParserTest, ParsesNestedLists) {
  EXPECT_EQ(ParseOne("* X (a (b (c ())) d) () e\r\n"),
            "DATA ATOM(X) LIST(ATOM(a) LIST(ATOM(b) LIST(ATOM(c) LIST())) ATOM(d)) LIST() ATOM(e)");
  EXPECT_EQ(ParseOne("* 1 FETCH (BODYSTRUCTURE ((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL "
                     "NIL \"7bit\" 5 1)(\"text\" \"html\" NIL NIL NIL \"7bit\" 9 1) "
                     "\"alternative\"))\r\n"),
            "DATA NUM(1) ATOM(FETCH) LIST(ATOM(BODYSTRUCTURE) LIST(LIST(QUOTED(\"text\") "
            "QUOTED(\"plain\") LIST(QUOTED(\"charset\") QUOTED(\"utf-8\")) NIL NIL "
            "QUOTED(\"7bit\") NUM(5) NUM(1)) LIST(QUOTED(\"text\") QUOTED(\"html\") NIL NIL NIL "
            "QUOTED(\"7bit\") NUM(9) NUM(1)) QUOTED(\"alternative\")))");
  // A list may stay open across a literal and close on a later line piece.
  EXPECT_EQ(ParseOne("* 3 FETCH (ENVELOPE (NIL {2}\r\nhi ((NIL NIL \"a\" \"b\"))))\r\n"),
            "DATA NUM(3) ATOM(FETCH) LIST(ATOM(ENVELOPE) LIST(NIL LIT(2:hi) "
            "LIST(LIST(NIL NIL QUOTED(\"a\") QUOTED(\"b\")))))");
}

TEST(ResponseParserTest, ParsesContinuations) {
  EXPECT_EQ(ParseOne("+ UGFzc3dvcmQ6+/9=\r\n"), "CONTINUE text{UGFzc3dvcmQ6+/9=}");
  EXPECT_EQ(ParseOne("+ Ready for literal data\r\n"), "CONTINUE text{Ready for literal data}");
  EXPECT_EQ(ParseOne("+\r\n"), "CONTINUE text{}");
  EXPECT_EQ(ParseOne("+ \r\n"), "CONTINUE text{}");
  EXPECT_EQ(ParseOne("+ \n"), "CONTINUE text{}");
  // Text that looks like a literal announcement is just text.
  EXPECT_EQ(ParseAll("+ send {5}\r\na1 OK x\r\n"),
            (std::vector<std::string>{"CONTINUE text{send {5}}", "TAGGED a1 OK code{} text{x}"}));
}

TEST(ResponseParserTest, ParsesPipelinedResponsesFromOneFeed) {
  EXPECT_EQ(ParseAll("* 2 EXISTS\r\n* OK [UIDNEXT 9] next\n+ go\r\nA2 NO [TRYCREATE] no\r\n"),
            (std::vector<std::string>{"DATA NUM(2) ATOM(EXISTS)",
                                      "UNTAGGED OK code{UIDNEXT 9} text{next}", "CONTINUE text{go}",
                                      "TAGGED A2 NO code{TRYCREATE} text{no}"}));
}

struct ErrorCase {
  std::string input;
  ErrorCode code;
  std::string message;
};

TEST(ResponseParserTest, RejectsMalformedResponses) {
  const std::vector<ErrorCase> cases = {
      {"* LIST () \"/\" \"INBOX\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: unterminated quoted string starting at offset 14"},
      {"* LIST () \"/\" \"IN\\\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: unterminated quoted string starting at offset 14"},
      {"* LIST () \"a\\nb\"\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: invalid escape in quoted string at offset 12 (only \\\" and \\\\ "
       "are allowed)"},
      {"* SEARCH 1 2)\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: unbalanced ')' at offset 12"},
      {"* 1 FETCH (UID 1))\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: unbalanced ')' at offset 17"},
      {"* 1 FETCH (UID 1\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: missing ')' at the end of the response"},
      {"* 1 FETCH (BODY[] {3}\r\nabc\r\n", ErrorCode::kMalformed,
       "IMAP response line 2: missing ')' at the end of the response"},
      {"* 1 FETCH (BODY[] {3}\r\nabcUID 1)\r\n", ErrorCode::kMalformed,
       "IMAP response line 2: missing space before 'U' at offset 0"},
      {"* 1 FETCH (UID\"x\")\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: missing space before '\"' at offset 14"},
      {"* X {3} more\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: literal announcement at offset 4 does not end the line"},
      {"* X {}\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: invalid literal announcement at offset 4"},
      {"* X {3+}\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: invalid literal announcement at offset 4"},
      {"* X BODY[{3}]\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: literal at offset 9 inside [section]"},
      {"* X BODY[(a]\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: missing ')' inside [section] at offset 11"},
      {"* {3}\r\nabc\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: untagged data response must start with an atom or number at "
       "offset 2"},
      {"* (a) b\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: untagged data response must start with an atom or number at "
       "offset 2"},
      {"*\r\n", ErrorCode::kMalformed, "IMAP response line 1: untagged response without content"},
      {"\r\n", ErrorCode::kMalformed, "IMAP response line 1: empty line"},
      {"a1 FETCH done\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: tagged response must be OK, NO or BAD at offset 3"},
      {"a1 BYE done\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: tagged response must be OK, NO or BAD at offset 3"},
      {"a1\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: tagged response must be OK, NO or BAD at offset 2"},
      {"a%1 OK x\r\n", ErrorCode::kMalformed, "IMAP response line 1: invalid '%' in tag"},
      {"a1 OK [ALERT no end\r\n", ErrorCode::kMalformed,
       "IMAP response line 1: response code without ']' at offset 6"},
      {"* 3 EXI\0STS\r\n"s, ErrorCode::kMalformed, "IMAP response line 1: NUL byte at offset 7"},
      {"* 3 EXI\rSTS\r\n", ErrorCode::kMalformed, "IMAP response line 1: bare CR at offset 7"},
  };
  for (const ErrorCase& c : cases) {
    ResponseParser parser;
    parser.Feed(c.input);
    auto next = parser.Next();
    ASSERT_FALSE(next.ok()) << c.input;
    EXPECT_EQ(next.status().code(), c.code) << c.input;
    EXPECT_EQ(next.status().message(), c.message) << c.input;
  }
}

TEST(ResponseParserTest, ErrorIsStickyAndDoesNotQuoteLiterals) {
  ResponseParser parser;
  parser.Feed("* 1 FETCH (BODY[] {14}\r\nsecret-content \"\r\n");
  auto next = parser.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().message(),
            "IMAP response line 2: unterminated quoted string starting at offset 1");
  EXPECT_EQ(next.status().message().find("secret"), std::string::npos);
  // Unusable afterwards, even for a good response.
  parser.Feed("a1 OK fine\r\n");
  next = parser.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kMalformed);
  EXPECT_EQ(next.status().message(),
            "IMAP response line 2: unterminated quoted string starting at offset 1");
}

TEST(ResponseParserTest, RefusesLiteralOverLimitBeforeItsBytes) {
  ResponseParser parser(/*max_literal=*/100);
  parser.Feed("* 1 FETCH (BODY[] {101}\r\n");  // no literal byte sent yet
  auto next = parser.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(next.status().message(),
            "IMAP response line 1: literal at offset 18 of 101 bytes exceeds the limit of 100 "
            "bytes");

  ResponseParser exact(/*max_literal=*/100);
  EXPECT_EQ(
      ParseAll("* 1 FETCH (BODY[] {100}\r\n" + std::string(100, 'x') + ")\r\n", 0, std::move(exact))
          .size(),
      1u);

  ResponseParser huge;
  huge.Feed("* 1 FETCH (BINARY[] ~{99999999999999999999999}\r\n");
  next = huge.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(next.status().message(),
            "IMAP response line 1: literal at offset 20 of more than 2^64 bytes exceeds the limit "
            "of 67108864 bytes");
}

TEST(ResponseParserTest, RefusesLineOverLimit) {
  // A complete line one byte too long; the line end does not count.
  const std::string ok_line = "* SEARCH " + std::string(11, '1') + "\r\n";  // 20 bytes of text
  EXPECT_EQ(ParseAll(ok_line, 0, ResponseParser(1 << 20, 20)),
            std::vector<std::string>{"DATA ATOM(SEARCH) NUM(11111111111)"});
  EXPECT_EQ(ParseAll("* SEARCH " + std::string(12, '1') + "\r\n", 0, ResponseParser(1 << 20, 20)),
            std::vector<std::string>{
                "ERROR invalid_argument: IMAP response line 1: line longer than the limit of "
                "20 bytes"});

  // A line that never ends is refused as soon as it passes the limit.
  ResponseParser parser(1 << 20, 1000);
  parser.Feed("* SEARCH");
  for (int i = 0; i < 100; ++i) {
    auto next = parser.Next();
    ASSERT_TRUE(next.ok()) << i;
    ASSERT_FALSE(next->has_value());
    parser.Feed(" 123456789");
  }
  auto next = parser.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(next.status().message(),
            "IMAP response line 1: line longer than the limit of 1000 bytes");

  // The budget covers all line pieces of one response, not its literals.
  const std::string two_pieces = "* 1 FETCH (BODY[] {30}\r\n" + std::string(30, 'x') +
                                 " UID 1234567)\r\n";  // 22 + 13 bytes of text
  EXPECT_EQ(ParseAll(two_pieces, 0, ResponseParser(1 << 20, 35)).size(), 1u);
  EXPECT_EQ(ParseAll(two_pieces, 0, ResponseParser(1 << 20, 34)),
            std::vector<std::string>{
                "ERROR invalid_argument: IMAP response line 2: line longer than the limit of "
                "34 bytes"});
}

TEST(ResponseParserTest, RefusesListsNestedTooDeep) {
  const std::string ok = "* X " + std::string(256, '(') + std::string(256, ')') + "\r\n";
  ASSERT_EQ(ParseAll(ok).size(), 1u);
  EXPECT_EQ(ParseAll(ok)[0].rfind("DATA ATOM(X) LIST(LIST(", 0), 0u);
  const std::string deep = "* X " + std::string(257, '(') + std::string(257, ')') + "\r\n";
  EXPECT_EQ(ParseAll(deep),
            std::vector<std::string>{"ERROR invalid_argument: IMAP response line 1: lists nested "
                                     "deeper than 256 at offset 260"});
}

// A hostile vault: whatever it announces or repeats, the cost of the
// responses to one command is bounded, and checked before it is taken.
TEST(ResponseParserTest, RefusesResponsesOverTheBatchLimit) {
  const uint64_t status_cost = sizeof(Response) + std::string_view("* OK x").size();
  const std::string kOver = "ERROR invalid_argument: IMAP response line 1: the responses to one command "
                            "exceed the limit of ";
  struct BatchCase {
    std::string name;
    std::string input;
    uint64_t max_batch;
    std::vector<std::string> expected;
  };
  const std::vector<BatchCase> cases = {
      {"a literal is charged when announced, before its bytes",
       "* 1 FETCH (BODY[] {2000}\r\n", 1000, {kOver + "1000 bytes"}},
      {"a literal within the budget", "* 1 FETCH (BODY[] {20}\r\n" + std::string(20, 'x') + ")\r\n",
       1000, {"DATA NUM(1) ATOM(FETCH) LIST(SECTION(BODY[]) LIT(20:xxxxxxxxxxxxxxxxxxxx))"}},
      {"endless untagged responses", std::string("* OK x\r\n* OK x\r\n* OK x\r\n"),
       2 * status_cost,
       {"UNTAGGED OK code{} text{x}", "UNTAGGED OK code{} text{x}", kOver +
            std::to_string(2 * status_cost) + " bytes"}},
      {"a line of tiny tokens costs their memory, not their bytes",
       "* X" + [] { std::string a; for (int i = 0; i < 1000; ++i) a += " a"; return a; }() + "\r\n",
       20000,
       {"ERROR invalid_argument: IMAP response line 1: the responses to one command hold too "
        "many tokens at offset " +
        std::to_string(3 + 2 * ((20000 - sizeof(Response) - 2003) / sizeof(ImapToken)))}},
  };
  for (const BatchCase& c : cases) {
    EXPECT_EQ(ParseAll(c.input, 0, ResponseParser(64 << 20, 1 << 20, c.max_batch)), c.expected)
        << c.name;
    EXPECT_EQ(ParseAll(c.input, 7, ResponseParser(64 << 20, 1 << 20, c.max_batch)), c.expected)
        << c.name << ", fed in pieces";
  }
}

TEST(ResponseParserTest, EachBatchStartsAfresh) {
  const uint64_t status_cost = sizeof(Response) + std::string_view("* OK x").size();
  ResponseParser parser(64 << 20, 1 << 20, 3 * status_cost);
  for (int command = 0; command < 10; ++command) {
    parser.StartBatch();
    parser.Feed("* OK x\r\n* OK x\r\n* OK x\r\n");
    for (int i = 0; i < 3; ++i) {
      auto next = parser.Next();
      ASSERT_TRUE(next.ok()) << next.status().ToString();
      ASSERT_TRUE(next->has_value());
    }
  }
  parser.Feed("* OK x\r\n");  // a fourth in the same batch
  auto next = parser.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_EQ(next.status().code(), ErrorCode::kInvalidArgument);
}

TEST(ResponseParserTest, ParsesLargeLiteralFedInChunks) {
  constexpr size_t kSize = 10 << 20;
  std::string body(kSize, '\0');
  for (size_t i = 0; i < kSize; ++i) body[i] = static_cast<char>((i * 131 + i / 4096) & 0xFF);
  const std::string wire = "* 1 FETCH (UID 5 BODY[] {" + std::to_string(kSize) + "}\r\n" + body +
                           " FLAGS (\\Seen))\r\na1 OK done\r\n";

  ResponseParser parser;
  std::vector<Response> responses;
  constexpr size_t kChunk = 64 << 10;
  for (size_t pos = 0; pos < wire.size(); pos += kChunk) {
    parser.Feed(std::string_view(wire).substr(pos, kChunk));
    for (;;) {
      auto next = parser.Next();
      ASSERT_TRUE(next.ok()) << next.status().ToString();
      if (!next->has_value()) break;
      responses.push_back(std::move(**next));
    }
  }
  ASSERT_EQ(responses.size(), 2u);
  ASSERT_EQ(responses[0].data.size(), 3u);
  const ImapToken& list = responses[0].data[2];
  ASSERT_EQ(list.children.size(), 6u);
  EXPECT_EQ(list.children[3].kind, TokenKind::kLiteral);
  EXPECT_TRUE(list.children[3].text == body);
  EXPECT_EQ(imap::DescribeToken(list.children[5]), "LIST(ATOM(\\Seen))");
  EXPECT_EQ(Describe(responses[1]), "TAGGED a1 OK code{} text{done}");
}

TEST(ResponseParserTest, LongLineInSmallFeeds) {
  // An 8 MiB ESEARCH sequence set in 64-byte feeds. No clock is asserted
  // here (timed unit tests flake on a busy machine); a parser that rescanned
  // the pending line on every feed would make this test take minutes.
  std::string set = "1";
  for (uint64_t uid = 3; set.size() < (8u << 20); uid += 2) set += "," + std::to_string(uid);
  const std::string wire = "* ESEARCH (TAG \"a1\") UID ALL " + set + "\r\n";

  ResponseParser parser(/*max_literal=*/0, /*max_line=*/16 << 20);
  std::optional<Response> response;
  for (size_t pos = 0; pos < wire.size(); pos += 64) {
    parser.Feed(std::string_view(wire).substr(pos, 64));
    auto next = parser.Next();
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    if (next->has_value()) {
      ASSERT_FALSE(response.has_value());
      response = std::move(**next);
    }
  }
  ASSERT_TRUE(response.has_value());
  ASSERT_EQ(response->data.size(), 5u);
  EXPECT_EQ(imap::DescribeTokens(
                std::vector<ImapToken>(response->data.begin(), response->data.begin() + 4)),
            "ATOM(ESEARCH) LIST(ATOM(TAG) QUOTED(\"a1\")) ATOM(UID) ATOM(ALL)");
  EXPECT_EQ(response->data[4].kind, TokenKind::kAtom);
  EXPECT_TRUE(response->data[4].text == set);
}

}  // namespace
}  // namespace mailvault::client
