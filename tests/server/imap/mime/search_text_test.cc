// What SEARCH looks at: decoded header values, body text, the sent date.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "server/imap/mime/message_structure.h"
#include "tests/server/imap/mime/test_messages.h"

namespace mailvault::imap {
namespace {

using namespace mime_test;  // NOLINT: test messages

using Strings = std::vector<std::string>;

TEST(SearchTextTest, HeaderValuesAreUnfoldedAndDecodedToUtf8) {
  Result<MessageStructure> latin1 = MessageStructure::Parse(kLatin1);
  ASSERT_TRUE(latin1.ok());
  // Adjacent encoded words join without the blank between them.
  EXPECT_EQ(latin1->HeaderValues("subject"),
            Strings{"If you can read this you understand the example."});
  EXPECT_EQ(latin1->HeaderValues("From"), Strings{"Andr\xC3\xA9 Pirard <PIRARD@vm1.ulg.ac.be>"});
  // Raw ISO-8859-1 becomes UTF-8 as well.
  EXPECT_EQ(latin1->HeaderValues("X-Raw"), Strings{"caf\xC3\xA9 cr\xC3\xA8me"});
  EXPECT_EQ(latin1->HeaderValues("X-Absent"), Strings{});

  Result<MessageStructure> plain = MessageStructure::Parse(kPlain);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->HeaderValues("Subject"), Strings{"Hello  world,\tfolded"});

  Result<MessageStructure> twice = MessageStructure::Parse(kOddAddresses);
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(twice->HeaderValues("SUBJECT"), (Strings{"s1", "s2"}));
}

TEST(SearchTextTest, BodyTextDecodesEveryTextPart) {
  Result<MessageStructure> mixed = MessageStructure::Parse(kMixed);
  ASSERT_TRUE(mixed.ok());
  EXPECT_EQ(mixed->BodyText(), "Caf\xC3\xA9 au lait, soft break.");  // the PDF is not text

  Result<MessageStructure> latin1 = MessageStructure::Parse(kLatin1);
  ASSERT_TRUE(latin1.ok());
  EXPECT_EQ(latin1->BodyText(),
            "Gr\xC3\xBC\xC3\x9F"
            "e aus K\xC3\xB6ln\r\n");

  // Into attached messages; parts joined by a line feed.
  Result<MessageStructure> attached = MessageStructure::Parse(kAttachedMessage);
  ASSERT_TRUE(attached.ok());
  EXPECT_EQ(attached->BodyText(), "See attached.\ninner plain\n<b>inner</b>");

  // The vault wrapper has no text to search.
  Result<MessageStructure> vault = MessageStructure::Parse(kVault);
  ASSERT_TRUE(vault.ok());
  EXPECT_EQ(vault->BodyText(), "");
}

TEST(SearchTextTest, MislabelledOrUnknownCharsetsStillGiveUtf8) {
  Result<MessageStructure> unknown = MessageStructure::Parse(
      "Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nna\xEFve\r\n");
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->BodyText(), "na\xC3\xAFve\r\n");

  Result<MessageStructure> mislabelled =
      MessageStructure::Parse("Content-Type: text/plain; charset=utf-8\r\n\r\nna\xEFve\r\n");
  ASSERT_TRUE(mislabelled.ok());
  EXPECT_EQ(mislabelled->BodyText(), "na\xC3\xAFve\r\n");

  Result<MessageStructure> koi8 = MessageStructure::Parse(
      "Content-Type: text/plain; charset=koi8-r\r\n"
      "Content-Transfer-Encoding: base64\r\n\r\n8NLJ18XU\r\n");
  ASSERT_TRUE(koi8.ok());
  EXPECT_EQ(koi8->BodyText(), "\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");  // Привет
}

TEST(SearchTextTest, SentDateIsTheDateFieldInItsOwnZone) {
  Result<MessageStructure> vault = MessageStructure::Parse(kVault);
  ASSERT_TRUE(vault.ok());
  EXPECT_EQ(vault->SentDate(), 1717590896);  // 2024-06-05T12:34:56Z

  Result<MessageStructure> folded = MessageStructure::Parse(kAddresses);
  ASSERT_TRUE(folded.ok());
  // Thu, 13 Feb 1969 23:32 -0330
  EXPECT_EQ(folded->SentDateWithZone(), (SentDateTime{-27723480, -210}));

  Result<MessageStructure> none = MessageStructure::Parse(kMixed);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->SentDate(), std::nullopt);

  Result<MessageStructure> garbage = MessageStructure::Parse("Date: not a date\r\n\r\n");
  ASSERT_TRUE(garbage.ok());
  EXPECT_EQ(garbage->SentDate(), std::nullopt);
}

// The engine parses on its own threads; GMime's shared state (charset
// tables, iconv cache) must cope.
TEST(SearchTextTest, ParsesAndDecodesConcurrently) {
  std::vector<std::thread> threads;
  std::atomic<int> mismatches{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&mismatches] {
      for (int i = 0; i < 200; ++i) {
        Result<MessageStructure> message = MessageStructure::Parse(kLatin1);
        if (!message.ok() ||
            message->BodyText() !=
                "Gr\xC3\xBC\xC3\x9F"
                "e aus K\xC3\xB6ln\r\n" ||
            message->HeaderValues("X-Raw") != Strings{"caf\xC3\xA9 cr\xC3\xA8me"} ||
            message->SentDate().has_value()) {
          ++mismatches;
        }
        Result<MessageStructure> vault = MessageStructure::Parse(kVault);
        if (!vault.ok() || vault->SentDate() != 1717590896) ++mismatches;
        Result<MessageStructure> mixed = MessageStructure::Parse(kMixed);
        if (!mixed.ok() || !mixed->Binary({2}).ok()) ++mismatches;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches.load(), 0);
}

}  // namespace
}  // namespace mailvault::imap
