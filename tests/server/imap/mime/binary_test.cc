// BINARY[section] (RFC 3516): decoding, unknown encodings, whole-message
// conversion. Expectations match Dovecot 2.3.19 unless a case says not.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/transfer_decoding.h"
#include "tests/server/imap/mime/test_messages.h"

namespace mailvault::imap {
namespace {

using namespace mime_test;  // NOLINT: test messages

struct BinaryCase {
  std::string_view name;
  std::string_view message;
  std::vector<uint32_t> part;
  std::string_view decoded;
};

TEST(BinaryTest, DecodesTheTransferEncoding) {
  const std::vector<BinaryCase> cases = {
      {"quoted-printable with a soft break", kMixed, {1}, "Caf\xC3\xA9 au lait, soft break."},
      {"base64 attachment", kMixed, {2}, "%PDF-1.4\n%\xC7\xEC\x8F\xA2\n"},
      {"base64 with bare LF", kLfOnly, {2}, std::string_view("\x00\x01\x02\xFF", 4)},
      {"7bit is as it is", kLfOnly, {1}, "line one\nline two"},
      // Soft breaks after CRLF and LF, blanks before a line end dropped,
      // hard line ends kept, an 8-bit escape.
      {"quoted-printable details", kQuotedPrintable, {1}, "a=b c=d\r\ne\r\n\xE9"},
      // An "=" not followed by two hex digits is kept (Dovecot fails the
      // fetch with [PARSE]).
      {"invalid quoted-printable is kept", kUuencode, {2}, "a=b c=XYd\r\ne"},
      {"a part of an attached message", kAttachedMessage, {2, 1}, "inner plain"},
      {"no such part", kMixed, {7}, ""},
  };
  for (const BinaryCase& c : cases) {
    Result<MessageStructure> message = MessageStructure::Parse(c.message);
    ASSERT_TRUE(message.ok()) << c.name;
    Result<std::string> binary = message->Binary(c.part);
    ASSERT_TRUE(binary.ok()) << c.name << ": " << binary.status().ToString();
    EXPECT_EQ(*binary, c.decoded) << c.name;
  }
}

TEST(BinaryTest, VaultContainerIsDecodedFromPartOne) {
  Result<MessageStructure> message = MessageStructure::Parse(kVault);
  ASSERT_TRUE(message.ok());
  Result<std::string> container = message->Binary({1});
  ASSERT_TRUE(container.ok());
  ASSERT_EQ(container->size(), 73u);  // BINARY.SIZE[1]
  EXPECT_EQ(container->substr(0, 5), "MVSL\x01");
  EXPECT_EQ(container->back(), '\xFF');
}

TEST(BinaryTest, UnknownEncodingIsInvalidArgument) {
  Result<MessageStructure> message = MessageStructure::Parse(kUuencode);
  ASSERT_TRUE(message.ok());
  for (const std::vector<uint32_t>& part :
       {std::vector<uint32_t>{1}, std::vector<uint32_t>{1, 1}, std::vector<uint32_t>{}}) {
    Result<std::string> binary = message->Binary(part);
    ASSERT_FALSE(binary.ok());
    EXPECT_EQ(binary.code(), ErrorCode::kInvalidArgument);
  }
}

// BINARY[] and BINARY of a multipart: each leaf decoded, its
// Content-Transfer-Encoding field rewritten in place (Dovecot moves it to
// the end of the header; either is the same MIME).
TEST(BinaryTest, WholeMessageHasEveryLeafDecoded) {
  Result<MessageStructure> message = MessageStructure::Parse(kMixed);
  ASSERT_TRUE(message.ok());
  Result<std::string> binary = message->Binary({});
  ASSERT_TRUE(binary.ok());
  EXPECT_EQ(*binary,
            "From: a@example.org\r\nTo: b@example.org\r\nSubject: attachment\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"=_b1\"\r\n\r\n"
            "This is a multi-part message in MIME format.\r\n"
            "--=_b1\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: binary\r\n\r\n"
            "Caf\xC3\xA9 au lait, soft break.\r\n"
            "--=_b1\r\nContent-Type: application/pdf; name=\"doc.pdf\"\r\n"
            "Content-Transfer-Encoding: binary\r\n"
            "Content-Disposition: attachment;\r\n filename=\"doc.pdf\"; size=12\r\n"
            "Content-ID: <part2@example.org>\r\nContent-Description: A document\r\n"
            "Content-MD5: Q2hlY2sgSW50ZWdyaXR5IQ==\r\nContent-Language: en, de\r\n"
            "Content-Location: http://example.org/doc.pdf\r\n\r\n"
            "%PDF-1.4\n%\xC7\xEC\x8F\xA2\n\r\n--=_b1--\r\nepilogue\r\n");

  // Dovecot: BINARY[] of a single-part QP message.
  Result<MessageStructure> qp = MessageStructure::Parse(kQuotedPrintable);
  ASSERT_TRUE(qp.ok());
  Result<std::string> whole = qp->Binary({});
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(*whole, "Subject: qp\r\nContent-Transfer-Encoding: binary\r\n\r\na=b c=d\r\ne\r\n\xE9");

  // An attached message: its inner leaves are all identity-encoded here.
  Result<MessageStructure> attached = MessageStructure::Parse(kAttachedMessage);
  ASSERT_TRUE(attached.ok());
  Result<std::string> inner = attached->Binary({2});
  ASSERT_TRUE(inner.ok());
  EXPECT_EQ(*inner, attached->Section(FetchSection{{2}, SectionText::kAll, {}}));
}

TEST(TransferDecodingTest, Base64IsLenient) {
  EXPECT_EQ(mime::DecodeBase64("QUJD\r\nREVG\r\n"), "ABCDEF");
  EXPECT_EQ(mime::DecodeBase64("QU JD\tRE\r\nVG"), "ABCDEF");
  EXPECT_EQ(mime::DecodeBase64("QUJD!!REVG"), "ABCDEF");
  EXPECT_EQ(mime::DecodeBase64("QQ=="), "A");
  EXPECT_EQ(mime::DecodeBase64(""), "");
}

TEST(TransferDecodingTest, QuotedPrintableEdgeCases) {
  const std::vector<std::pair<std::string_view, std::string_view>> cases = {
      {"", ""},
      {"plain", "plain"},
      {"=41=62=3d", "Ab="},
      {"line  \r\nnext\t\r\n", "line\r\nnext\r\n"},
      {"soft =\r\nbreak", "soft break"},
      {"soft=\nbreak", "softbreak"},
      {"trailing blanks after soft= \t\r\nx", "trailing blanks after softx"},
      {"=\r\n", ""},
      {"bad =G1 =4", "bad =G1 =4"},
      {"end=", "end"},
  };
  for (const auto& [encoded, decoded] : cases) {
    EXPECT_EQ(mime::DecodeQuotedPrintable(encoded), decoded) << encoded;
  }
}

TEST(TransferDecodingTest, ClassifiesEncodingsCaseInsensitively) {
  using mime::TransferEncoding;
  EXPECT_EQ(mime::ClassifyTransferEncoding(std::nullopt), TransferEncoding::kIdentity);
  EXPECT_EQ(mime::ClassifyTransferEncoding("8BIT"), TransferEncoding::kIdentity);
  EXPECT_EQ(mime::ClassifyTransferEncoding("Binary"), TransferEncoding::kIdentity);
  EXPECT_EQ(mime::ClassifyTransferEncoding("BASE64"), TransferEncoding::kBase64);
  EXPECT_EQ(mime::ClassifyTransferEncoding("Quoted-Printable"), TransferEncoding::kQuotedPrintable);
  EXPECT_EQ(mime::ClassifyTransferEncoding("x-uuencode"), TransferEncoding::kUnknown);
}

}  // namespace
}  // namespace mailvault::imap
