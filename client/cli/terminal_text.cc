#include "client/cli/terminal_text.h"

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

std::string Printable(std::string_view text, size_t width) {
  std::string out;
  size_t characters = 0;
  for (unsigned char c : text) {
    const bool starts_character = (c & 0xC0) != 0x80;
    if (starts_character && characters++ == width) break;
    out.push_back(c < 0x20 || c == 0x7f ? '?' : static_cast<char>(c));
  }
  return out;
}

}  // namespace mailvault::client
