// Checks on caller-supplied names and flags before they reach a key or a
// record. The server normalises IMAP input first; these checks make sure that
// whatever reaches the shard cannot break a key layout or a later parser.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailvault {

inline constexpr size_t kMaxAccountIdSize = 320;  // RFC 3696: 64 + 1 + 255
inline constexpr size_t kMaxRegionSize = 64;
inline constexpr size_t kMaxMailboxNameSize = 1024;
inline constexpr size_t kMaxFlagSize = 128;
inline constexpr size_t kMaxFlagsPerMessage = 256;

Status ValidateAccountId(std::string_view account_id);
Status ValidateRegion(std::string_view region);
Status ValidateMailboxName(std::string_view name);

// Checks each flag (an IMAP atom, optionally preceded by one backslash) and
// returns them sorted and without duplicates, the form MessageEntry stores.
Result<std::vector<std::string>> NormalizeFlags(const std::vector<std::string>& flags);

}  // namespace mailvault
