#include "common/imap/modified_utf7.h"

#include <cstdint>
#include <cstdio>
#include <vector>

#include "common/imap/utf8.h"

namespace mailvault::imap {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

int DecodeChar(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == ',') return 63;
  return -1;
}

bool IsPrintableAscii(uint32_t c) { return c >= 0x20 && c <= 0x7e; }

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, "invalid modified UTF-7: " + message);
}

std::string Hex(unsigned value) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%02X", value);
  return buf;
}

// One shift's base64 (between '&' and '-') to UTF-8.
Status DecodeShift(std::string_view base64, std::string& out) {
  std::vector<uint16_t> units;
  uint32_t bits = 0;
  int bit_count = 0;
  for (char c : base64) {
    const int value = DecodeChar(c);
    if (value < 0) {
      return Invalid("character " +
                     (IsPrintableAscii(static_cast<unsigned char>(c))
                          ? "'" + std::string(1, c) + "'"
                          : Hex(static_cast<unsigned char>(c))) +
                     " inside a &...- shift");
    }
    bits = (bits << 6) | static_cast<uint32_t>(value);
    bit_count += 6;
    if (bit_count >= 16) {
      bit_count -= 16;
      units.push_back(static_cast<uint16_t>((bits >> bit_count) & 0xffff));
    }
  }
  // A canonical encoder pads the last UTF-16 unit with at most 4 zero bits.
  if (bit_count >= 6 || (bits & ((1u << bit_count) - 1)) != 0) {
    return Invalid("incomplete UTF-16 data in a &...- shift");
  }
  for (size_t i = 0; i < units.size(); ++i) {
    uint32_t cp = units[i];
    if (cp >= 0xdc00 && cp <= 0xdfff) return Invalid("unpaired UTF-16 low surrogate");
    if (cp >= 0xd800 && cp <= 0xdbff) {
      if (i + 1 >= units.size() || units[i + 1] < 0xdc00 || units[i + 1] > 0xdfff) {
        return Invalid("unpaired UTF-16 high surrogate");
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (units[i + 1] - 0xdc00);
      ++i;
    }
    if (IsPrintableAscii(cp)) {
      return Invalid("printable ASCII '" + std::string(1, static_cast<char>(cp)) +
                     "' must not be encoded");
    }
    AppendUtf8(out, static_cast<char32_t>(cp));
  }
  return Status::Ok();
}

void EncodeShift(const std::vector<uint16_t>& units, std::string& out) {
  out.push_back('&');
  uint32_t bits = 0;
  int bit_count = 0;
  for (uint16_t unit : units) {
    bits = (bits << 16) | unit;
    bit_count += 16;
    while (bit_count >= 6) {
      bit_count -= 6;
      out.push_back(kAlphabet[(bits >> bit_count) & 63]);
    }
    bits &= (1u << bit_count) - 1;
  }
  if (bit_count > 0) out.push_back(kAlphabet[(bits << (6 - bit_count)) & 63]);
  out.push_back('-');
}

}  // namespace

Result<std::string> DecodeModifiedUtf7(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (!IsPrintableAscii(c)) {
      return Invalid("byte " + Hex(c) +
                     " must be encoded (only printable ASCII appears as itself)");
    }
    if (c != '&') {
      out.push_back(static_cast<char>(c));
      ++i;
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '-') {
      out.push_back('&');
      i += 2;
      continue;
    }
    const size_t end = text.find('-', i + 1);
    if (end == std::string_view::npos) return Invalid("unterminated &... shift (missing '-')");
    MV_RETURN_IF_ERROR(DecodeShift(text.substr(i + 1, end - i - 1), out));
    i = end + 1;
    if (i + 1 < text.size() && text[i] == '&' && text[i + 1] != '-') {
      return Invalid("two adjacent &...- shifts must be one");
    }
  }
  return out;
}

Result<std::string> EncodeModifiedUtf7(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + 8);
  std::vector<uint16_t> units;
  size_t i = 0;
  while (i < utf8.size()) {
    const unsigned char c = static_cast<unsigned char>(utf8[i]);
    if (IsPrintableAscii(c)) {
      if (!units.empty()) {
        EncodeShift(units, out);
        units.clear();
      }
      out.append(c == '&' ? "&-" : std::string(1, static_cast<char>(c)));
      ++i;
      continue;
    }
    char32_t cp;
    if (!DecodeUtf8CodePoint(utf8, i, cp)) {
      return Status(ErrorCode::kInvalidArgument, "invalid UTF-8 in mailbox name");
    }
    if (cp >= 0x10000) {
      const uint32_t v = static_cast<uint32_t>(cp) - 0x10000;
      units.push_back(static_cast<uint16_t>(0xd800 + (v >> 10)));
      units.push_back(static_cast<uint16_t>(0xdc00 + (v & 0x3ff)));
    } else {
      units.push_back(static_cast<uint16_t>(cp));
    }
  }
  if (!units.empty()) EncodeShift(units, out);
  return out;
}

}  // namespace mailvault::imap
