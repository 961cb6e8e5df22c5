// PARTIAL's range (RFC 9394 section 4): a window of a result list by
// position, "1:500" from the first result or "-1:-100" from the last. The
// SEARCH and SORT return option (RFC 5267 4.4, RFC 9394 3.1) and the UID
// FETCH modifier (RFC 9394 3.3) share it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/imap/token.h"
#include "common/status.h"

namespace mailvault::imap {

struct PartialRange {
  // 1-based positions, low <= high ("500:400" is "400:500"). With
  // from_end, position 1 is the last result.
  uint32_t low = 1;
  uint32_t high = 1;
  bool from_end = false;
  // As the client wrote it: the response echoes the original range.
  std::string as_sent;

  // The [begin, end) indexes of a list of `size` results the range selects
  // (begin == end when it selects none).
  std::pair<size_t, size_t> Window(size_t size) const;
  bool operator==(const PartialRange&) const = default;
};

// partial-range = nz-number ":" nz-number / "-" nz-number ":" "-" nz-number,
// 32-bit, no "*", both ends of one sign. Errors name `command`.
Result<PartialRange> ParsePartialRange(const ImapToken& token, std::string_view command);

}  // namespace mailvault::imap
