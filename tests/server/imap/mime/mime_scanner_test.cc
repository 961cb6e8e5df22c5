// The MIME tree: offsets, limits on hostile nesting, and speed.
#include <gtest/gtest.h>

#include <chrono>
#include <iterator>
#include <string>
#include <vector>

#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/mime_part.h"
#include "tests/server/imap/mime/test_messages.h"

namespace mailvault::imap {
namespace {

using namespace mime_test;  // NOLINT: test messages

TEST(MimeScannerTest, OffsetsOfAMultipart) {
  const mime::MimePart root = mime::ScanMessage(kMixed);
  EXPECT_EQ(root.kind, mime::PartKind::kMultipart);
  EXPECT_EQ(root.header_begin, 0u);
  EXPECT_EQ(root.header_end, root.body_begin);
  EXPECT_EQ(root.body_end, kMixed.size());
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(root.children[0].Header(kMixed),
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  EXPECT_EQ(root.children[1].type, "application");
  EXPECT_EQ(root.children[1].subtype, "pdf");
  EXPECT_EQ(root.children[1].body_lines, 1u);
}

TEST(MimeScannerTest, MessageRfc822HasOneChild) {
  const mime::MimePart root = mime::ScanMessage(kAttachedMessage);
  ASSERT_EQ(root.children.size(), 2u);
  const mime::MimePart& attached = root.children[1];
  EXPECT_EQ(attached.kind, mime::PartKind::kMessage);
  ASSERT_EQ(attached.children.size(), 1u);
  EXPECT_EQ(attached.children[0].kind, mime::PartKind::kMultipart);
  EXPECT_EQ(attached.children[0].header_begin, attached.body_begin);
  EXPECT_EQ(attached.children[0].body_end, attached.body_end);
}

TEST(MimeScannerTest, EmptyAndBoundaryOnlyInputs) {
  for (std::string_view raw : {std::string_view(""), std::string_view("\r\n"),
                               std::string_view("--x\r\n"), std::string_view("\n\n\n"),
                               std::string_view("Content-Type: multipart/mixed; boundary=x\r\n"),
                               std::string_view("Content-Type: message/rfc822\r\n\r\n"),
                               std::string_view("Content-Type: multipart/mixed; boundary=x\r\n\r\n"
                                                "--x\r\n--x\r\n--x--")}) {
    Result<MessageStructure> message = MessageStructure::Parse(raw);
    ASSERT_TRUE(message.ok());
    EXPECT_FALSE(message->BodyStructure(Charset::kAscii, true).empty());
    EXPECT_EQ(message->Section(FetchSection{}), raw);
  }
  Result<MessageStructure> empty_message =
      MessageStructure::Parse("Content-Type: message/rfc822\r\n\r\n");
  ASSERT_TRUE(empty_message.ok());
  EXPECT_EQ(
      empty_message->BodyStructure(Charset::kAscii, false),
      R"imap(("message" "rfc822" NIL NIL NIL "7bit" 0 (NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0) 0))imap");
}

// Nesting far past the limit: no stack exhaustion; the deepest levels are
// kept as opaque leaves and their bytes stay reachable.
TEST(MimeScannerTest, DeepNestingIsBounded) {
  std::string raw;
  const int levels = 5000;
  for (int i = 0; i < levels; ++i) {
    raw += "Content-Type: multipart/mixed; boundary=b" + std::to_string(i) + "\r\n\r\n--b" +
           std::to_string(i) + "\r\n";
  }
  raw += "\r\nleaf\r\n";
  Result<MessageStructure> message = MessageStructure::Parse(raw);
  ASSERT_TRUE(message.ok());
  const std::string structure = message->BodyStructure(Charset::kAscii, false);
  EXPECT_FALSE(structure.empty());
  EXPECT_EQ(message->Section(FetchSection{{1, 1, 1}, SectionText::kAll, {}}).substr(0, 6),
            "--b3\r\n");

  std::string messages;
  for (int i = 0; i < levels; ++i) messages += "Content-Type: message/rfc822\r\n\r\n";
  messages += "Subject: innermost\r\n\r\nbody\r\n";
  Result<MessageStructure> nested = MessageStructure::Parse(messages);
  ASSERT_TRUE(nested.ok());
  const std::string nested_structure = nested->BodyStructure(Charset::kAscii, false);
  EXPECT_NE(nested_structure.find(R"(("application" "octet-stream" NIL NIL NIL "7bit" )"),
            std::string::npos);
  EXPECT_EQ(nested_structure.find("innermost"), std::string::npos);
}

TEST(MimeScannerTest, ManyPartsAreBounded) {
  std::string raw = "Content-Type: multipart/mixed; boundary=x\r\n\r\n";
  for (size_t i = 0; i < mime::kMaxMimeParts + 50; ++i) raw += "--x\r\n\r\np\r\n";
  raw += "--x--\r\n";
  const mime::MimePart root = mime::ScanMessage(raw);
  EXPECT_LT(root.children.size(), mime::kMaxMimeParts);
  EXPECT_EQ(root.body_end, raw.size());
}

// Mutated test messages (bytes dropped, duplicated, replaced by MIME-ish
// tokens): every answer is produced, and sections stay pieces of the input.
TEST(MimeScannerTest, SurvivesMutatedMessages) {
  const std::string_view tokens[] = {"\r\n", "\n",       "--",    "--x",       ";", "\"",
                                     "(",    ")",        "<",     ">",         ":", ",",
                                     "=",    "\r\n\r\n", "\r\n ", "boundary=x"};
  uint32_t seed = 12345;
  auto next = [&seed] {
    seed = seed * 1103515245u + 12345u;
    return seed >> 8;
  };
  for (std::string_view base :
       {kMixed, kAlternative, kAttachedMessage, kAddresses, kRfc2231, kEpilogue, kDigest}) {
    for (int round = 0; round < 150; ++round) {
      std::string raw(base);
      for (int edit = 0; edit < 4 && !raw.empty(); ++edit) {
        const size_t pos = next() % raw.size();
        switch (next() % 3) {
          case 0:
            raw.erase(pos, 1 + next() % 8);
            break;
          case 1:
            raw.insert(pos, raw.substr(pos, 1 + next() % 16));
            break;
          default:
            raw.insert(pos, tokens[next() % std::size(tokens)]);
            break;
        }
      }
      Result<MessageStructure> message = MessageStructure::Parse(raw);
      ASSERT_TRUE(message.ok());
      EXPECT_FALSE(message->Envelope(Charset::kUtf8).empty());
      EXPECT_FALSE(message->BodyStructure(Charset::kAscii, true).empty());
      for (const std::vector<uint32_t>& part :
           {std::vector<uint32_t>{}, std::vector<uint32_t>{1}, std::vector<uint32_t>{2},
            std::vector<uint32_t>{2, 1}, std::vector<uint32_t>{1, 2}}) {
        for (SectionText text : {SectionText::kAll, SectionText::kMime, SectionText::kText}) {
          const std::string bytes = message->Section(FetchSection{part, text, {}});
          EXPECT_NE(raw.find(bytes), std::string::npos);
        }
        (void)message->Binary(part);
      }
      (void)message->BodyText();
      (void)message->HeaderValues("from");
    }
  }
}

// A 20 MB attachment: parsing and BINARY stay well under a second.
TEST(MimeScannerTest, LargeAttachmentIsFast) {
  std::string raw =
      "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n"
      "Content-Transfer-Encoding: base64\r\nContent-Type: application/octet-stream\r\n\r\n";
  const std::string line = std::string(76, 'A') + "\r\n";
  for (int i = 0; i < 20 * 1024 * 1024 / 78; ++i) raw += line;
  raw += "--x--\r\n";
  const auto start = std::chrono::steady_clock::now();
  Result<MessageStructure> message = MessageStructure::Parse(raw);
  ASSERT_TRUE(message.ok());
  Result<std::string> binary = message->Binary({1});
  ASSERT_TRUE(binary.ok());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(binary->size(), (20 * 1024 * 1024 / 78) * 57u);
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

}  // namespace
}  // namespace mailvault::imap
