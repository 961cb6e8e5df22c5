#include "server/imap/esearch_response.h"

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

std::string EsearchLine(std::string_view tag, bool uid, const SearchReturnOptions& r,
                        const std::vector<uint32_t>& results, const std::vector<uint64_t>& modseqs,
                        ResultOrder order) {
  if (r.save && !r.min && !r.max && !r.all && !r.count) return "";
  const bool nothing_asked = !r.min && !r.max && !r.all && !r.count;
  std::string line = "ESEARCH (TAG \"" + std::string(tag) + "\")";
  if (uid) line += " UID";
  if (!results.empty()) {
    if (r.min) line += " MIN " + std::to_string(results.front());
    if (r.max) line += " MAX " + std::to_string(results.back());
    if (r.all || nothing_asked) {
      line +=
          " ALL " + (order == ResultOrder::kSorted ? OrderedSequenceSet(results)
                                                   : NumberSet::FromNumbers(results).ToString());
    }
  }
  if (r.count) line += " COUNT " + std::to_string(results.size());
  if (!modseqs.empty()) line += " MODSEQ " + std::to_string(SearchResultModseq(modseqs, r));
  return line;
}

}  // namespace mailvault::imap
