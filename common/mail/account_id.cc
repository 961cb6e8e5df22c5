#include "common/mail/account_id.h"

#include <algorithm>

namespace mailvault {

std::string NormalizeAccountId(std::string_view address) {
  std::string out(address);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return out;
}

bool IsValidAccountId(std::string_view id) {
  const size_t at = id.rfind('@');
  if (id.empty() || id.size() > 254 || at == std::string_view::npos || at == 0 ||
      at + 1 == id.size()) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return c > ' ' && c < 0x7f && c != '<' && c != '>' && c != '"' && c != '\\';
  });
}

}  // namespace mailvault
