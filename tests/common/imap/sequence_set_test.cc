#include "common/imap/sequence_set.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mailvault::imap {
namespace {

struct ParseCase {
  std::string input;
  std::string normalised;  // ToString(), or "error: <message>"
};

std::string Parsed(std::string_view input) {
  Result<SequenceSet> set = SequenceSet::Parse(input);
  return set.ok() ? set->ToString() : "error: " + set.status().message();
}

TEST(SequenceSetTest, ParsesAndNormalises) {
  const std::vector<ParseCase> cases = {
      {"1", "1"},
      {"1:3,5,7:*", "1:3,5,7:*"},
      {"*", "*"},
      {"*:*", "*"},
      {"*:4", "4:*"},
      {"5:1", "1:5"},
      {"3,1,2", "1:3"},
      {"1:5,3:9,11", "1:9,11"},
      {"10:20,1:9", "1:20"},
      {"4294967295", "4294967295"},
      {"1:4294967295", "1:4294967295"},
      {"$", "$"},
      {"9:*,3:*", "3:*,9:*"},
  };
  for (const ParseCase& c : cases) EXPECT_EQ(Parsed(c.input), c.normalised) << c.input;
}

TEST(SequenceSetTest, RefusesInvalidSetsPrecisely) {
  const std::vector<ParseCase> cases = {
      {"", "error: empty sequence set"},
      {"0", "error: 0 is not a valid message number or UID"},
      {"1:0", "error: 0 is not a valid message number or UID"},
      {"01", "error: leading zero in sequence set number 01"},
      {"4294967296", "error: number 4294967296 in sequence set exceeds 4294967295"},
      {"99999999999999999999999",
       "error: number 99999999999999999999999 in sequence set exceeds "
       "4294967295"},
      {"1,,2", "error: empty number in sequence set \"1,,2\""},
      {"1,", "error: empty number in sequence set \"1,\""},
      {"1:", "error: empty number in sequence set \"1:\""},
      {"1:2:3", "error: invalid character ':' in sequence set"},
      {"a", "error: invalid character 'a' in sequence set"},
      {"-1", "error: invalid character '-' in sequence set"},
      {"1,$", "error: \"$\" must be the whole sequence set"},
      {"**", "error: invalid character '*' in sequence set"},
  };
  for (const ParseCase& c : cases) EXPECT_EQ(Parsed(c.input), c.normalised) << c.input;
}

TEST(SequenceSetTest, HugeRangeDoesNotExpand) {
  Result<SequenceSet> set = SequenceSet::Parse("1:4294967295");
  ASSERT_TRUE(set.ok());
  const NumberSet resolved = set->Resolve(4294967295u);
  ASSERT_EQ(resolved.ranges().size(), 1u);
  EXPECT_EQ(resolved.Count(), 4294967295u);
  EXPECT_TRUE(resolved.Contains(4294967295u));
  EXPECT_FALSE(resolved.Contains(0));

  Result<SequenceSet> stars = SequenceSet::Parse("*:*,1:*,*");
  ASSERT_TRUE(stars.ok());
  EXPECT_EQ(stars->Resolve(4000000000u).ranges().size(), 1u);
  EXPECT_EQ(stars->Resolve(4000000000u).ToString(), "1:4000000000");
}

TEST(SequenceSetTest, RefusesTooManyRanges) {
  std::string text = "1";
  for (int i = 1; i <= 10000; ++i) text += "," + std::to_string(i * 2 + 1);
  Result<SequenceSet> set = SequenceSet::Parse(text);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.status().message(), "sequence set has 10001 ranges (limit 10000)");
  text.resize(text.rfind(','));
  EXPECT_TRUE(SequenceSet::Parse(text).ok());
}

struct ResolveCase {
  std::string input;
  uint32_t largest;
  std::string resolved;
};

TEST(SequenceSetTest, ResolvesStarAgainstTheMailbox) {
  const std::vector<ResolveCase> cases = {
      {"*", 10, "10"},
      {"1:*", 10, "1:10"},
      // RFC 9051: "559:*" includes the last message even beyond it.
      {"559:*", 500, "500:559"},
      {"3:*,600:*", 500, "3:600"},
      {"1:3,*", 2, "1:3"},
      {"7,*", 10, "7,10"},
      // An empty mailbox: "*" is nothing.
      {"*", 0, ""},
      {"1:*", 0, "1"},
      {"4:*", 0, "1:4"},
  };
  for (const ResolveCase& c : cases) {
    Result<SequenceSet> set = SequenceSet::Parse(c.input);
    ASSERT_TRUE(set.ok()) << c.input;
    EXPECT_EQ(set->Resolve(c.largest).ToString(), c.resolved) << c.input << " / " << c.largest;
  }
}

TEST(SequenceSetTest, SavedResultIsMarkedNotResolved) {
  Result<SequenceSet> set = SequenceSet::Parse("$");
  ASSERT_TRUE(set.ok());
  EXPECT_TRUE(set->is_saved_result());
  EXPECT_TRUE(set->Resolve(100).empty());
}

TEST(NumberSetTest, MembershipCountAndClamping) {
  const NumberSet set = NumberSet::FromRanges({{20, 10}, {1, 1}, {3, 5}, {6, 6}, {0, 0}});
  EXPECT_EQ(set.ToString(), "1,3:6,10:20");
  EXPECT_EQ(set.Count(), 1u + 4u + 11u);
  EXPECT_EQ(set.Min(), 1u);
  EXPECT_EQ(set.Max(), 20u);
  for (uint32_t n : {1u, 3u, 6u, 10u, 15u, 20u}) EXPECT_TRUE(set.Contains(n)) << n;
  for (uint32_t n : {0u, 2u, 7u, 9u, 21u, 4294967295u}) EXPECT_FALSE(set.Contains(n)) << n;
  EXPECT_EQ(set.ClampedTo(12).ToString(), "1,3:6,10:12");
  EXPECT_EQ(set.ClampedTo(2).ToString(), "1");
  EXPECT_TRUE(set.ClampedTo(0).empty());

  std::vector<uint32_t> seen;
  set.ForEach([&seen](uint32_t n) {
    seen.push_back(n);
    return seen.size() < 6;
  });
  EXPECT_EQ(seen, (std::vector<uint32_t>{1, 3, 4, 5, 6, 10}));
}

TEST(NumberSetTest, MergesAdjacentRangesAtTheTop) {
  const NumberSet set = NumberSet::FromRanges({{4294967295u, 4294967295u}, {1, 4294967294u}});
  EXPECT_EQ(set.ToString(), "1:4294967295");
}

}  // namespace
}  // namespace mailvault::imap
