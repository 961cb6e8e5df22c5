#pragma once

#include <string>
#include <string_view>

namespace mailvault {

// Account ids are addresses compared without case: "Alice@Example.COM" and
// "alice@example.com" are one account. Lower-casing ASCII only is enough,
// because an address with non-ASCII characters is refused (for now: SMTPUTF8
// is not advertised).
std::string NormalizeAccountId(std::string_view address);

// A plausible address: local@domain, printable ASCII, no spaces, at most 254
// bytes (RFC 5321 4.5.3.1.3).
bool IsValidAccountId(std::string_view account_id);

}  // namespace mailvault
