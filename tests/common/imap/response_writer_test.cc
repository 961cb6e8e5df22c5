#include "common/imap/response_writer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/base64.h"

namespace mailvault::imap {
namespace {

struct Case {
  std::string value;
  std::string ascii;  // Charset::kAscii
  std::string utf8;   // Charset::kUtf8
};

TEST(ResponseWriterTest, ChoosesAtomQuotedOrLiteralForAstrings) {
  const std::vector<Case> cases = {
      {"INBOX", "INBOX", "INBOX"},
      {"[Gmail]/Sent", "[Gmail]/Sent", "[Gmail]/Sent"},
      {"", "\"\"", "\"\""},
      {"NIL", "\"NIL\"", "\"NIL\""},
      {"Sent Mail", "\"Sent Mail\"", "\"Sent Mail\""},
      {"a\"b\\c", "\"a\\\"b\\\\c\"", "\"a\\\"b\\\\c\""},
      {"50%", "\"50%\"", "\"50%\""},
      {"(x)", "\"(x)\"", "\"(x)\""},
      {"Entw\xC3\xBCrfe", "{9}\r\nEntw\xC3\xBCrfe", "\"Entw\xC3\xBCrfe\""},
      {"bad\xC3", "{4}\r\nbad\xC3", "{4}\r\nbad\xC3"},
      {"two\r\nlines", "{10}\r\ntwo\r\nlines", "{10}\r\ntwo\r\nlines"},
      {std::string("nul\0", 4), std::string("{4}\r\nnul\0", 9), std::string("{4}\r\nnul\0", 9)},
  };
  for (const Case& c : cases) {
    std::string ascii, utf8;
    AppendAstring(ascii, c.value, Charset::kAscii);
    AppendAstring(utf8, c.value, Charset::kUtf8);
    EXPECT_EQ(ascii, c.ascii) << c.value;
    EXPECT_EQ(utf8, c.utf8) << c.value;
  }
}

TEST(ResponseWriterTest, StringsAreNeverAtomsAndLongOnesAreLiterals) {
  std::string out;
  AppendString(out, "INBOX", Charset::kAscii);
  EXPECT_EQ(out, "\"INBOX\"");
  out.clear();
  const std::string long_text(kMaxQuotedLength + 1, 'x');
  AppendString(out, long_text, Charset::kAscii);
  EXPECT_EQ(out, "{1025}\r\n" + long_text);
  out.clear();
  AppendNString(out, std::nullopt, Charset::kAscii);
  out += ' ';
  AppendNString(out, std::string_view("NIL"), Charset::kAscii);
  EXPECT_EQ(out, "NIL \"NIL\"");
  out.clear();
  AppendLiteral8(out, std::string_view("a\0b", 3));
  EXPECT_EQ(out, std::string("~{3}\r\na\0b", 9));
}

TEST(ResponseWriterTest, FormatsFlagsDatesMailboxesAndSets) {
  std::string out;
  const std::vector<std::string> flags = {"\\Seen", "\\Flagged", "$Forwarded"};
  AppendFlagList(out, flags);
  out += ' ';
  AppendFlagList(out, {});
  out += ' ';
  AppendDateTime(out, 837596665, -420);
  out += ' ';
  ASSERT_TRUE(AppendMailboxName(out, "Entw\xC3\xBCrfe", MailboxNameEncoding::kModifiedUtf7).ok());
  out += ' ';
  ASSERT_TRUE(AppendMailboxName(out, "Sent Mail", MailboxNameEncoding::kModifiedUtf7).ok());
  out += ' ';
  ASSERT_TRUE(AppendMailboxName(out, "Entw\xC3\xBCrfe", MailboxNameEncoding::kUtf8).ok());
  out += ' ';
  AppendNumberSet(out, NumberSet::FromRanges({{1, 3}, {5, 5}}));
  EXPECT_EQ(out,
            "(\\Seen \\Flagged $Forwarded) () \"17-Jul-1996 02:44:25 -0700\" Entw&APw-rfe "
            "\"Sent Mail\" \"Entw\xC3\xBCrfe\" 1:3,5");
  EXPECT_FALSE(AppendMailboxName(out, "bad\xC3", MailboxNameEncoding::kModifiedUtf7).ok());
}

TEST(Base64Test, RoundTripsAndRefusesGarbage) {
  for (const std::string& text : {std::string(), std::string("f"), std::string("fo"),
                                  std::string("foo"), std::string("\0user\0pass", 10)}) {
    Result<std::string> back = DecodeBase64(EncodeBase64(text));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), text);
  }
  EXPECT_EQ(EncodeBase64("fo"), "Zm8=");
  EXPECT_FALSE(DecodeBase64("Z").ok());
  EXPECT_FALSE(DecodeBase64("Zm8==").ok());
  EXPECT_FALSE(DecodeBase64("Zm=8").ok());
  EXPECT_FALSE(DecodeBase64("Zm 8").ok());
}

}  // namespace
}  // namespace mailvault::imap
