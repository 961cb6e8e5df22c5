// i;unicode-casemap (RFC 5051): equal keys for strings equal without
// regard to case or compatibility decomposition, code point order else.
#include "server/imap/mime/unicode_casemap.h"

#include <gtest/gtest.h>

namespace mailvault::imap {
namespace {

TEST(UnicodeCasemapTest, EqualWithoutRegardToCase) {
  EXPECT_EQ(UnicodeCasemapKey("Lunch"), UnicodeCasemapKey("LUNCH"));
  EXPECT_EQ(UnicodeCasemapKey("lunch"), UnicodeCasemapKey("lUnCh"));
  // Non-ASCII: "TÜKÖR" and "tükör".
  EXPECT_EQ(UnicodeCasemapKey("T\xC3\x9CK\xC3\x96R"), UnicodeCasemapKey("t\xC3\xBCk\xC3\xB6r"));
  // Precomposed and decomposed forms are one (U+00E9 and e + U+0301).
  EXPECT_EQ(UnicodeCasemapKey("caf\xC3\xA9"), UnicodeCasemapKey("CAFE\xCC\x81"));
  // Compatibility decomposition: the "fi" ligature U+FB01 is "FI".
  EXPECT_EQ(UnicodeCasemapKey("\xEF\xAC\x81le"), UnicodeCasemapKey("FILE"));
  // RFC 5051's titlecase: U+01C6 (dž) and U+01C4 (DŽ) both map to U+01C5.
  EXPECT_EQ(UnicodeCasemapKey("\xC7\x86"), UnicodeCasemapKey("\xC7\x84"));
}

TEST(UnicodeCasemapTest, OrdersByCodePointAfterMapping) {
  EXPECT_LT(UnicodeCasemapKey("apple"), UnicodeCasemapKey("Banana"));
  EXPECT_LT(UnicodeCasemapKey(""), UnicodeCasemapKey("a"));
  EXPECT_NE(UnicodeCasemapKey("a"), UnicodeCasemapKey("b"));
  // Invalid UTF-8 still gives a key (U+FFFD for the bad byte).
  EXPECT_EQ(UnicodeCasemapKey("a\xFF"), "A\xEF\xBF\xBD");
}

}  // namespace
}  // namespace mailvault::imap
