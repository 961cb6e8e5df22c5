#include "common/imap/fetch_args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap {
namespace {

std::string SectionText(const FetchSection& section) {
  std::string out;
  for (size_t i = 0; i < section.part.size(); ++i) {
    if (i > 0) out += '.';
    out += std::to_string(section.part[i]);
  }
  const char* text = "";
  switch (section.text) {
    case SectionText::kAll:
      break;
    case SectionText::kHeader:
      text = "HEADER";
      break;
    case SectionText::kHeaderFields:
      text = "HEADER.FIELDS";
      break;
    case SectionText::kHeaderFieldsNot:
      text = "HEADER.FIELDS.NOT";
      break;
    case SectionText::kText:
      text = "TEXT";
      break;
    case SectionText::kMime:
      text = "MIME";
      break;
  }
  if (*text != '\0') out += std::string(out.empty() ? "" : ".") + text;
  if (!section.header_fields.empty()) {
    out += " (";
    for (size_t i = 0; i < section.header_fields.size(); ++i) {
      out += (i > 0 ? " " : "") + section.header_fields[i];
    }
    out += ")";
  }
  return out;
}

std::string Describe(const FetchArgs& args) {
  std::string out = "set=" + args.set.ToString() + " items=";
  for (size_t i = 0; i < args.items.size(); ++i) {
    const FetchItem& item = args.items[i];
    if (i > 0) out += ",";
    switch (item.kind) {
      case FetchItemKind::kEnvelope:
        out += "ENVELOPE";
        break;
      case FetchItemKind::kFlags:
        out += "FLAGS";
        break;
      case FetchItemKind::kInternalDate:
        out += "INTERNALDATE";
        break;
      case FetchItemKind::kRfc822:
        out += "RFC822";
        break;
      case FetchItemKind::kRfc822Header:
        out += "RFC822.HEADER";
        break;
      case FetchItemKind::kRfc822Size:
        out += "RFC822.SIZE";
        break;
      case FetchItemKind::kRfc822Text:
        out += "RFC822.TEXT";
        break;
      case FetchItemKind::kBody:
        out += "BODY";
        break;
      case FetchItemKind::kBodyStructure:
        out += "BODYSTRUCTURE";
        break;
      case FetchItemKind::kUid:
        out += "UID";
        break;
      case FetchItemKind::kModSeq:
        out += "MODSEQ";
        break;
      case FetchItemKind::kBodySection:
        out += item.peek ? "BODY.PEEK" : "BODY";
        break;
      case FetchItemKind::kBinary:
        out += item.peek ? "BINARY.PEEK" : "BINARY";
        break;
      case FetchItemKind::kBinarySize:
        out += "BINARY.SIZE";
        break;
    }
    if (item.kind == FetchItemKind::kBodySection || item.kind == FetchItemKind::kBinary ||
        item.kind == FetchItemKind::kBinarySize) {
      out += "[" + SectionText(item.section) + "]";
    }
    if (item.partial.has_value()) {
      out += "<" + std::to_string(item.partial->offset) + "." +
             std::to_string(item.partial->length) + ">";
    }
  }
  if (args.changed_since.has_value()) out += " changedsince=" + std::to_string(*args.changed_since);
  if (args.partial.has_value()) out += " partial=" + args.partial->as_sent;
  if (args.sets_seen) out += " seen";
  if (args.uses_condstore) out += " condstore";
  return out;
}

std::string Parse(std::string_view line) {
  const ImapCommand command = testing::ReceiveCommand(line);
  if (command.name != "FETCH") return "no command: " + command.tag;
  Result<FetchArgs> args = ParseFetchArgs(command);
  return args.ok() ? Describe(args.value()) : "error: " + args.status().message();
}

struct Case {
  std::string line;
  std::string expected;
};

TEST(FetchArgsTest, ParsesItemsMacrosSectionsAndModifiers) {
  const std::vector<Case> cases = {
      {"a FETCH 1 FLAGS", "set=1 items=FLAGS"},
      {"a FETCH 1:* (flags uid)", "set=1:* items=FLAGS,UID"},
      {"a FETCH 1 ALL", "set=1 items=FLAGS,INTERNALDATE,RFC822.SIZE,ENVELOPE"},
      {"a FETCH 1 fast", "set=1 items=FLAGS,INTERNALDATE,RFC822.SIZE"},
      {"a FETCH 1 FULL", "set=1 items=FLAGS,INTERNALDATE,RFC822.SIZE,ENVELOPE,BODY"},
      {"a FETCH 2,4 (ENVELOPE BODYSTRUCTURE BODY INTERNALDATE RFC822.SIZE)",
       "set=2,4 items=ENVELOPE,BODYSTRUCTURE,BODY,INTERNALDATE,RFC822.SIZE"},
      {"a FETCH 1 (RFC822 RFC822.HEADER RFC822.TEXT)",
       "set=1 items=RFC822,RFC822.HEADER,RFC822.TEXT seen"},
      {"a FETCH 1 BODY[]", "set=1 items=BODY[] seen"},
      {"a FETCH 1 BODY.PEEK[]<0.1024>", "set=1 items=BODY.PEEK[]<0.1024>"},
      {"a FETCH 1 body.peek[header]", "set=1 items=BODY.PEEK[HEADER]"},
      {"a FETCH 1 (BODY.PEEK[HEADER.FIELDS (From To \"Message-ID\")])",
       "set=1 items=BODY.PEEK[HEADER.FIELDS (From To Message-ID)]"},
      {"a FETCH 1 BODY[1.2.HEADER.FIELDS.NOT (Received)]<5.10>",
       "set=1 items=BODY[1.2.HEADER.FIELDS.NOT (Received)]<5.10> seen"},
      {"a FETCH 1 (BODY.PEEK[1] BODY.PEEK[1.2.3] BODY.PEEK[2.MIME] BODY.PEEK[TEXT])",
       "set=1 items=BODY.PEEK[1],BODY.PEEK[1.2.3],BODY.PEEK[2.MIME],BODY.PEEK[TEXT]"},
      {"a FETCH 1 (BINARY.PEEK[1]<0.100> BINARY.SIZE[1] BINARY[])",
       "set=1 items=BINARY.PEEK[1]<0.100>,BINARY.SIZE[1],BINARY[] seen"},
      {"a FETCH 1 (FLAGS MODSEQ)", "set=1 items=FLAGS,MODSEQ condstore"},
      {"a FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)",
       "set=1:* items=FLAGS,MODSEQ changedsince=12345 condstore"},
      {"a UID FETCH 1:* FLAGS", "set=1:* items=FLAGS,UID"},
      {"a UID FETCH 5 (UID FLAGS)", "set=5 items=UID,FLAGS"},
      {"a FETCH 1 (FLAGS FLAGS)", "set=1 items=FLAGS"},
      {"a FETCH $ FLAGS", "set=$ items=FLAGS"},
      // RFC 9394 3.3 and 3.4: UID FETCH's PARTIAL, alone or with CHANGEDSINCE.
      {"10 UID FETCH 25900:26600 (UID FLAGS) (PARTIAL -1:-3)",
       "set=25900:26600 items=UID,FLAGS partial=-1:-3"},
      {"a UID FETCH 1:* FLAGS (PARTIAL 1:100 CHANGEDSINCE 4)",
       "set=1:* items=FLAGS,UID,MODSEQ changedsince=4 partial=1:100 condstore"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

// A hostile client repeating one section thousands of times in a line
// would have the whole message copied into the response each time.
TEST(FetchArgsTest, RepeatedItemsAreAnsweredOnceAndDifferentOnesAreCapped) {
  std::string repeated = "a FETCH 1 (";
  for (int i = 0; i < 9000; ++i) repeated += "BODY[] ";  // 63 KB, within a line
  repeated += "FLAGS)";
  EXPECT_EQ(Parse(repeated), "set=1 items=BODY[],FLAGS seen");
  const std::vector<Case> cases = {
      {"a FETCH 1 (BODY.PEEK[] BODY[] BODY.PEEK[])", "set=1 items=BODY[] seen"},
      {"a FETCH 1 (BODY.PEEK[1]<0.10> BODY.PEEK[1]<0.10> BODY.PEEK[1]<0.20> BODY.PEEK[1])",
       "set=1 items=BODY.PEEK[1]<0.10>,BODY.PEEK[1]<0.20>,BODY.PEEK[1]"},
      {"a FETCH 1 (BINARY.PEEK[1] BINARY.SIZE[1] BINARY.PEEK[1] BINARY.SIZE[1])",
       "set=1 items=BINARY.PEEK[1],BINARY.SIZE[1]"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
  auto partials = [](int n) {
    std::string line = "a FETCH 1 (FLAGS";
    for (int i = 0; i < n; ++i) line += " BODY.PEEK[]<" + std::to_string(i) + ".1>";
    return line + ")";
  };
  EXPECT_EQ(Parse(partials(63)).substr(0, 18), "set=1 items=FLAGS,");
  EXPECT_EQ(Parse(partials(64)),
            "error: FETCH: too many message data items (at most 64 different ones)");
}

TEST(FetchArgsTest, RefusesInvalidItemsPrecisely) {
  const std::vector<Case> cases = {
      {"a FETCH", "error: FETCH: missing sequence set"},
      {"a FETCH 1", "error: FETCH: missing message data items"},
      {"a FETCH 0 FLAGS", "error: FETCH: 0 is not a valid message number or UID"},
      {"a FETCH (FLAGS) 1", "error: FETCH: expected sequence set, got parenthesised list"},
      {"a FETCH 1 ()", "error: FETCH: empty message data item list"},
      {"a FETCH 1 FLAG", "error: FETCH: unknown message data item FLAG"},
      {"a FETCH 1 (FLAGS ALL)", "error: FETCH: macro ALL cannot be combined with other items"},
      {"a FETCH 1 \"FLAGS\"", "error: FETCH: expected a message data item, got quoted string"},
      {"a FETCH 1 BODY.PEEK", "error: FETCH: BODY.PEEK requires a [section]"},
      {"a FETCH 1 BINARY", "error: FETCH: BINARY requires a [section]"},
      {"a FETCH 1 BODY[HEADERS]", "error: FETCH: unknown section text HEADERS"},
      {"a FETCH 1 BODY[MIME]", "error: FETCH: MIME requires a part number, as in BODY[1.MIME]"},
      {"a FETCH 1 BODY[0]", "error: FETCH: section part numbers start at 1"},
      {"a FETCH 1 BODY[01]", "error: FETCH: leading zero in section part number"},
      {"a FETCH 1 BODY[1.]", "error: FETCH: section part ends with '.'"},
      {"a FETCH 1 BODY[1x]", "error: FETCH: invalid character 'x' in section part"},
      {"a FETCH 1 BODY[4294967296]", "error: FETCH: section part number too large"},
      {"a FETCH 1 BODY[HEADER.FIELDS]",
       "error: FETCH: HEADER.FIELDS requires a parenthesised list of header field names"},
      {"a FETCH 1 BODY[HEADER.FIELDS ()]",
       "error: FETCH: HEADER.FIELDS requires at least one field name"},
      {"a FETCH 1 BODY[HEADER.FIELDS (\"Bad:Name\")]",
       "error: FETCH: invalid header field name \"Bad:Name\""},
      {"a FETCH 1 BODY[HEADER.FIELDS (From) x]",
       "error: FETCH: unexpected text after the header field list"},
      {"a FETCH 1 BODY[TEXT (From)]",
       "error: FETCH: unexpected parenthesised list in section TEXT"},
      {"a FETCH 1 BINARY[HEADER]",
       "error: FETCH: a BINARY section takes only part numbers, as in BINARY[1.2]"},
      {"a FETCH 1 BINARY.SIZE[1]<0.10>", "error: FETCH: BINARY.SIZE does not take a <partial>"},
      {"a FETCH 1 BODY[]<0>", "error: FETCH: invalid partial \"<0>\", expected <offset.length>"},
      {"a FETCH 1 BODY[]<0.0>", "error: FETCH: partial length must not be 0"},
      {"a FETCH 1 BODY[]<a.1>",
       "error: FETCH: invalid partial \"<a.1>\", expected <offset.length>"},
      {"a FETCH 1 BODYX[]", "error: FETCH: unknown message data item BODYX[]"},
      {"a FETCH 1 FLAGS (CHANGEDSINCE)", "error: FETCH: missing mod-sequence after CHANGEDSINCE"},
      {"a FETCH 1 FLAGS (CHANGEDSINCE x)", "error: FETCH: expected mod-sequence, got atom x"},
      {"a FETCH 1 FLAGS (CHANGEDSINCE 9223372036854775808)",
       "error: FETCH: mod-sequence 9223372036854775808 exceeds 9223372036854775807"},
      {"a FETCH 1 FLAGS (VANISHED)", "error: FETCH: VANISHED needs UID FETCH and CHANGEDSINCE"},
      {"a FETCH 1:* FLAGS (PARTIAL 1:5)", "error: FETCH: PARTIAL needs UID FETCH (RFC 9394)"},
      {"a UID FETCH 1:* FLAGS (PARTIAL 1:5 PARTIAL 1:2)", "error: UID FETCH: PARTIAL given twice"},
      {"a UID FETCH 1:* FLAGS (PARTIAL)", "error: UID FETCH: missing range after PARTIAL"},
      {"a UID FETCH 1:* FLAGS (PARTIAL 1:*)",
       "error: UID FETCH: PARTIAL needs a range like 1:500 or -1:-100 (RFC 9394), not atom 1:*"},
      {"a UID FETCH 1 FLAGS (VANISHED)",
       "error: UID FETCH: VANISHED needs UID FETCH and CHANGEDSINCE"},
      {"a UID FETCH 1 FLAGS (CHANGEDSINCE 5 VANISHED VANISHED)",
       "error: UID FETCH: VANISHED given twice"},
      {"a FETCH 1 FLAGS (FOO)", "error: FETCH: unknown FETCH modifier atom FOO"},
      {"a FETCH 1 FLAGS ()", "error: FETCH: empty FETCH modifier list"},
      {"a FETCH 1 FLAGS (CHANGEDSINCE 1) x", "error: FETCH: unexpected extra argument (atom x)"},
      {"a UID FETCH 1 BOGUS", "error: UID FETCH: unknown message data item BOGUS"},
  };
  for (const Case& c : cases) EXPECT_EQ(Parse(c.line), c.expected) << c.line;
}

}  // namespace
}  // namespace mailvault::imap
