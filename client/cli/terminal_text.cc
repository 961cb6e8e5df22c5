#include "client/cli/terminal_text.h"

#include <cstdio>
#include <ctime>

namespace mailvault::client {

std::string UtcTime(int64_t unix_seconds, const char* format) {
  char text[64];
  const time_t t = static_cast<time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::strftime(text, sizeof text, format, &tm);
  return text;
}

namespace {

// The length of the UTF-8 sequence at text[i] and its code point, or 0 when
// the bytes there are not well-formed UTF-8 (overlong, surrogate, cut off).
size_t DecodeUtf8(std::string_view text, size_t i, uint32_t& code_point) {
  const unsigned char lead = static_cast<unsigned char>(text[i]);
  size_t length = 0;
  uint32_t min = 0;
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2, min = 0x80, code_point = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, min = 0x800, code_point = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, min = 0x10000, code_point = lead & 0x07;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    const unsigned char next = static_cast<unsigned char>(text[i + k]);
    if ((next & 0xC0) != 0x80) return 0;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (code_point < min || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return 0;
  }
  return length;
}

bool ReordersOrHidesText(uint32_t c) {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0x200E ||
         c == 0x200F || c == 0x061C || c == 0x2028 || c == 0x2029;
}

}  // namespace

std::string Printable(std::string_view text, size_t width) {
  std::string out;
  size_t characters = 0;
  for (size_t i = 0; i < text.size() && characters < width; ++characters) {
    uint32_t c = 0;
    const size_t length = DecodeUtf8(text, i, c);
    const bool control = c < 0x20 || (c >= 0x7F && c <= 0x9F) || ReordersOrHidesText(c);
    if (length == 0 || control) {
      out.push_back('?');
    } else {
      out.append(text.substr(i, length));
    }
    i += length == 0 ? 1 : length;
  }
  return out;
}

std::string EscapeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  char escape[16];
  for (size_t i = 0; i < text.size();) {
    uint32_t c = 0;
    const size_t length = DecodeUtf8(text, i, c);
    if (length == 0) {
      std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned char>(text[i]));
      out += escape;
      ++i;
      continue;
    }
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
      std::snprintf(escape, sizeof escape, "\\x%02x", static_cast<unsigned>(c));
      out += escape;
    } else if (ReordersOrHidesText(c)) {
      std::snprintf(escape, sizeof escape, "\\u{%04x}", static_cast<unsigned>(c));
      out += escape;
    } else {
      out.append(text.substr(i, length));
    }
    i += length;
  }
  return out;
}

}  // namespace mailvault::client
