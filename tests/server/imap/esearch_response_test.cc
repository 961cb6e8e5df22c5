// ESEARCH lines for SEARCH RETURN and SORT RETURN (RFC 4731, RFC 5267).
#include "server/imap/esearch_response.h"

#include <gtest/gtest.h>

namespace mailvault::imap {
namespace {

TEST(EsearchResponseTest, SortResultsKeepTheirOrder) {
  EXPECT_EQ(OrderedSequenceSet({}), "");
  EXPECT_EQ(OrderedSequenceSet({5}), "5");
  EXPECT_EQ(OrderedSequenceSet({3, 4, 5, 9, 7, 1, 2}), "3:5,9,7,1:2");
  EXPECT_EQ(OrderedSequenceSet({9, 8, 7}), "9,8,7");

  SearchReturnOptions all_min_max;
  all_min_max.all = all_min_max.min = all_min_max.max = true;
  all_min_max.count = true;
  // RFC 5267 3.2: MIN and MAX are the first and last in sort order.
  EXPECT_EQ(EsearchLine("A1", true, all_min_max, {9, 8, 2, 3}, {}, ResultOrder::kSorted),
            "ESEARCH (TAG \"A1\") UID MIN 9 MAX 3 ALL 9,8,2:3 COUNT 4");
  EXPECT_EQ(EsearchLine("A1", false, all_min_max, {2, 3, 8, 9}, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"A1\") MIN 2 MAX 9 ALL 2:3,8:9 COUNT 4");
  // Nothing found: only COUNT says so.
  EXPECT_EQ(EsearchLine("A1", false, all_min_max, {}, {}, ResultOrder::kSorted),
            "ESEARCH (TAG \"A1\") COUNT 0");
  SearchReturnOptions save;
  save.save = true;
  EXPECT_EQ(EsearchLine("A1", false, save, {1}, {}, ResultOrder::kSorted), "");
  SearchReturnOptions max;
  max.max = true;
  EXPECT_EQ(EsearchLine("t", false, max, {4, 1}, {40, 10}, ResultOrder::kSorted),
            "ESEARCH (TAG \"t\") MAX 1 MODSEQ 10");
}

TEST(EsearchResponseTest, PartialEchoesTheRangeAndListsItsWindow) {
  const auto partial = [](std::string_view range, bool from_end, uint32_t low, uint32_t high) {
    SearchReturnOptions r;
    r.partial = PartialRange{low, high, from_end, std::string(range)};
    return r;
  };
  const std::vector<uint32_t> found = {2, 3, 5, 8, 9, 10, 40};
  // RFC 9394 3.1: positions in the results, the first being 1.
  EXPECT_EQ(EsearchLine("A01", true, partial("1:3", false, 1, 3), found, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"A01\") UID PARTIAL (1:3 2:3,5)");
  // -1 is the last result; -5:-3 the fifth to the third from the end.
  EXPECT_EQ(EsearchLine("A02", true, partial("-5:-3", true, 3, 5), found, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"A02\") UID PARTIAL (-5:-3 5,8:9)");
  // A range reaching past the results returns what is there, one wholly
  // past them NIL; the range is echoed as it was asked.
  EXPECT_EQ(EsearchLine("A03", false, partial("10:6", false, 6, 10), found, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"A03\") PARTIAL (10:6 10,40)");
  EXPECT_EQ(EsearchLine("A04", true, partial("8:500", false, 8, 500), found, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"A04\") UID PARTIAL (8:500 NIL)");
  EXPECT_EQ(EsearchLine("A05", true, partial("-1:-2", true, 1, 2), {}, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"A05\") UID PARTIAL (-1:-2 NIL)");
  // A sort's window is of the sorted results, in their order.
  EXPECT_EQ(EsearchLine("S", false, partial("-1:-3", true, 1, 3), {9, 8, 2, 3, 1}, {}, ResultOrder::kSorted),
            "ESEARCH (TAG \"S\") PARTIAL (-1:-3 2:3,1)");
  // With COUNT and MIN, which still count and name over all results.
  SearchReturnOptions count = partial("1:1", false, 1, 1);
  count.count = count.max = true;
  EXPECT_EQ(EsearchLine("C", false, count, found, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"C\") MAX 40 PARTIAL (1:1 2) COUNT 7");
}

TEST(EsearchResponseTest, UpdateAndContextAloneAnswerAll) {
  SearchReturnOptions update;
  update.update = true;
  EXPECT_EQ(EsearchLine("B01", true, update, {4, 5, 6}, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"B01\") UID ALL 4:6");
  update.save = true;
  EXPECT_EQ(EsearchLine("B01", true, update, {4}, {}, ResultOrder::kAscending),
            "ESEARCH (TAG \"B01\") UID ALL 4");
}

}  // namespace
}  // namespace mailvault::imap
