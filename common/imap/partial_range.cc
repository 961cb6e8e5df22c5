#include "common/imap/partial_range.h"

#include <algorithm>
#include <charconv>

namespace mailvault::imap {
namespace {

// One end: an nz-number of at most 32 bits, after the optional minus.
std::optional<uint32_t> ParseEnd(std::string_view text) {
  if (text.empty() || text[0] == '0') return std::nullopt;
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value > UINT32_MAX) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(value);
}

}  // namespace

std::pair<size_t, size_t> PartialRange::Window(size_t size) const {
  if (low > size) return {size, size};
  const size_t count = std::min<size_t>(high, size) - low + 1;
  if (!from_end) return {low - 1, low - 1 + count};
  // -1 is the last result: positions low..high from the end.
  return {size - (low - 1) - count, size - (low - 1)};
}

Result<PartialRange> ParsePartialRange(const ImapToken& token, std::string_view command) {
  const auto invalid = [&] {
    return Status(ErrorCode::kInvalidArgument,
                  std::string(command) +
                      ": PARTIAL needs a range like 1:500 or -1:-100 (RFC 9394), not " +
                      TokenKindForError(token));
  };
  if (token.kind != TokenKind::kAtom) return invalid();
  const std::string_view text = token.text;
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos) return invalid();
  std::string_view first = text.substr(0, colon);
  std::string_view second = text.substr(colon + 1);
  const bool first_negative = !first.empty() && first[0] == '-';
  const bool second_negative = !second.empty() && second[0] == '-';
  if (first_negative != second_negative) return invalid();
  if (first_negative) {
    first.remove_prefix(1);
    second.remove_prefix(1);
  }
  const std::optional<uint32_t> a = ParseEnd(first);
  const std::optional<uint32_t> b = ParseEnd(second);
  if (!a || !b) return invalid();
  return PartialRange{std::min(*a, *b), std::max(*a, *b), first_negative, std::string(text)};
}

}  // namespace mailvault::imap
