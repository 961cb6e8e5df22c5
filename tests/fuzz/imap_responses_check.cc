// imap_responses: bytes from a (possibly hostile) server through the
// client's ResponseParser (client/protocol), as ImapClient reads them. The
// first byte picks small limits, so their paths are reached too.
#include <algorithm>
#include <string>
#include <vector>

#include "client/protocol/response_parser.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

using client::Response;
using client::ResponseParser;

struct Limits {
  uint64_t literal;
  size_t line;
  uint64_t batch;
};

std::string Describe(const Response& r) {
  return std::to_string(static_cast<int>(r.kind)) + "|" + r.tag + "|" + r.status + "|" + r.code +
         "|" + r.text + "|" + imap::DescribeTokens(r.data);
}

Transcript Drive(std::string_view input, const Limits& limits, const std::vector<size_t>& chunks) {
  Transcript t;
  ResponseParser parser(limits.literal, limits.line, limits.batch);
  size_t chunk = 0;
  do {
    const size_t take =
        chunks.empty() ? input.size() : std::min(input.size(), chunks[chunk++ % chunks.size()]);
    parser.Feed(input.substr(0, take));
    input.remove_prefix(take);
    for (;;) {
      Result<std::optional<Response>> next = parser.Next();
      if (!next.ok()) {
        const std::string& message = next.status().message();
        if (!IsOneLine(message)) t.failure = "error is not one line: " + Printable(message);
        // Sticky: the stream cannot be resynchronised.
        Result<std::optional<Response>> again = parser.Next();
        if (again.ok() || again.status().message() != message) t.failure = "error is not sticky";
        t.events.push_back("ERROR " + message);
        return t;
      }
      if (!next->has_value()) break;
      const Response& response = **next;
      if (response.kind == Response::Kind::kTagged && response.tag.empty()) {
        t.failure = "tagged response without a tag";
        return t;
      }
      if (!IsOneLine(response.tag) || !IsOneLine(response.status) || !IsOneLine(response.code) ||
          !IsOneLine(response.text)) {
        t.failure = "a response field holds a line end or NUL";
        return t;
      }
      for (char c : response.status) {
        if (c >= 'a' && c <= 'z') t.failure = "status not upper-cased: " + response.status;
      }
      t.events.push_back(Describe(response));
    }
  } while (!input.empty());
  return t;
}

}  // namespace

// Whole, byte by byte and in pseudo-random splits the responses (or the
// error) are the same.
std::string CheckImapResponses(std::string_view input) {
  FuzzInput in(input);
  const uint8_t selector = in.Byte();
  const std::string_view stream = in.Rest();
  Limits limits{64ull << 20, 1 << 20, 512ull << 20};
  if (selector & 1) limits = {16u + selector, 32u + selector, 256u + 8u * selector};
  const Transcript whole = Drive(stream, limits, {});
  if (!whole.failure.empty()) return whole.failure;
  return SameEventsInPieces(stream, whole, [&](const std::vector<size_t>& chunks) {
    return Drive(stream, limits, chunks);
  });
}

}  // namespace mailvault::fuzz
