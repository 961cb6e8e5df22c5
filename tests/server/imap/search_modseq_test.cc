// The MODSEQ a SEARCH reports, as a table: RFC 7162 3.1.6 for SEARCH and
// RFC 4731 3.2 (RFC 7162 3.1.10) for ESEARCH's MIN, MAX, ALL and COUNT.
#include "server/imap/search_modseq.h"

#include <gtest/gtest.h>

#include <string>

namespace mailvault::imap {
namespace {

SearchReturnOptions Returns(std::string_view options) {
  SearchReturnOptions r;
  r.min = options.find("MIN") != std::string_view::npos;
  r.max = options.find("MAX") != std::string_view::npos;
  r.all = options.find("ALL") != std::string_view::npos;
  r.count = options.find("COUNT") != std::string_view::npos;
  r.save = options.find("SAVE") != std::string_view::npos;
  if (options.find("PARTIAL 2:3") != std::string_view::npos) r.partial = PartialRange{2, 3, false, "2:3"};
  if (options.find("PARTIAL -1:-1") != std::string_view::npos) r.partial = PartialRange{1, 1, true, "-1:-1"};
  return r;
}

struct Case {
  std::string_view returns;     // the RETURN options; "" for a plain SEARCH or RETURN ()
  std::vector<uint64_t> found;  // modseqs of the found messages, ascending sequence number
  uint64_t expected;
  std::string_view why;
};

TEST(SearchModseqTest, TheHighestOfTheMessagesReturned) {
  const Case cases[] = {
      // RFC 7162 3.1.6: "* SEARCH 2 5 6 7 11 12 18 19 20 23 (MODSEQ 917162500)",
      // the highest of all found.
      {"", {917162488, 917162500, 917162499, 3}, 917162500, "plain SEARCH: all found"},
      {"ALL", {5, 9, 7}, 9, "ALL returns every message"},
      {"COUNT", {5, 9, 7}, 9, "COUNT counts every message"},
      {"MIN COUNT", {5, 9, 7}, 9, "COUNT with MIN still covers all"},
      {"MAX ALL", {5, 9, 7}, 9, "ALL with MAX covers all"},
      // RFC 4731 3.2: with MIN or MAX alone, the found message's own.
      {"MIN", {5, 9, 7}, 5, "MIN alone: the first message's"},
      {"MAX", {5, 9, 7}, 7, "MAX alone: the last message's"},
      {"MIN MAX", {5, 9, 7}, 7, "MIN and MAX: the higher of the two"},
      {"MIN MAX", {8, 9, 7}, 8, "MIN and MAX: the higher of the two"},
      {"SAVE MIN", {5, 9, 7}, 5, "SAVE changes nothing returned"},
      {"MIN", {42}, 42, "one message found"},
      // RFC 9394: PARTIAL returns its window, and MIN or MAX their message.
      {"PARTIAL 2:3", {50, 9, 7, 60}, 9, "the second and third"},
      {"PARTIAL -1:-1", {50, 9, 7}, 7, "the last one"},
      {"MIN PARTIAL 2:3", {50, 9, 7, 60}, 50, "the window and the first"},
      {"COUNT PARTIAL 2:3", {50, 9, 7, 60}, 60, "COUNT covers all"},
      {"PARTIAL 2:3", {50}, 0, "nothing in the window"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(SearchResultModseq(c.found, Returns(c.returns)), c.expected)
        << "RETURN (" << c.returns << "): " << c.why;
  }
}

}  // namespace
}  // namespace mailvault::imap
