#include "common/imap/sequence_set.h"

#include <algorithm>

#include "common/imap/lexical.h"

namespace mailvault::imap {
namespace {

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

// nz-number or '*' (returned as 0).
Result<uint32_t> ParseSeqNumber(std::string_view text, std::string_view whole) {
  if (text == "*") return uint32_t{0};
  if (text.empty()) {
    return Invalid("empty number in sequence set \"" + ErrorExcerpt(whole, 64) + "\"");
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Invalid("invalid character " + ByteName(static_cast<unsigned char>(c)) +
                     " in sequence set");
    }
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > 0xffffffffu) {
      return Invalid("number " + ErrorExcerpt(text, 24) +
                     " in sequence set exceeds 4294967295");
    }
  }
  if (value == 0) return Invalid("0 is not a valid message number or UID");
  if (text[0] == '0') return Invalid("leading zero in sequence set number " + std::string(text));
  return static_cast<uint32_t>(value);
}

void AppendRange(std::string& out, uint32_t first, uint32_t last) {
  if (!out.empty()) out.push_back(',');
  out.append(std::to_string(first));
  if (last != first) out.append(":").append(std::to_string(last));
}

}  // namespace

NumberSet NumberSet::FromNumbers(const std::vector<uint32_t>& numbers) {
  std::vector<NumberRange> ranges;
  ranges.reserve(numbers.size());
  for (uint32_t n : numbers) ranges.push_back({n, n});
  return FromRanges(std::move(ranges));
}

NumberSet NumberSet::FromRanges(std::vector<NumberRange> ranges) {
  for (NumberRange& range : ranges) {
    if (range.first > range.last) std::swap(range.first, range.last);
    if (range.first == 0) range.first = 1;
  }
  std::erase_if(ranges, [](const NumberRange& r) { return r.last == 0; });
  std::sort(ranges.begin(), ranges.end(),
            [](const NumberRange& a, const NumberRange& b) { return a.first < b.first; });
  NumberSet set;
  for (const NumberRange& range : ranges) {
    if (!set.ranges_.empty() &&
        static_cast<uint64_t>(range.first) <= static_cast<uint64_t>(set.ranges_.back().last) + 1) {
      set.ranges_.back().last = std::max(set.ranges_.back().last, range.last);
    } else {
      set.ranges_.push_back(range);
    }
  }
  return set;
}

bool NumberSet::Contains(uint32_t n) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), n,
                             [](uint32_t value, const NumberRange& r) { return value < r.first; });
  if (it == ranges_.begin()) return false;
  --it;
  return n <= it->last;
}

uint64_t NumberSet::Count() const {
  uint64_t count = 0;
  for (const NumberRange& range : ranges_) count += uint64_t{range.last} - range.first + 1;
  return count;
}

NumberSet NumberSet::ClampedTo(uint32_t max) const {
  NumberSet set;
  for (const NumberRange& range : ranges_) {
    if (range.first > max) break;
    set.ranges_.push_back({range.first, std::min(range.last, max)});
  }
  return set;
}

std::string NumberSet::ToString() const {
  std::string out;
  for (const NumberRange& range : ranges_) AppendRange(out, range.first, range.last);
  return out;
}

Result<SequenceSet> SequenceSet::Parse(std::string_view text, size_t max_ranges) {
  if (text.empty()) return Invalid("empty sequence set");
  SequenceSet set;
  if (text == "$") {
    set.saved_result_ = true;
    return set;
  }
  // Count before allocating anything.
  const size_t range_count = static_cast<size_t>(std::count(text.begin(), text.end(), ',')) + 1;
  if (range_count > max_ranges) {
    return Invalid("sequence set has " + std::to_string(range_count) + " ranges (limit " +
                   std::to_string(max_ranges) + ")");
  }
  std::vector<NumberRange> concrete;
  concrete.reserve(range_count);
  size_t begin = 0;
  while (begin <= text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(begin, end - begin);
    if (item == "$") return Invalid("\"$\" must be the whole sequence set");
    const size_t colon = item.find(':');
    MV_ASSIGN_OR_RETURN(const uint32_t first, ParseSeqNumber(item.substr(0, colon), text));
    uint32_t last = first;
    if (colon != std::string_view::npos) {
      MV_ASSIGN_OR_RETURN(last, ParseSeqNumber(item.substr(colon + 1), text));
    }
    if (first == 0 && last == 0) {
      set.star_alone_ = true;
    } else if (first == 0 || last == 0) {
      const uint32_t low = first == 0 ? last : first;
      if (!set.has_star_range_) {
        set.star_low_min_ = set.star_low_max_ = low;
        set.has_star_range_ = true;
      } else {
        set.star_low_min_ = std::min(set.star_low_min_, low);
        set.star_low_max_ = std::max(set.star_low_max_, low);
      }
    } else {
      concrete.push_back({first, last});
    }
    begin = end + 1;
  }
  set.concrete_ = NumberSet::FromRanges(std::move(concrete));
  return set;
}

NumberSet SequenceSet::Resolve(uint32_t largest) const {
  std::vector<NumberRange> ranges = concrete_.ranges();
  if (star_alone_) ranges.push_back({largest, largest});
  if (has_star_range_) {
    // Every "n:*" contains `largest`, so together they are one interval.
    ranges.push_back({std::min(star_low_min_, largest), std::max(star_low_max_, largest)});
  }
  return NumberSet::FromRanges(std::move(ranges));
}

std::string SequenceSet::ToString() const {
  if (saved_result_) return "$";
  std::string out = concrete_.ToString();
  if (has_star_range_) {
    if (!out.empty()) out.push_back(',');
    out.append(std::to_string(star_low_min_)).append(":*");
    // Below the smallest n, "n:*" ranges differ by their n; keep the widest.
    if (star_low_max_ != star_low_min_)
      out.append(",").append(std::to_string(star_low_max_)).append(":*");
  }
  if (star_alone_) out.append(out.empty() ? "*" : ",*");
  return out;
}

}  // namespace mailvault::imap
