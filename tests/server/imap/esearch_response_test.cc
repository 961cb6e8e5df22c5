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

}  // namespace
}  // namespace mailvault::imap
