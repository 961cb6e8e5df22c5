#include "common/imap/search_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

std::string KindName(SearchKeyKind kind) {
  static const char* const kNames[] = {
      "ALL",       "ANSWERED",  "DELETED",    "DRAFT",     "FLAGGED", "SEEN",       "RECENT",
      "NEW",       "OLD",       "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED",  "UNSEEN",
      "KEYWORD",   "UNKEYWORD", "BEFORE",     "ON",        "SINCE",   "SENTBEFORE", "SENTON",
      "SENTSINCE", "LARGER",    "SMALLER",    "UID",       "SET",     "MODSEQ",     "NOT",
      "OR",        "AND",       "BCC",        "BODY",      "CC",      "FROM",       "HEADER",
      "SUBJECT",   "TEXT",      "TO"};
  return kNames[static_cast<int>(kind)];
}

// (AND (FROM "x") (NOT (SEEN)) ...)
std::string Describe(const SearchKey& key) {
  std::string out = "(" + KindName(key.kind);
  switch (key.kind) {
    case SearchKeyKind::kBefore:
    case SearchKeyKind::kOn:
    case SearchKeyKind::kSince:
    case SearchKeyKind::kSentBefore:
    case SearchKeyKind::kSentOn:
    case SearchKeyKind::kSentSince:
      out += " " + std::to_string(key.date.year) + "-" + std::to_string(key.date.month) + "-" +
             std::to_string(key.date.day);
      break;
    case SearchKeyKind::kLarger:
    case SearchKeyKind::kSmaller:
      out += " " + std::to_string(key.number);
      break;
    case SearchKeyKind::kModSeq:
      if (!key.text.empty()) out += " \"" + key.text + "\" " + key.value;
      out += " " + std::to_string(key.number);
      break;
    case SearchKeyKind::kUid:
    case SearchKeyKind::kSequenceSet:
      out += " " + key.set.ToString();
      break;
    case SearchKeyKind::kHeader:
      out += " \"" + key.text + "\" \"" + key.value + "\"";
      break;
    default:
      if (!key.text.empty() || key.IsContentKey()) out += " \"" + key.text + "\"";
  }
  for (const SearchKey& child : key.children) out += " " + Describe(child);
  if (key.IsContentKey()) out += "*";
  return out + ")";
}

std::string Parse(std::string_view line) {
  const ImapCommand command = testing::ReceiveCommand(line);
  if (command.name != "SEARCH") return "no command: " + command.tag;
  Result<SearchArgs> args = ParseSearchArgs(command);
  if (!args.ok()) return "error: " + args.status().message();
  std::string out;
  if (args->esearch) {
    out += "RETURN(";
    if (args->returns.min) out += " MIN";
    if (args->returns.max) out += " MAX";
    if (args->returns.all) out += " ALL";
    if (args->returns.ImpliesAll()) out += " (ALL)";
    if (args->returns.count) out += " COUNT";
    if (args->returns.save) out += " SAVE";
    if (args->returns.context) out += " CONTEXT";
    if (args->returns.update) out += " UPDATE";
    if (args->returns.update_fetch) out += " " + DescribeToken(*args->returns.update_fetch);
    if (const auto& p = args->returns.partial) {
      out += " PARTIAL " + std::string(p->from_end ? "last " : "first ") +
             std::to_string(p->low) + "-" + std::to_string(p->high) + " as " + p->as_sent;
    }
    out += " ) ";
  }
  if (!args->charset.empty()) out += "CHARSET " + args->charset + " ";
  out += Describe(args->key);
  if (args->has_content_keys) out += " content";
  if (args->uses_modseq) out += " modseq";
  if (args->uses_saved_result) out += " saved";
  return out;
}

struct Case {
  std::string line;
  std::string expected;
};

TEST(SearchArgsTest, ParsesTheSearchKeyGrammarIntoATree) {
  const std::vector<Case> cases = {
      {"a SEARCH ALL", "(AND (ALL))"},
      {"a SEARCH seen unseen ANSWERED UNANSWERED DELETED UNDELETED DRAFT UNDRAFT FLAGGED "
       "UNFLAGGED RECENT NEW OLD",
       "(AND (SEEN) (UNSEEN) (ANSWERED) (UNANSWERED) (DELETED) (UNDELETED) (DRAFT) (UNDRAFT) "
       "(FLAGGED) (UNFLAGGED) (RECENT) (NEW) (OLD))"},
      {"a SEARCH KEYWORD $Junk UNKEYWORD work", "(AND (KEYWORD \"$Junk\") (UNKEYWORD \"work\"))"},
      {"a SEARCH BEFORE 1-Feb-1994 ON \"15-Mar-2020\" SINCE 01-jan-2000",
       "(AND (BEFORE 1994-2-1) (ON 2020-3-15) (SINCE 2000-1-1))"},
      {"a SEARCH SENTBEFORE 1-Feb-1994 SENTON 1-Feb-1994 SENTSINCE 1-Feb-1994",
       "(AND (SENTBEFORE 1994-2-1) (SENTON 1994-2-1) (SENTSINCE 1994-2-1))"},
      {"a SEARCH LARGER 1000 SMALLER 18446744073709551615",
       "(AND (LARGER 1000) (SMALLER 18446744073709551615))"},
      {"a SEARCH UID 1:100,200:* 1:5", "(AND (UID 1:100,200:*) (SET 1:5))"},
      {"a SEARCH 2 *", "(AND (SET 2) (SET *))"},
      {"a SEARCH NOT SEEN", "(AND (NOT (SEEN)))"},
      {"a SEARCH OR SEEN FLAGGED", "(AND (OR (SEEN) (FLAGGED)))"},
      {"a SEARCH OR (SEEN UNFLAGGED) NOT OR DRAFT DELETED",
       "(AND (OR (AND (SEEN) (UNFLAGGED)) (NOT (OR (DRAFT) (DELETED)))))"},
      {"a SEARCH FROM alice TO \"Bob B\" CC c BCC d SUBJECT {5}\r\nhello BODY x TEXT y",
       "(AND (FROM \"alice\"*) (TO \"Bob B\"*) (CC \"c\"*) (BCC \"d\"*) (SUBJECT \"hello\"*) "
       "(BODY \"x\"*) (TEXT \"y\"*)) content"},
      {"a SEARCH HEADER Message-ID \"<x@y>\" HEADER X-Empty \"\"",
       "(AND (HEADER \"Message-ID\" \"<x@y>\"*) (HEADER \"X-Empty\" \"\"*)) content"},
      {"a SEARCH NOT (FROM x)", "(AND (NOT (AND (FROM \"x\"*)))) content"},
      {"a SEARCH MODSEQ 620162338", "(AND (MODSEQ 620162338)) modseq"},
      {"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338",
       "(AND (MODSEQ \"/flags/\\draft\" all 620162338)) modseq"},
      {"a SEARCH CHARSET utf-8 SUBJECT \"Gr\xC3\xBC\xC3\x9F\x65\"",
       "CHARSET UTF-8 (AND (SUBJECT \"Gr\xC3\xBC\xC3\x9F\x65\"*)) content"},
      {"a SEARCH RETURN (MIN MAX COUNT) ALL", "RETURN( MIN MAX COUNT ) (AND (ALL))"},
      {"a SEARCH RETURN () SEEN", "RETURN( (ALL) ) (AND (SEEN))"},
      // RFC 5267 4.2 and 4.3: CONTEXT and UPDATE alone imply ALL.
      {"a SEARCH RETURN (CONTEXT UPDATE) SEEN", "RETURN( (ALL) CONTEXT UPDATE ) (AND (SEEN))"},
      {"a SEARCH RETURN (UPDATE COUNT) DELETED", "RETURN( COUNT UPDATE ) (AND (DELETED))"},
      {"a SEARCH RETURN (SAVE UPDATE) DELETED", "RETURN( (ALL) SAVE UPDATE ) (AND (DELETED))"},
      // RFC 5465 7: UPDATE may name what to fetch of new messages.
      {"a SEARCH RETURN (COUNT UPDATE (UID BODY.PEEK[HEADER])) FROM boss",
       "RETURN( COUNT UPDATE LIST(ATOM(UID) SECTION(BODY.PEEK[ATOM(HEADER)])) ) "
       "(AND (FROM \"boss\"*)) content"},
      // RFC 9394 3.1's examples; 500:400 is 400:500.
      {"a UID SEARCH RETURN (PARTIAL 1:500) UNDELETED",
       "RETURN( PARTIAL first 1-500 as 1:500 ) (AND (UNDELETED))"},
      {"a UID SEARCH RETURN (PARTIAL -1:-100) UNDELETED UNKEYWORD $Junk",
       "RETURN( PARTIAL last 1-100 as -1:-100 ) (AND (UNDELETED) (UNKEYWORD \"$Junk\"))"},
      {"a SEARCH RETURN (MIN partial 500:400 COUNT) ALL",
       "RETURN( MIN COUNT PARTIAL first 400-500 as 500:400 ) (AND (ALL))"},
      {"a SEARCH RETURN (PARTIAL 4294967295:1) ALL",
       "RETURN( PARTIAL first 1-4294967295 as 4294967295:1 ) (AND (ALL))"},
      {"a SEARCH RETURN (SAVE) CHARSET US-ASCII UNSEEN",
       "RETURN( SAVE ) CHARSET US-ASCII (AND (UNSEEN))"},
      {"a SEARCH $ UID $", "(AND (SET $) (UID $)) saved"},
      {"a UID SEARCH UID 5:*", "(AND (UID 5:*))"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

TEST(SearchArgsTest, RefusesInvalidSearchesPrecisely) {
  const std::vector<Case> cases = {
      {"a SEARCH", "error: SEARCH: missing search key"},
      {"a SEARCH FOO", "error: SEARCH: unknown search key FOO"},
      {"a SEARCH \"ALL\"", "error: SEARCH: expected a search key, got quoted string"},
      {"a SEARCH ()", "error: SEARCH: empty parenthesised search key"},
      {"a SEARCH NOT", "error: SEARCH: missing search key after NOT"},
      {"a SEARCH OR SEEN", "error: SEARCH: missing search key after OR"},
      {"a SEARCH FROM", "error: SEARCH: missing a string after FROM"},
      {"a SEARCH HEADER Subject", "error: SEARCH: missing string after HEADER Subject"},
      {"a SEARCH BEFORE", "error: SEARCH: missing a date after BEFORE"},
      {"a SEARCH BEFORE 1994-02-01", "error: SEARCH: invalid day \"1994\" in date"},
      {"a SEARCH BEFORE 1.2.1994", "error: SEARCH: invalid date \"1.2.1994\": expected d-Mon-yyyy"},
      {"a SEARCH SINCE 31-Feb-2020", "error: SEARCH: day 31 does not exist in Feb 2020"},
      {"a SEARCH ON (1-Feb-1994)",
       "error: SEARCH: expected a date after ON, got parenthesised list"},
      {"a SEARCH LARGER big", "error: SEARCH: expected LARGER argument, got atom big"},
      {"a SEARCH SMALLER 99999999999999999999",
       "error: SEARCH: expected SMALLER argument, got "
       "atom 99999999999999999999"},
      {"a SEARCH UID 0", "error: SEARCH: 0 is not a valid message number or UID"},
      {"a SEARCH UID", "error: SEARCH: missing a UID set after UID"},
      {"a SEARCH 1:x", "error: SEARCH: invalid character 'x' in sequence set"},
      {"a SEARCH KEYWORD \\Seen", "error: SEARCH: expected a keyword, got system flag \\Seen"},
      {"a SEARCH KEYWORD", "error: SEARCH: missing a keyword after KEYWORD"},
      {"a SEARCH CHARSET", "error: SEARCH: missing charset name after CHARSET"},
      {"a SEARCH CHARSET UTF-8", "error: SEARCH: missing search key"},
      {"a SEARCH RETURN ALL", "error: SEARCH: RETURN requires a parenthesised option list"},
      {"a SEARCH RETURN (FOO) ALL", "error: SEARCH: unknown RETURN option atom FOO"},
      // RFC 9394 3.1 and 4: one PARTIAL or ALL; a range of one sign, no "*", no 0.
      {"a SEARCH RETURN (PARTIAL 1:5 ALL) ALL",
       "error: SEARCH: RETURN cannot have both PARTIAL and ALL"},
      {"a SEARCH RETURN (PARTIAL 1:5 PARTIAL 6:9) ALL",
       "error: SEARCH: RETURN option PARTIAL given twice"},
      {"a SEARCH RETURN (ALL ALL) ALL", "error: SEARCH: RETURN option ALL given twice"},
      {"a SEARCH RETURN (UPDATE UPDATE) ALL", "error: SEARCH: RETURN option UPDATE given twice"},
      {"a SEARCH RETURN (PARTIAL) ALL", "error: SEARCH: PARTIAL needs a range (RFC 9394)"},
      {"a SEARCH RETURN (PARTIAL 0:5) ALL",
       "error: SEARCH: PARTIAL needs a range like 1:500 or -1:-100 (RFC 9394), not atom 0:5"},
      {"a SEARCH RETURN (PARTIAL 1:*) ALL",
       "error: SEARCH: PARTIAL needs a range like 1:500 or -1:-100 (RFC 9394), not atom 1:*"},
      {"a SEARCH RETURN (PARTIAL -1:5) ALL",
       "error: SEARCH: PARTIAL needs a range like 1:500 or -1:-100 (RFC 9394), not atom -1:5"},
      {"a SEARCH RETURN (PARTIAL 5) ALL",
       "error: SEARCH: PARTIAL needs a range like 1:500 or -1:-100 (RFC 9394), not number 5"},
      {"a SEARCH RETURN (PARTIAL \"1:5\") ALL",
       "error: SEARCH: PARTIAL needs a range like 1:500 or -1:-100 (RFC 9394), not quoted string"},
      {"a SEARCH RETURN (PARTIAL 1:4294967296) ALL",
       "error: SEARCH: PARTIAL needs a range like 1:500 or -1:-100 (RFC 9394), not atom "
       "1:4294967296"},
      {"a SEARCH CHARSET UTF-8 RETURN (MIN) ALL", "error: SEARCH: unknown search key RETURN"},
      {"a SEARCH MODSEQ", "error: SEARCH: missing mod-sequence after MODSEQ"},
      {"a SEARCH MODSEQ \"/flags/x\" every 5",
       "error: SEARCH: MODSEQ entry type must be priv, shared or all"},
      {"a SEARCH MODSEQ \"/other\" all 5",
       "error: SEARCH: MODSEQ entry name must start with /flags/"},
      {"a SEARCH FROM ~{1}\r\nx",
       "error: SEARCH: literal8 (~{n}) is only allowed for APPEND "
       "message data"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

TEST(SearchArgsTest, RefusesChainsOfNotDeeperThanTheLimit) {
  std::string ok = "a SEARCH";
  for (size_t i = 1; i < kMaxSearchDepth; ++i) ok += " NOT";
  EXPECT_EQ(Parse(ok + " SEEN").substr(0, 15), "(AND (NOT (NOT ");
  std::string deep = "a SEARCH";
  for (int i = 0; i < 5000; ++i) deep += " NOT";
  EXPECT_EQ(Parse(deep + " SEEN"), "error: SEARCH: search keys nested deeper than 32");
  std::string ors = "a SEARCH";
  for (int i = 0; i < 5000; ++i) ors += " OR SEEN";
  EXPECT_EQ(Parse(ors + " SEEN"), "error: SEARCH: search keys nested deeper than 32");
}

TEST(SearchArgsTest, KnowsWhichCharsetsAreSupported) {
  EXPECT_TRUE(IsSupportedSearchCharset("utf-8"));
  EXPECT_TRUE(IsSupportedSearchCharset("US-ASCII"));
  EXPECT_FALSE(IsSupportedSearchCharset("ISO-8859-1"));
}

// Found by the imap_args fuzz target: the error quoted a HEADER field name
// sent as a literal, CR LF included, into the BAD line.
TEST(SearchArgsTest, AnErrorQuotingALiteralStaysOnOneLine) {
  const ImapCommand command = testing::ReceiveCommand("a SEARCH HEADER {10}\r\na\r\n* BYE x");
  ASSERT_EQ(command.name, "SEARCH") << command.tag;
  Result<SearchArgs> args = ParseSearchArgs(command);
  ASSERT_FALSE(args.ok());
  EXPECT_EQ(args.status().message(), "SEARCH: missing string after HEADER a\\x0D\\x0A* BYE x");
}

}  // namespace
}  // namespace mailvault::imap
