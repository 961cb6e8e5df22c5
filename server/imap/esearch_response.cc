#include "server/imap/esearch_response.h"

#include <algorithm>

#include "common/imap/sequence_set.h"
#include "server/imap/search_modseq.h"

namespace mailvault::imap {

std::string OrderedSequenceSet(const std::vector<uint32_t>& numbers) {
  std::string out;
  for (size_t i = 0; i < numbers.size();) {
    size_t end = i;
    while (end + 1 < numbers.size() && numbers[end + 1] == numbers[end] + 1) ++end;
    if (!out.empty()) out += ',';
    out += std::to_string(numbers[i]);
    if (end > i) out += ':' + std::to_string(numbers[end]);
    i = end + 1;
  }
  return out;
}

std::vector<uint32_t> SavedResults(const SearchReturnOptions& r,
                                   const std::vector<uint32_t>& results) {
  if (r.all || r.count || r.ImpliesAll() || (!r.min && !r.max && !r.partial) || results.empty()) {
    return results;
  }
  std::vector<uint32_t> saved;
  if (r.partial) {
    const auto [begin, end] = r.partial->Window(results.size());
    saved.assign(results.begin() + begin, results.begin() + end);
  }
  if (r.min) saved.push_back(results.front());
  if (r.max) saved.push_back(results.back());
  std::sort(saved.begin(), saved.end());
  saved.erase(std::unique(saved.begin(), saved.end()), saved.end());
  return saved;
}

std::string ResultSet(const std::vector<uint32_t>& results, ResultOrder order) {
  return order == ResultOrder::kSorted ? OrderedSequenceSet(results)
                                       : NumberSet::FromNumbers(results).ToString();
}

std::string EsearchLine(std::string_view tag, bool uid, const SearchReturnOptions& r,
                        const std::vector<uint32_t>& results, const std::vector<uint64_t>& modseqs,
                        ResultOrder order) {
  // SAVE alone asks for no result (RFC 5182 2.1).
  if (!r.min && !r.max && !r.all && !r.count && !r.partial && !r.ImpliesAll()) return "";
  std::string line = "ESEARCH (TAG \"" + std::string(tag) + "\")";
  if (uid) line += " UID";
  if (!results.empty()) {
    if (r.min) line += " MIN " + std::to_string(results.front());
    if (r.max) line += " MAX " + std::to_string(results.back());
    if (r.all || r.ImpliesAll()) line += " ALL " + ResultSet(results, order);
  }
  if (r.partial) {
    // RFC 9394 3.1: the range as asked, and NIL when no result is in it.
    const auto [begin, end] = r.partial->Window(results.size());
    const std::vector<uint32_t> window(results.begin() + begin, results.begin() + end);
    line += " PARTIAL (" + r.partial->as_sent + " " +
            (window.empty() ? std::string("NIL") : ResultSet(window, order)) + ")";
  }
  if (r.count) line += " COUNT " + std::to_string(results.size());
  if (!modseqs.empty()) line += " MODSEQ " + std::to_string(SearchResultModseq(modseqs, r));
  return line;
}

}  // namespace mailvault::imap
