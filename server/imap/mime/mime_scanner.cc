// The MIME scanner. Boundaries are recognised as Dovecot's message-parser
// does, which is what IMAP clients have been tested against:
// - a boundary line is one that starts with "--" and an active boundary of
//   this part or any enclosing multipart; the rest of the line is ignored;
// - when several active boundaries match, the longest wins, the innermost
//   on a tie; a match of an enclosing boundary ends the inner multiparts
//   even without their close delimiter;
// - a boundary line also ends a header that has no blank line yet.
#include <algorithm>
#include <optional>
#include <string>

#include "server/imap/mime/header_fields.h"
#include "server/imap/mime/mime_part.h"

namespace mailvault::imap::mime {
namespace {

size_t CountLineFeeds(std::string_view bytes) {
  return static_cast<size_t>(std::count(bytes.begin(), bytes.end(), '\n'));
}

class Scanner {
 public:
  explicit Scanner(std::string_view data) : data_(data) {}

  MimePart Scan() {
    MimePart root;
    ParsePart(0, /*in_digest=*/false, /*depth=*/0, root);
    return root;
  }

 private:
  // Where a part stopped: at the start of a boundary line, or at the end.
  struct Stop {
    size_t pos = 0;
    bool at_boundary = false;
  };
  static constexpr int kNoBoundary = -1;

  size_t LineEnd(size_t pos) const {
    const size_t lf = data_.find('\n', pos);
    return lf == std::string_view::npos ? data_.size() : lf + 1;
  }

  // The index in boundaries_ of the boundary the line at `pos` starts with.
  int MatchBoundary(size_t pos) const {
    if (boundaries_.empty() || data_.size() - pos < 2 || data_[pos] != '-' ||
        data_[pos + 1] != '-') {
      return kNoBoundary;
    }
    const std::string_view rest = data_.substr(pos + 2);
    int best = kNoBoundary;
    for (int i = static_cast<int>(boundaries_.size()) - 1; i >= 0; --i) {
      const std::string& boundary = boundaries_[static_cast<size_t>(i)];
      if (rest.starts_with(boundary) &&
          (best == kNoBoundary ||
           boundary.size() > boundaries_[static_cast<size_t>(best)].size())) {
        best = i;
      }
    }
    return best;
  }

  // The next boundary line at or after `pos` (which is a line start).
  Stop FindBoundaryLine(size_t pos) const {
    while (pos < data_.size()) {
      if (MatchBoundary(pos) != kNoBoundary) return {pos, true};
      pos = LineEnd(pos);
    }
    return {data_.size(), false};
  }

  // The end of a range that stops at `stop`: the line end before a boundary
  // line belongs to the boundary.
  size_t EndBefore(size_t begin, const Stop& stop) const {
    size_t end = stop.pos;
    if (!stop.at_boundary) return end;
    if (end > begin && data_[end - 1] == '\n') {
      --end;
      if (end > begin && data_[end - 1] == '\r') --end;
    }
    return end;
  }

  // Header: up to and including the blank line. A boundary line or the end
  // of the data can cut it short; then the body is empty and, for a
  // boundary, the returned stop is that line.
  std::optional<Stop> ParseHeader(size_t pos, MimePart& part) {
    part.header_begin = pos;
    while (pos < data_.size()) {
      if (MatchBoundary(pos) != kNoBoundary) {
        const Stop stop{pos, true};
        part.header_end = EndBefore(part.header_begin, stop);
        part.body_begin = part.body_end = pos;
        return stop;
      }
      const size_t next = LineEnd(pos);
      const std::string_view line = data_.substr(pos, next - pos);
      pos = next;
      if (line == "\n" || line == "\r\n") {
        part.header_end = part.body_begin = pos;
        return std::nullopt;
      }
    }
    part.header_end = part.body_begin = part.body_end = data_.size();
    return std::nullopt;
  }

  void ClassifyPart(bool in_digest, int depth, MimePart& part) {
    part.content = ParseContentFields(SplitHeaderFields(part.Header(data_)));
    if (part.content.has_type()) {
      part.type = part.content.type;
      part.subtype = part.content.subtype;
    } else {
      part.type = in_digest ? "message" : "text";
      part.subtype = in_digest ? "rfc822" : "plain";
    }
    part.kind = PartKind::kLeaf;
    if (depth >= kMaxMimeDepth || part_count_ >= kMaxMimeParts) return;
    if (EqualsIgnoreCase(part.type, "multipart")) {
      part.kind = PartKind::kMultipart;
    } else if (EqualsIgnoreCase(part.type, "message") && EqualsIgnoreCase(part.subtype, "rfc822")) {
      // Parsed as a message even with a base64 CTE (which RFC 2046 forbids),
      // as Dovecot does, so the structure is the same for every client.
      part.kind = PartKind::kMessage;
    }
  }

  // Parses the part whose header starts at `pos`; returns where it stopped.
  Stop ParsePart(size_t pos, bool in_digest, int depth, MimePart& part) {
    ++part_count_;
    const std::optional<Stop> cut = ParseHeader(pos, part);
    ClassifyPart(in_digest, depth, part);
    Stop stop;
    // The body keeps bytes EndBefore() would give to the boundary from here.
    size_t keep_until = part.body_begin;
    if (part.kind == PartKind::kMessage) {
      // Always one child, empty when the body is, so BODYSTRUCTURE can give
      // the envelope and body that message/rfc822 requires.
      MimePart& message = part.children.emplace_back();
      stop = ParsePart(part.body_begin, /*in_digest=*/false, depth + 1, message);
      // Dovecot quirk kept for identical sizes: when a boundary cuts the
      // encapsulated header short, the line end before the boundary stays
      // in the message/rfc822 body (though not in that header).
      if (message.header_end < message.body_begin) keep_until = stop.pos;
    } else if (cut) {
      return *cut;
    } else if (part.kind == PartKind::kMultipart) {
      stop = ParseMultipartBody(depth, part, keep_until);
    } else {
      stop = FindBoundaryLine(part.body_begin);
    }
    part.body_end = std::max(EndBefore(part.body_begin, stop), keep_until);
    part.body_lines = CountLineFeeds(part.Body(data_));
    return stop;
  }

  // Parses the body parts; `epilogue_begin` is set past the close
  // delimiter's line when there is one: that line end is the close
  // delimiter's, not the enclosing boundary's (RFC 2046 5.1.1's
  // "close-delimiter transport-padding [CRLF epilogue]"; Dovecot agrees).
  Stop ParseMultipartBody(int depth, MimePart& part, size_t& epilogue_begin) {
    const std::optional<std::string_view> boundary = part.content.TypeParam("boundary");
    if (!boundary || boundary->empty()) {
      // No boundary: the whole body is preamble, the multipart has no parts.
      return FindBoundaryLine(part.body_begin);
    }
    const bool digest = EqualsIgnoreCase(part.subtype, "digest");
    boundaries_.emplace_back(*boundary);
    const int own = static_cast<int>(boundaries_.size()) - 1;
    Stop stop = FindBoundaryLine(part.body_begin);  // past the preamble
    while (stop.at_boundary) {
      const int which = MatchBoundary(stop.pos);
      if (which != own) break;  // an enclosing boundary: this multipart ends unclosed
      const size_t after_dashes = stop.pos + 2 + boundaries_.back().size();
      if (data_.substr(after_dashes).starts_with("--")) {
        // Close delimiter; the epilogue runs to an enclosing boundary or the end.
        boundaries_.pop_back();
        epilogue_begin = LineEnd(stop.pos);
        return FindBoundaryLine(epilogue_begin);
      }
      if (part_count_ >= kMaxMimeParts) {
        // Too many parts: the rest are not listed; their bytes stay in this
        // multipart's body.
        stop = FindOuterBoundaryLine(LineEnd(stop.pos));
        break;
      }
      MimePart& child = part.children.emplace_back();
      stop = ParsePart(LineEnd(stop.pos), digest, depth + 1, child);
    }
    boundaries_.pop_back();
    return stop;
  }

  // Like FindBoundaryLine, but skipping this multipart's own delimiters.
  Stop FindOuterBoundaryLine(size_t pos) const {
    const int own = static_cast<int>(boundaries_.size()) - 1;
    while (pos < data_.size()) {
      const int which = MatchBoundary(pos);
      if (which != kNoBoundary && which != own) return {pos, true};
      pos = LineEnd(pos);
    }
    return {data_.size(), false};
  }

  std::string_view data_;
  std::vector<std::string> boundaries_;  // innermost last
  size_t part_count_ = 0;
};

}  // namespace

MimePart ScanMessage(std::string_view message) { return Scanner(message).Scan(); }

}  // namespace mailvault::imap::mime
