// Lexes the text of one IMAP command into tag, name and token tree, one line
// piece at a time. A command is line pieces separated by literals:
//   A1 LOGIN {4}CRLF user {4}CRLF pass CRLF
// The receiver hands each complete piece (without its line end) to
// AddSegment() and each literal's bytes to AddLiteral(); open lists carry
// over from one piece to the next. No I/O and no limits other than depth:
// the receiver owns line and literal budgets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/imap/token.h"

namespace mailvault::imap {

// A literal announcement "{n}", "{n+}", "~{n}" or "~{n+}" at a line's end.
struct LiteralSpec {
  uint64_t size = 0;
  bool synchronizing = true;
  bool literal8 = false;
  bool size_overflows = false;  // more digits than fit in 64 bits
};

// The announcement a line piece ends with, if any, judged by its last bytes
// alone. Used to resynchronise after an error without parsing the line.
std::optional<LiteralSpec> TrailingLiteral(std::string_view segment);

// The tag at the start of `text` if it is complete (followed by a space) and
// valid; else empty. For errors reported before a whole line has arrived.
std::string LeadingTag(std::string_view text);

class CommandTokenizer {
 public:
  enum class Outcome { kComplete, kLiteral, kError };
  struct SegmentResult {
    Outcome outcome = Outcome::kError;
    LiteralSpec literal;  // kLiteral
    std::string error;    // kError
  };

  explicit CommandTokenizer(size_t max_depth = 16) : max_depth_(max_depth) {}

  // Forgets everything; the next segment starts a new command.
  void Reset(size_t max_depth);
  bool started() const { return started_; }
  // Known once the first segment's tag was valid.
  const std::string& tag() const { return tag_; }
  const std::string& name() const { return name_; }

  SegmentResult AddSegment(std::string_view segment);
  // The bytes of the literal the last segment announced.
  void AddLiteral(std::string bytes, bool literal8);
  // After kComplete.
  ImapCommand TakeCommand();

 private:
  SegmentResult ParseHead(std::string_view segment, size_t& pos);

  size_t max_depth_;
  bool started_ = false;
  bool head_done_ = false;
  std::string tag_;
  std::string name_;
  bool uid_ = false;
  std::vector<ImapToken> args_;
  // Lists opened but not yet closed, innermost last.
  std::vector<ImapToken> open_lists_;
  // The previous token ended and no space followed yet.
  bool need_separator_ = false;
};

}  // namespace mailvault::imap
