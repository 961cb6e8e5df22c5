#include "tests/fuzz/fuzz_input.h"

#include <cstdio>
#include <random>

namespace mailvault::fuzz {

std::vector<size_t> SplitsFor(std::string_view input) {
  std::mt19937_64 rng(Fnv1a(input));
  std::vector<size_t> chunks;
  for (int i = 0; i < 8; ++i) chunks.push_back(1 + rng() % 64);
  return chunks;
}

bool IsOneLine(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

std::string Printable(std::string_view bytes, size_t max) {
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < max; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  if (bytes.size() > max) out += "...";
  return out;
}

}  // namespace mailvault::fuzz
