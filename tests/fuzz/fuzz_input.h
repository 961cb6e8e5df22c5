// Helpers the checks share: reading structure out of fuzz bytes, and
// deterministic "random" splits of an input.
#pragma once

#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailvault::fuzz {

// Takes bytes from the front of the input; past the end it yields zeros
// and empty strings, so a check never has to test for exhaustion.
class FuzzInput {
 public:
  explicit FuzzInput(std::string_view bytes) : rest_(bytes) {}
  uint8_t Byte() {
    if (rest_.empty()) return 0;
    const uint8_t b = static_cast<uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | Byte();
    return v;
  }
  // Up to `max` bytes, the count taken from one byte.
  std::string_view Bytes(size_t max) {
    const size_t n = std::min<size_t>({Byte() % (max + 1), rest_.size()});
    std::string_view out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return out;
  }
  // Up to the next `separator` (dropped), or the rest.
  std::string_view Until(char separator) {
    const size_t at = rest_.find(separator);
    std::string_view out = rest_.substr(0, at);
    rest_.remove_prefix(at == std::string_view::npos ? rest_.size() : at + 1);
    return out;
  }
  std::string_view Rest() {
    std::string_view out = rest_;
    rest_ = {};
    return out;
  }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

inline uint64_t Fnv1a(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

// Eight chunk sizes of 1 to 64 bytes derived from the input itself, so a
// failing split reproduces from the input alone.
std::vector<size_t> SplitsFor(std::string_view input);

// True when `text` can go into a response line as it is: no CR, LF or NUL
// (a peer-controlled byte there would let it inject a response).
bool IsOneLine(std::string_view text);

// "\xNN" for non-printable bytes: for failure descriptions.
std::string Printable(std::string_view bytes, size_t max = 200);

// What a stream reader made of an input: its events in order, or why the
// check failed.
struct Transcript {
  std::vector<std::string> events;
  std::string failure;
};

// Feeds `stream` again in the pieces SplitsFor gives (and byte by byte
// when it is short) and returns a failure unless every feeding gives
// `whole`'s events. `drive(chunks)` reads the stream in those pieces.
template <typename Drive>
std::string SameEventsInPieces(std::string_view stream, const Transcript& whole, Drive drive) {
  std::vector<std::vector<size_t>> splits = {SplitsFor(stream)};
  if (stream.size() <= 4096) splits.push_back({1});
  for (const std::vector<size_t>& chunks : splits) {
    const Transcript split = drive(chunks);
    if (!split.failure.empty()) return split.failure;
    if (split.events != whole.events) {
      std::string described;
      for (const std::string& e : whole.events) described += Printable(e) + "\n";
      return "feeding in pieces changed the events; whole input gave:\n" + described;
    }
  }
  return "";
}

}  // namespace mailvault::fuzz
