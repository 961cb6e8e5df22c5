// The ESEARCH response line of SEARCH RETURN (RFC 4731, RFC 9051) and of
// SORT RETURN (ESORT, RFC 5267 section 3), with CONDSTORE's MODSEQ.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/imap/search_args.h"

namespace mailvault::imap {

enum class ResultOrder {
  kAscending,  // SEARCH: ALL is a normalised set, MIN/MAX the extremes
  kSorted,     // SORT: ALL keeps the sort order; MIN/MAX are the first and last sorted
};

// "ESEARCH (TAG "a") UID MIN 1 ...", without "* ", or an empty string when
// nothing is to be sent (SAVE alone asks for no result, RFC 5182 2.1).
// `modseqs` parallels `results` when the search used MODSEQ, else is empty.
std::string EsearchLine(std::string_view tag, bool uid, const SearchReturnOptions& returns,
                        const std::vector<uint32_t>& results, const std::vector<uint64_t>& modseqs,
                        ResultOrder order);

// What RETURN (SAVE) keeps as "$", from `results` in result order: all of
// them, unless only MIN, MAX or PARTIAL return some, when it is those
// (RFC 5182 2.1, RFC 9394 3.2).
std::vector<uint32_t> SavedResults(const SearchReturnOptions& returns,
                                   const std::vector<uint32_t>& results);

// The ALL form of results: a normalised set for SEARCH, the sort order
// kept for SORT.
std::string ResultSet(const std::vector<uint32_t>& results, ResultOrder order);

// A sequence-set that keeps the order of `numbers`: ascending runs become
// ranges ("3:5"), everything else is listed ("9,7,3:5,1").
std::string OrderedSequenceSet(const std::vector<uint32_t>& numbers);

}  // namespace mailvault::imap
