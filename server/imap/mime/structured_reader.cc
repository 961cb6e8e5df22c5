#include "server/imap/mime/structured_reader.h"

namespace mailvault::imap::mime {
namespace {

bool IsCfwsByte(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool IsControl(unsigned char c) { return c < 0x20 || c == 0x7f; }

// RFC 2045 tspecials.
bool IsTspecial(char c) {
  constexpr std::string_view kTspecials = "()<>@,;:\\\"/[]?=";
  return kTspecials.find(c) != std::string_view::npos;
}

// RFC 5322 specials.
bool IsSpecial(char c) {
  constexpr std::string_view kSpecials = "()<>[]:;@\\,.\"";
  return kSpecials.find(c) != std::string_view::npos;
}

}  // namespace

void StructuredReader::SkipComment() {
  // At '('. Comments nest; quoted-pairs escape parentheses.
  std::string comment;
  int depth = 0;
  while (!AtEnd()) {
    const char c = text_[pos_++];
    if (c == '\\' && !AtEnd()) {
      comment.push_back(text_[pos_++]);
      continue;
    }
    if (c == '(') {
      if (depth++ > 0) comment.push_back(c);
      continue;
    }
    if (c == ')') {
      if (--depth == 0) break;
      comment.push_back(c);
      continue;
    }
    if (c == '\r' || c == '\n') continue;
    comment.push_back(c);
  }
  last_comment_ = std::move(comment);
}

void StructuredReader::SkipCfws() {
  while (!AtEnd()) {
    const char c = text_[pos_];
    if (IsCfwsByte(c)) {
      ++pos_;
    } else if (c == '(') {
      SkipComment();
    } else {
      break;
    }
  }
}

bool StructuredReader::Consume(char c) {
  if (AtEnd() || text_[pos_] != c) return false;
  ++pos_;
  return true;
}

bool StructuredReader::ReadToken(std::string& out) {
  const size_t start = pos_;
  while (!AtEnd()) {
    const char c = text_[pos_];
    if (c == ' ' || IsControl(static_cast<unsigned char>(c)) || IsTspecial(c)) break;
    ++pos_;
  }
  out.assign(text_.substr(start, pos_ - start));
  return pos_ > start;
}

bool StructuredReader::ReadAtom(std::string& out, bool allow_dot) {
  const size_t start = pos_;
  while (!AtEnd()) {
    const char c = text_[pos_];
    if (c == ' ' || IsControl(static_cast<unsigned char>(c))) break;
    if (IsSpecial(c) && !(allow_dot && c == '.')) break;
    ++pos_;
  }
  out.assign(text_.substr(start, pos_ - start));
  return pos_ > start;
}

bool StructuredReader::ReadQuotedString(std::string& out) {
  if (!Consume('"')) return false;
  out.clear();
  while (!AtEnd()) {
    const char c = text_[pos_++];
    if (c == '"') return true;
    if (c == '\\' && !AtEnd()) {
      out.push_back(text_[pos_++]);
      continue;
    }
    if (c == '\r' || c == '\n') continue;
    out.push_back(c);
  }
  return true;
}

bool StructuredReader::ReadDomainLiteral(std::string& out) {
  if (AtEnd() || text_[pos_] != '[') return false;
  const size_t start = pos_;
  while (!AtEnd()) {
    const char c = text_[pos_++];
    if (c == '\\' && !AtEnd()) {
      ++pos_;
      continue;
    }
    if (c == ']') break;
  }
  out.clear();
  for (char c : text_.substr(start, pos_ - start)) {
    if (c != '\r' && c != '\n') out.push_back(c);
  }
  return true;
}

}  // namespace mailvault::imap::mime
