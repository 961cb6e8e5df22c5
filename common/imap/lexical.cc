#include "common/imap/lexical.h"

#include <cstdio>
#include <limits>

namespace mailvault::imap {

std::string ByteName(unsigned char c) {
  char buf[32];
  if (c >= 0x21 && c < 0x7f) {
    std::snprintf(buf, sizeof(buf), "'%c'", c);
  } else {
    std::snprintf(buf, sizeof(buf), "byte 0x%02X", c);
  }
  return buf;
}

std::string ErrorExcerpt(std::string_view text, size_t max) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < max; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof(hex), "\\x%02X", c);
      out += hex;
    }
  }
  if (text.size() > max) out += "...";
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (x >= 'a' && x <= 'z') x = static_cast<unsigned char>(x - 32);
    if (y >= 'a' && y <= 'z') y = static_cast<unsigned char>(y - 32);
    if (x != y) return false;
  }
  return true;
}

size_t FindSectionEnd(std::string_view text, size_t open) {
  bool in_quote = false;
  for (size_t i = open + 1; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quote) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_quote = false;
      }
    } else if (c == '"') {
      in_quote = true;
    } else if (c == '[') {
      return std::string_view::npos;
    } else if (c == ']') {
      return i;
    }
  }
  return std::string_view::npos;
}

void ClassifyAtom(ImapToken& token) {
  token.kind = TokenKind::kAtom;
  if (EqualsIgnoreCase(token.text, "NIL")) {
    token.kind = TokenKind::kNil;
    return;
  }
  if (token.text.empty() || token.text.size() > 20) return;
  uint64_t value = 0;
  for (const char d : token.text) {
    if (d < '0' || d > '9') return;
    const uint64_t digit = static_cast<uint64_t>(d - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return;
    value = value * 10 + digit;
  }
  token.kind = TokenKind::kNumber;
  token.number = value;
}

}  // namespace mailvault::imap
