#include "common/crypto/padding.h"

#include <gtest/gtest.h>

#include <random>

namespace mailvault {
namespace {

TEST(PadmeTest, KnownValues) {
  // Values worked by hand from the Padmé definition.
  EXPECT_EQ(PadmeLength(0), 0u);
  EXPECT_EQ(PadmeLength(1), 1u);
  EXPECT_EQ(PadmeLength(8), 8u);
  EXPECT_EQ(PadmeLength(9), 10u);      // E=3 S=2: 1 low bit
  EXPECT_EQ(PadmeLength(100), 104u);   // E=6 S=3: 3 low bits
  EXPECT_EQ(PadmeLength(1000), 1024u);  // E=9 S=4: 5 low bits
  EXPECT_EQ(PadmeLength(1048584), 1081344u);  // E=20 S=5: 15 low bits
}

TEST(PadmeTest, NeverShrinksAndAtMostTwelvePercent) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 100000; ++i) {
    const uint64_t length = rng() % (uint64_t{1} << (1 + i % 40));
    const uint64_t padded = PadmeLength(length);
    ASSERT_GE(padded, length);
    ASSERT_LE(static_cast<double>(padded), static_cast<double>(length) * 1.12 + 1) << length;
  }
}

TEST(PadmeTest, IsIdempotentSoLengthsFallIntoClasses) {
  for (uint64_t length : {5u, 77u, 1500u, 65536u, 70000u, 5u << 20}) {
    EXPECT_EQ(PadmeLength(PadmeLength(length)), PadmeLength(length));
  }
}

}  // namespace
}  // namespace mailvault
