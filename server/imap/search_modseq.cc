#include "server/imap/search_modseq.h"

#include <algorithm>

namespace mailvault::imap {

uint64_t SearchResultModseq(const std::vector<uint64_t>& found, const SearchReturnOptions& r) {
  if (found.empty()) return 0;
  // COUNT counts every found message and ALL lists them: then each is
  // "being returned". RETURN () means ALL (RFC 4731 3.1) and arrives here
  // with nothing set, as a plain SEARCH does.
  if (r.all || r.count || r.ImpliesAll()) return *std::max_element(found.begin(), found.end());
  // Only some are returned: the ends MIN and MAX name, and PARTIAL's window.
  uint64_t highest = 0;
  if (r.partial) {
    const auto [begin, end] = r.partial->Window(found.size());
    for (size_t i = begin; i < end; ++i) highest = std::max(highest, found[i]);
  }
  if (r.min) highest = std::max(highest, found.front());
  if (r.max) highest = std::max(highest, found.back());
  return highest;
}

}  // namespace mailvault::imap
