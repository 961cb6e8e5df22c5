#include "common/imap/command_tokenizer.h"

#include <cstdio>
#include <limits>
#include <utility>

#include "common/imap/char_classes.h"
#include "common/imap/lexical.h"

namespace mailvault::imap {
namespace {

bool IsCtl(unsigned char c) { return c < 0x20 || c == 0x7f; }

bool IsCommandNameChar(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// Characters that end an atom. The tokenizer is deliberately wider than
// ATOM-CHAR: '%' and '*' (LIST patterns, sequence sets), '\' (flags) and ']'
// (astrings) are atom characters here; each argument parser narrows.
bool EndsAtom(unsigned char c) { return c == ' ' || c == '(' || c == ')' || c == '{' || c == '"'; }

// The token-level grammar shared by the command's top level and the inside
// of a [section]: atoms, numbers, NIL, quoted strings, lists and (only at
// the top level) literal announcements.
class TokenParser {
 public:
  TokenParser(std::vector<ImapToken>& top, std::vector<ImapToken>& open_lists, bool& need_separator,
              size_t base_depth, size_t max_depth, bool literals_allowed)
      : top_(top),
        open_(open_lists),
        need_separator_(need_separator),
        base_depth_(base_depth),
        max_depth_(max_depth),
        literals_allowed_(literals_allowed) {}

  // Parses text[pos..]. Returns kComplete at the end of the text, kLiteral
  // when the text ends with an announcement, kError otherwise.
  CommandTokenizer::SegmentResult Parse(std::string_view text, size_t pos) {
    CommandTokenizer::SegmentResult result;
    while (pos < text.size()) {
      const unsigned char c = static_cast<unsigned char>(text[pos]);
      if (c == ' ') {
        need_separator_ = false;
        ++pos;
        continue;
      }
      if (c == ')') {
        if (open_.empty()) return Error("unexpected ')' without matching '('");
        ImapToken list = std::move(open_.back());
        open_.pop_back();
        Current().push_back(std::move(list));
        need_separator_ = true;
        ++pos;
        continue;
      }
      if (need_separator_) {
        return Error("missing space before " + ByteName(c) + " at offset " + std::to_string(pos));
      }
      if (c == '(') {
        if (base_depth_ + open_.size() + 1 > max_depth_) {
          return Error("parentheses nested deeper than " + std::to_string(max_depth_));
        }
        ImapToken list;
        list.kind = TokenKind::kList;
        open_.push_back(std::move(list));
        ++pos;
        continue;
      }
      if (c == '"') {
        if (!ParseQuoted(text, pos, result.error)) {
          result.outcome = CommandTokenizer::Outcome::kError;
          return result;
        }
        continue;
      }
      if (c == '{' || (c == '~' && pos + 1 < text.size() && text[pos + 1] == '{')) {
        return ParseLiteralAnnouncement(text, pos);
      }
      if (!ParseAtom(text, pos, result.error)) {
        result.outcome = CommandTokenizer::Outcome::kError;
        return result;
      }
    }
    result.outcome = CommandTokenizer::Outcome::kComplete;
    return result;
  }

 private:
  std::vector<ImapToken>& Current() { return open_.empty() ? top_ : open_.back().children; }

  static CommandTokenizer::SegmentResult Error(std::string message) {
    CommandTokenizer::SegmentResult result;
    result.outcome = CommandTokenizer::Outcome::kError;
    result.error = std::move(message);
    return result;
  }

  bool ParseQuoted(std::string_view text, size_t& pos, std::string& error) {
    ImapToken token;
    token.kind = TokenKind::kQuoted;
    size_t i = pos + 1;
    for (;;) {
      if (i >= text.size()) {
        error = "unterminated quoted string";
        return false;
      }
      const char c = text[i];
      if (c == '"') break;
      if (c == '\\') {
        if (i + 1 >= text.size()) {
          error = "unterminated quoted string";
          return false;
        }
        const char escaped = text[i + 1];
        if (escaped != '"' && escaped != '\\') {
          error = "invalid escape \\" + std::string(1, escaped) +
                  " in quoted string (only \\\" and \\\\ are allowed)";
          if (static_cast<unsigned char>(escaped) < 0x21 ||
              static_cast<unsigned char>(escaped) >= 0x7f) {
            error = "invalid escape of " + ByteName(static_cast<unsigned char>(escaped)) +
                    " in quoted string (only \\\" and \\\\ are allowed)";
          }
          return false;
        }
        token.text.push_back(escaped);
        i += 2;
        continue;
      }
      // 8-bit bytes are allowed: IMAP4rev2 quoted strings carry UTF-8.
      token.text.push_back(c);
      ++i;
    }
    pos = i + 1;
    Current().push_back(std::move(token));
    need_separator_ = true;
    return true;
  }

  CommandTokenizer::SegmentResult ParseLiteralAnnouncement(std::string_view text, size_t pos) {
    CommandTokenizer::SegmentResult result;
    if (!literals_allowed_) return Error("literal is not supported");
    LiteralSpec& spec = result.literal;
    if (text[pos] == '~') {
      spec.literal8 = true;
      ++pos;
    }
    size_t i = pos + 1;
    const size_t digits_begin = i;
    uint64_t size = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
      if (size > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
        spec.size_overflows = true;
      } else {
        size = size * 10 + digit;
      }
      ++i;
    }
    if (i == digits_begin) return Error("invalid literal announcement: expected digits after '{'");
    if (i < text.size() && text[i] == '+') {
      spec.synchronizing = false;
      ++i;
    }
    if (i >= text.size() || text[i] != '}') {
      return Error("invalid literal announcement: expected '}' after the size");
    }
    if (i + 1 != text.size()) return Error("literal announcement must end the line");
    spec.size = spec.size_overflows ? std::numeric_limits<uint64_t>::max() : size;
    result.outcome = CommandTokenizer::Outcome::kLiteral;
    return result;
  }

  bool ParseAtom(std::string_view text, size_t& pos, std::string& error) {
    ImapToken token;
    const size_t begin = pos;
    size_t i = pos;
    bool has_section = false;
    while (i < text.size()) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (EndsAtom(c)) break;
      if (c >= 0x80) {
        error = "8-bit " + ByteName(c) + " at offset " + std::to_string(i) +
                " outside a quoted string or literal";
        return false;
      }
      if (IsCtl(c)) {
        error = "control character " + ByteName(c) + " at offset " + std::to_string(i) + " in atom";
        return false;
      }
      if (c == '[' && !has_section) {
        const size_t close = FindSectionEnd(text, i);
        if (close != std::string_view::npos) {
          std::vector<ImapToken> inner_open;
          bool inner_separator = false;
          TokenParser inner(token.children, inner_open, inner_separator, base_depth_ + open_.size(),
                            max_depth_, /*literals_allowed=*/false);
          CommandTokenizer::SegmentResult inner_result = inner.Parse(text.substr(0, close), i + 1);
          if (inner_result.outcome != CommandTokenizer::Outcome::kComplete) {
            error = inner_result.error + " inside [section]";
            return false;
          }
          if (!inner_open.empty()) {
            error = "missing ')' inside [section]";
            return false;
          }
          has_section = true;
          token.section_open = static_cast<uint32_t>(i - begin);
          token.section_close = static_cast<uint32_t>(close - begin);
          i = close + 1;
          continue;
        }
      }
      ++i;
    }
    token.text.assign(text.substr(begin, i - begin));
    pos = i;
    if (has_section) {
      token.kind = TokenKind::kSection;
    } else {
      ClassifyAtom(token);
    }
    Current().push_back(std::move(token));
    need_separator_ = true;
    return true;
  }

  std::vector<ImapToken>& top_;
  std::vector<ImapToken>& open_;
  bool& need_separator_;
  size_t base_depth_;
  size_t max_depth_;
  bool literals_allowed_;
};

}  // namespace

std::optional<LiteralSpec> TrailingLiteral(std::string_view segment) {
  if (segment.empty() || segment.back() != '}') return std::nullopt;
  size_t i = segment.size() - 1;
  LiteralSpec spec;
  if (i > 0 && segment[i - 1] == '+') {
    spec.synchronizing = false;
    --i;
  }
  const size_t digits_end = i;
  while (i > 0 && segment[i - 1] >= '0' && segment[i - 1] <= '9') --i;
  if (i == digits_end || i == 0 || segment[i - 1] != '{') return std::nullopt;
  uint64_t size = 0;
  for (size_t k = i; k < digits_end; ++k) {
    const uint64_t digit = static_cast<uint64_t>(segment[k] - '0');
    if (size > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      spec.size_overflows = true;
      size = std::numeric_limits<uint64_t>::max();
      break;
    }
    size = size * 10 + digit;
  }
  spec.size = size;
  spec.literal8 = i >= 2 && segment[i - 2] == '~';
  return spec;
}

std::string LeadingTag(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsTagChar(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i >= text.size() || text[i] != ' ') return std::string();
  return std::string(text.substr(0, i));
}

void CommandTokenizer::Reset(size_t max_depth) {
  max_depth_ = max_depth;
  started_ = false;
  head_done_ = false;
  tag_.clear();
  name_.clear();
  uid_ = false;
  // A refused command's literals (a message, a password) go wiped.
  WipeStrings(args_);
  args_.clear();
  WipeStrings(open_lists_);
  open_lists_.clear();
  need_separator_ = false;
}

CommandTokenizer::SegmentResult CommandTokenizer::ParseHead(std::string_view segment, size_t& pos) {
  SegmentResult result;
  result.outcome = Outcome::kError;
  size_t i = 0;
  while (i < segment.size() && segment[i] != ' ') {
    const unsigned char c = static_cast<unsigned char>(segment[i]);
    if (!IsTagChar(c)) {
      result.error = "invalid " + ByteName(c) + " in tag";
      return result;
    }
    ++i;
  }
  if (i == 0) {
    result.error = "missing tag";
    return result;
  }
  tag_.assign(segment.substr(0, i));

  // Command name, then a second one after UID.
  for (int word = 0; word < 2; ++word) {
    if (i >= segment.size()) {
      result.error = word == 0 ? "missing command name" : "UID must be followed by a command name";
      return result;
    }
    ++i;  // the space
    const size_t begin = i;
    while (i < segment.size() && segment[i] != ' ') {
      const unsigned char c = static_cast<unsigned char>(segment[i]);
      if (!IsCommandNameChar(c)) {
        result.error = "invalid " + ByteName(c) + " in command name";
        return result;
      }
      ++i;
    }
    if (i == begin) {
      result.error = word == 0 ? "missing command name" : "UID must be followed by a command name";
      return result;
    }
    std::string name(segment.substr(begin, i - begin));
    for (char& c : name) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    }
    if (word == 0 && name == "UID") {
      uid_ = true;
      continue;
    }
    name_ = std::move(name);
    break;
  }
  pos = i;
  need_separator_ = true;
  head_done_ = true;
  result.outcome = Outcome::kComplete;
  return result;
}

CommandTokenizer::SegmentResult CommandTokenizer::AddSegment(std::string_view segment) {
  started_ = true;
  if (!head_done_) tag_ = LeadingTag(segment);
  // Whole-line checks first, so that the message names the real problem.
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\0') {
      SegmentResult result;
      result.error = "NUL byte at offset " + std::to_string(i) + " in command line";
      return result;
    }
    if (segment[i] == '\r') {
      SegmentResult result;
      result.error = "bare CR at offset " + std::to_string(i) + " in command line";
      return result;
    }
  }
  size_t pos = 0;
  if (!head_done_) {
    SegmentResult head = ParseHead(segment, pos);
    if (head.outcome == Outcome::kError) return head;
  }
  TokenParser parser(args_, open_lists_, need_separator_, 0, max_depth_, true);
  SegmentResult result = parser.Parse(segment, pos);
  if (result.outcome == Outcome::kComplete && !open_lists_.empty()) {
    result.outcome = Outcome::kError;
    result.error = "missing ')' at end of command";
  }
  return result;
}

void CommandTokenizer::AddLiteral(std::string bytes, bool literal8) {
  ImapToken token;
  token.kind = TokenKind::kLiteral;
  token.literal8 = literal8;
  token.text = std::move(bytes);
  (open_lists_.empty() ? args_ : open_lists_.back().children).push_back(std::move(token));
  need_separator_ = true;
}

ImapCommand CommandTokenizer::TakeCommand() {
  ImapCommand command;
  command.tag = std::move(tag_);
  command.name = std::move(name_);
  command.uid = uid_;
  command.args = std::move(args_);
  Reset(max_depth_);
  return command;
}

}  // namespace mailvault::imap
