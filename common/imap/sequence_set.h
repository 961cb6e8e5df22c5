// IMAP sequence sets and UID sets (RFC 9051 "sequence-set"), kept as ranges:
// "1:4294967295" is one range, never four billion numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailvault::imap {

struct NumberRange {
  uint32_t first = 0;  // inclusive, first <= last
  uint32_t last = 0;   // inclusive
  bool operator==(const NumberRange&) const = default;
};

// A set of message numbers or UIDs: sorted, disjoint, non-adjacent ranges.
class NumberSet {
 public:
  NumberSet() = default;
  // Accepts ranges in any order, overlapping, with first > last; drops 0.
  static NumberSet FromRanges(std::vector<NumberRange> ranges);
  // The set of the given numbers (any order, repeats allowed).
  static NumberSet FromNumbers(const std::vector<uint32_t>& numbers);

  bool empty() const { return ranges_.empty(); }
  bool Contains(uint32_t n) const;
  // Up to 2^32 - 1, hence 64 bits.
  uint64_t Count() const;
  uint32_t Min() const { return ranges_.empty() ? 0 : ranges_.front().first; }
  uint32_t Max() const { return ranges_.empty() ? 0 : ranges_.back().last; }
  const std::vector<NumberRange>& ranges() const { return ranges_; }
  // Only the numbers <= max: sequence numbers beyond the mailbox, UIDs not
  // yet assigned.
  NumberSet ClampedTo(uint32_t max) const;
  // Wire form, "1:3,5,7:9"; empty for an empty set. Used for COPYUID,
  // APPENDUID and ESEARCH ALL.
  std::string ToString() const;

  // Calls f(n) for every number in order; f returns false to stop. Only for
  // sets the caller has bounded (ClampedTo the mailbox).
  template <typename F>
  void ForEach(F&& f) const {
    for (const NumberRange& range : ranges_) {
      for (uint64_t n = range.first; n <= range.last; ++n) {
        if (!f(static_cast<uint32_t>(n))) return;
      }
    }
  }

  bool operator==(const NumberSet&) const = default;

 private:
  std::vector<NumberRange> ranges_;
};

// A sequence set as the client wrote it, with '*' still unresolved: its
// meaning depends on the mailbox ('*' is the highest sequence number or UID
// in use).
class SequenceSet {
 public:
  // Parsing refuses sets of more ranges than this (a 64 KiB line holds
  // ~16000 single numbers).
  static constexpr size_t kDefaultMaxRanges = 10000;

  // "1:3,5,7:*", "*", "$" (RFC 5182 SEARCHRES: the saved search result).
  // Numbers are nz-number: 1 to 4294967295, no leading zeros.
  static Result<SequenceSet> Parse(std::string_view text, size_t max_ranges = kDefaultMaxRanges);

  // "$": the session substitutes its saved result (RFC 5182).
  bool is_saved_result() const { return saved_result_; }
  bool has_star() const { return star_alone_ || has_star_range_; }

  // Replaces '*' by `largest` (the message count or the highest UID; 0 for
  // an empty mailbox, where "*" then matches nothing) and normalises. As RFC
  // 9051 says, "559:*" with largest 500 is "500:559": it includes the last
  // message. The result may hold numbers above `largest`; sequence-number
  // commands must refuse those, UID commands ignore them (ClampedTo).
  NumberSet Resolve(uint32_t largest) const;

  // The set normalised, '*' kept: "1:3,5,7:*".
  std::string ToString() const;

 private:
  bool saved_result_ = false;
  NumberSet concrete_;           // ranges without '*'
  bool star_alone_ = false;      // "*" or "*:*"
  bool has_star_range_ = false;  // some "n:*"
  uint32_t star_low_min_ = 0;    // smallest n of all "n:*"
  uint32_t star_low_max_ = 0;    // largest n of all "n:*"
};

}  // namespace mailvault::imap
