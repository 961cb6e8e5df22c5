// A cursor over a structured header value (RFC 5322 3.2, RFC 2045 5.1):
// comments, quoted strings, atoms, MIME tokens, domain literals. Lenient by
// design: it never fails on odd input, it only reports that the expected
// item is not there, and callers decide how to resynchronise.
#pragma once

#include <string>
#include <string_view>

namespace mailvault::imap::mime {

class StructuredReader {
 public:
  explicit StructuredReader(std::string_view text) : text_(text) {}

  // Skips blanks, line breaks and (nested) comments. The text of the last
  // comment skipped stays available until ClearLastComment().
  void SkipCfws();
  bool AtEnd() const { return pos_ >= text_.size(); }
  // The next byte, or '\0' at the end.
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  // Consumes `c` if it is next (no CFWS skipped).
  bool Consume(char c);
  void Advance() {
    if (!AtEnd()) ++pos_;
  }
  size_t position() const { return pos_; }
  void set_position(size_t pos) { pos_ = pos; }

  // RFC 2045 token (any byte but blanks, controls and tspecials; 8-bit bytes
  // are accepted because real mail has them). False when none is next.
  bool ReadToken(std::string& out);
  // RFC 5322 atom; with `allow_dot` also obs-phrase's "." (so "Joe Q. Public"
  // reads as three words). 8-bit bytes are accepted.
  bool ReadAtom(std::string& out, bool allow_dot);
  // A quoted string, quoted-pairs resolved, line breaks dropped. An
  // unterminated string runs to the end.
  bool ReadQuotedString(std::string& out);
  // "[...]" kept with its brackets.
  bool ReadDomainLiteral(std::string& out);

  const std::string& last_comment() const { return last_comment_; }
  void ClearLastComment() { last_comment_.clear(); }

 private:
  void SkipComment();

  std::string_view text_;
  size_t pos_ = 0;
  std::string last_comment_;
};

}  // namespace mailvault::imap::mime
