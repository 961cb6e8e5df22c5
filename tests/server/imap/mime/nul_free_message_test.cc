// A message with NUL bytes as IMAP serves it (nul_free_message.h): no NUL
// in anything an ordinary literal carries, the content of every part
// intact for a client that decodes the transfer encoding, and BINARY (the
// only answer literal8 may carry) giving back the stored bytes.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/nul_free_message.h"
#include "server/imap/mime/transfer_decoding.h"
#include "tests/server/imap/mime/test_messages.h"

namespace mailvault::imap {
namespace {

using namespace std::string_literals;       // "..."s and "..."sv keep embedded NULs
using namespace std::string_view_literals;

constexpr std::string_view kAttachment = "AB\0\0CD\xFF"sv;

// A text part and an application/octet-stream part with raw NULs and no
// Content-Transfer-Encoding (what a careless sender or a literal8 APPEND
// stores).
const std::string kBinaryAttachment =
    "From: a@example.org\r\n"
    "Subject: binary\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
    "\r\n"
    "--b\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "see attached\r\n"
    "--b\r\n"
    "Content-Type: application/octet-stream; name=\"x.bin\"\r\n"
    "\r\n" +
    std::string(kAttachment) +
    "\r\n"
    "--b--\r\n";

bool HasNul(std::string_view bytes) { return bytes.find('\0') != std::string_view::npos; }

FetchSection Part(std::vector<uint32_t> part, SectionText text = SectionText::kAll) {
  return FetchSection{std::move(part), text, {}};
}

TEST(NulFreeMessageTest, MessageWithoutNulIsServedAsItIs) {
  EXPECT_EQ(mime::NulFreeMessage(mime_test::kMixed), std::nullopt);
  EXPECT_EQ(mime::ServedMessageSize(mime_test::kMixed), mime_test::kMixed.size());
}

TEST(NulFreeMessageTest, IdentityPartWithNulIsServedAsBase64) {
  const std::optional<std::string> served = mime::NulFreeMessage(kBinaryAttachment);
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(*served,
            "From: a@example.org\r\n"
            "Subject: binary\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
            "\r\n"
            "--b\r\n"
            "Content-Type: text/plain\r\n"
            "\r\n"
            "see attached\r\n"
            "--b\r\n"
            "Content-Type: application/octet-stream; name=\"x.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n"
            "\r\n"
            "QUIAAENE/w==\r\n"
            "--b--\r\n");
  EXPECT_EQ(mime::ServedMessageSize(kBinaryAttachment), served->size());
}

// Every figure a FETCH gives is of the served form, and BINARY gives back
// the stored attachment.
TEST(NulFreeMessageTest, StructureSectionsAndBinaryAgree) {
  Result<MessageStructure> message = MessageStructure::Parse(kBinaryAttachment);
  ASSERT_TRUE(message.ok());
  const std::string served = *mime::NulFreeMessage(kBinaryAttachment);
  EXPECT_EQ(message->size(), served.size());  // RFC822.SIZE
  EXPECT_EQ(message->Section(Part({})), served);
  EXPECT_EQ(message->Section(Part({2})), "QUIAAENE/w==");
  EXPECT_EQ(message->Section(Part({2}, SectionText::kMime)),
            "Content-Type: application/octet-stream; name=\"x.bin\"\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n");
  EXPECT_EQ(mime::DecodeBase64(message->Section(Part({2}))), kAttachment);
  EXPECT_EQ(message->BodyStructure(Charset::kAscii, /*extensible=*/true),
            R"imap((("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 12 0 NIL NIL NIL NIL))imap"
            R"imap(("application" "octet-stream" ("name" "x.bin") NIL NIL "base64" 12 NIL NIL NIL NIL))imap"
            R"imap( "mixed" ("boundary" "b") NIL NIL NIL))imap");

  Result<std::string> binary = message->Binary({2});  // BINARY[2], BINARY.SIZE[2]
  ASSERT_TRUE(binary.ok());
  EXPECT_EQ(*binary, kAttachment);
  Result<std::string> whole = message->Binary({});  // BINARY[]: the stored content again
  ASSERT_TRUE(whole.ok());
  EXPECT_NE(whole->find("Content-Transfer-Encoding: binary\r\n\r\n" + std::string(kAttachment) +
                        "\r\n--b--"),
            std::string::npos);
}

TEST(NulFreeMessageTest, NoSectionCarriesNul) {
  Result<MessageStructure> message = MessageStructure::Parse(kBinaryAttachment);
  ASSERT_TRUE(message.ok());
  for (const FetchSection& section :
       {Part({}), Part({}, SectionText::kHeader), Part({}, SectionText::kText), Part({1}),
        Part({2}), Part({2}, SectionText::kMime)}) {
    EXPECT_FALSE(HasNul(message->Section(section)));
  }
  EXPECT_FALSE(HasNul(message->Envelope(Charset::kAscii)));
  EXPECT_FALSE(HasNul(message->BodyStructure(Charset::kAscii, true)));
}

struct ServedCase {
  std::string_view name;
  std::string stored;
  std::string served;
  std::vector<uint32_t> part;  // whose BINARY must be `content`
  std::string content;
};

TEST(NulFreeMessageTest, EachEncodingKeepsItsContent) {
  const std::vector<ServedCase> cases = {
      {"a declared binary encoding is rewritten in place",
       "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: binary\r\n"
       "X-After: 1\r\n\r\nline\0one\r\n"s,
       "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
       "X-After: 1\r\nMIME-Version: 1.0\r\n\r\nbGluZQBvbmUNCg==\r\n",
       {1},
       "line\0one\r\n"s},
      // RFC 2045 4: a non-MIME message gains MIME-Version with the encoding.
      {"a non-MIME message", "Subject: s\r\n\r\nline\0one\r\n"s,
       "Subject: s\r\nMIME-Version: 1.0\r\nContent-Transfer-Encoding: base64\r\n\r\n"
       "bGluZQBvbmUNCg==\r\n",
       {1},
       "line\0one\r\n"s},
      {"bare LF stays bare LF", "Subject: s\n\nx\0y\n"s,
       "Subject: s\nMIME-Version: 1.0\nContent-Transfer-Encoding: base64\n\neAB5Cg==\n",
       {1},
       "x\0y\n"s},
      {"quoted-printable writes =00",
       "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
       "a\0b=3D\r\n"s,
       "Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
       "a=00b=3D\r\n",
       {1},
       "a\0b=\r\n"s},
      {"stray NULs in base64 are dropped",
       "Content-Transfer-Encoding: base64\r\n\r\nQUIA\0AENE/w==\r\n"s,
       "Content-Transfer-Encoding: base64\r\n\r\nQUIAAENE/w==\r\n",
       {1},
       std::string(kAttachment)},
      {"a header's NUL becomes U+FFFD", "Subject: a\0b\r\n\r\nbody\r\n"s,
       "Subject: a\xEF\xBF\xBD" "b\r\n\r\nbody\r\n",
       {1},
       "body\r\n"},
  };
  for (const ServedCase& c : cases) {
    const std::optional<std::string> served = mime::NulFreeMessage(c.stored);
    ASSERT_TRUE(served.has_value()) << c.name;
    EXPECT_EQ(*served, c.served) << c.name;
    Result<MessageStructure> message = MessageStructure::Parse(c.stored);
    ASSERT_TRUE(message.ok()) << c.name;
    EXPECT_EQ(message->Section(Part({})), c.served) << c.name;
    Result<std::string> binary = message->Binary(c.part);
    ASSERT_TRUE(binary.ok()) << c.name;
    EXPECT_EQ(*binary, c.content) << c.name;
  }
}

TEST(NulFreeMessageTest, LongPartIsWrappedAt76Characters) {
  std::string content;
  for (int i = 0; i < 100; ++i) content.push_back(static_cast<char>(i));
  const std::string stored = "Content-Type: application/octet-stream\r\n\r\n" + content;
  const std::optional<std::string> served = mime::NulFreeMessage(stored);
  ASSERT_TRUE(served.has_value());
  EXPECT_EQ(*served,
            "Content-Type: application/octet-stream\r\nMIME-Version: 1.0\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n"
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
            "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiYw==");
  Result<MessageStructure> message = MessageStructure::Parse(stored);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(*message->Binary({1}), content);
}

// A part inside an attached message, and one in an encoding nobody can
// re-encode (its NULs are replaced, as Dovecot replaces every NUL).
TEST(NulFreeMessageTest, NestedAndUnknownEncodings) {
  const std::string stored =
      "Content-Type: multipart/mixed; boundary=o\r\n\r\n"
      "--o\r\nContent-Type: message/rfc822\r\n\r\n"
      "Subject: inner\r\nContent-Type: multipart/mixed; boundary=i\r\n\r\n"
      "--i\r\nContent-Type: image/png\r\n\r\n\x89PNG\0\0\r\n--i--\r\n"
      "--o\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\0\r\n--o--\r\n"s;
  Result<MessageStructure> message = MessageStructure::Parse(stored);
  ASSERT_TRUE(message.ok());
  EXPECT_FALSE(HasNul(message->Section(Part({}))));
  EXPECT_EQ(message->Section(Part({1, 1})), "iVBORwAA");
  EXPECT_EQ(*message->Binary({1, 1}), "\x89PNG\0\0"s);
  EXPECT_EQ(message->Section(Part({2})), "begin\xEF\xBF\xBD");
  EXPECT_NE(message->BodyStructure(Charset::kAscii, false).find(R"("image" "png" NIL NIL NIL "base64" 8))"),
            std::string::npos);
}

// The vault's container (test_messages.h, kVault) never holds NUL outside
// BINARY: its sealed body is base64.
TEST(NulFreeMessageTest, VaultContainerHasNulOnlyInBinary) {
  Result<MessageStructure> message = MessageStructure::Parse(mime_test::kVault);
  ASSERT_TRUE(message.ok());
  EXPECT_EQ(message->size(), mime_test::kVault.size());
  EXPECT_FALSE(HasNul(message->Section(Part({}))));
  EXPECT_TRUE(HasNul(*message->Binary({1})));
}

}  // namespace
}  // namespace mailvault::imap
