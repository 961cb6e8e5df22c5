#include "common/imap/modified_utf7.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mailvault::imap {
namespace {

struct Case {
  std::string wire;
  std::string utf8;
};

// Pairs that decode and encode into each other.
const std::vector<Case>& RoundTrips() {
  static const std::vector<Case> cases = {
      {"INBOX", "INBOX"},
      {"", ""},
      {"&-", "&"},
      {"Tom &- Jerry", "Tom & Jerry"},
      {"Entw&APw-rfe", "Entw\xC3\xBCrfe"},
      {"&AOQA9gD8-", "\xC3\xA4\xC3\xB6\xC3\xBC"},
      // RFC 3501's example: "~peter/mail/台北/日本語".
      {"~peter/mail/&U,BTFw-/&ZeVnLIqe-",
       "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E"},
      // Outside the BMP: a surrogate pair (U+1F600).
      {"&2D3eAA-", "\xF0\x9F\x98\x80"},
      {"a&AAE-b",
       "a\x01"
       "b"},  // control characters are encoded
      {"&ImIDkQ-.", "\xE2\x89\xA2\xCE\x91."},
  };
  return cases;
}

TEST(ModifiedUtf7Test, DecodesAndEncodesCanonically) {
  for (const Case& c : RoundTrips()) {
    Result<std::string> decoded = DecodeModifiedUtf7(c.wire);
    ASSERT_TRUE(decoded.ok()) << c.wire << ": " << decoded.status().message();
    EXPECT_EQ(decoded.value(), c.utf8) << c.wire;
    Result<std::string> encoded = EncodeModifiedUtf7(c.utf8);
    ASSERT_TRUE(encoded.ok()) << c.wire;
    EXPECT_EQ(encoded.value(), c.wire);
  }
}

TEST(ModifiedUtf7Test, RefusesInvalidEncodingsPrecisely) {
  const std::vector<Case> cases = {
      {"&AOQ", "unterminated &... shift (missing '-')"},
      {"&", "unterminated &... shift (missing '-')"},
      {"Entw\xC3\xBCrfe", "byte 0xC3 must be encoded (only printable ASCII appears as itself)"},
      {"a\tb", "byte 0x09 must be encoded (only printable ASCII appears as itself)"},
      {"&AOQ/-", "character '/' inside a &...- shift"},
      {"&AOQ=-", "character '=' inside a &...- shift"},
      {"&A-", "incomplete UTF-16 data in a &...- shift"},
      {"&AOQA-", "incomplete UTF-16 data in a &...- shift"},
      {"&AOR-", "incomplete UTF-16 data in a &...- shift"},  // non-zero padding bits
      {"&AGE-", "printable ASCII 'a' must not be encoded"},
      {"&ACY-", "printable ASCII '&' must not be encoded"},
      {"&2D0-", "unpaired UTF-16 high surrogate"},
      {"&3gA-", "unpaired UTF-16 low surrogate"},
      {"&2D3YPQ-", "unpaired UTF-16 high surrogate"},
      {"&AOQ-&APY-", "two adjacent &...- shifts must be one"},
  };
  for (const Case& c : cases) {
    Result<std::string> decoded = DecodeModifiedUtf7(c.wire);
    ASSERT_FALSE(decoded.ok()) << c.wire;
    EXPECT_EQ(decoded.status().message(), "invalid modified UTF-7: " + c.utf8) << c.wire;
  }
  EXPECT_TRUE(DecodeModifiedUtf7("&AOQ-&-").ok());  // a shift then a literal '&'
}

TEST(ModifiedUtf7Test, EncodingRefusesInvalidUtf8) {
  for (const char* bad : {"\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF"}) {
    EXPECT_FALSE(EncodeModifiedUtf7(bad).ok()) << bad;
  }
}

TEST(ModifiedUtf7Test, EveryBmpCharacterRoundTrips) {
  for (char32_t cp = 1; cp < 0x10000; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    std::string utf8;
    if (cp < 0x80) {
      utf8.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      utf8 = {static_cast<char>(0xc0 | (cp >> 6)), static_cast<char>(0x80 | (cp & 0x3f))};
    } else {
      utf8 = {static_cast<char>(0xe0 | (cp >> 12)), static_cast<char>(0x80 | ((cp >> 6) & 0x3f)),
              static_cast<char>(0x80 | (cp & 0x3f))};
    }
    utf8 = "x" + utf8 + utf8 + "y";
    Result<std::string> wire = EncodeModifiedUtf7(utf8);
    ASSERT_TRUE(wire.ok()) << static_cast<uint32_t>(cp);
    Result<std::string> back = DecodeModifiedUtf7(wire.value());
    ASSERT_TRUE(back.ok()) << wire.value() << ": " << back.status().message();
    ASSERT_EQ(back.value(), utf8);
  }
}

}  // namespace
}  // namespace mailvault::imap
