#include "client/protocol/response_parser.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <utility>

#include "common/imap/char_classes.h"
#include "common/imap/lexical.h"

namespace mailvault::client {
namespace {

using imap::ByteName;
using imap::ClassifyAtom;
using imap::EqualsIgnoreCase;
using imap::FindSectionEnd;
using imap::ImapToken;
using imap::TokenKind;

// Deep enough for any BODYSTRUCTURE a real MIME tree gives (each level adds
// two lists), shallow enough that destroying the token tree, which recurses,
// cannot exhaust the stack.
constexpr size_t kMaxDepth = 256;

// Moving the unconsumed tail is worth it only past this much consumed input.
constexpr size_t kCompactThreshold = 64 * 1024;

// What a response and a token cost against max_batch, besides their bytes:
// a line of one-letter atoms takes far more memory as tokens than as text.
constexpr uint64_t kResponseCost = sizeof(Response);
constexpr uint64_t kTokenCost = sizeof(ImapToken);

constexpr char kTooManyTokens[] = "the responses to one command hold too many tokens";

std::string At(size_t offset) { return " at offset " + std::to_string(offset); }

std::string UpperCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

bool IsStatusWord(std::string_view word) {
  return EqualsIgnoreCase(word, "OK") || EqualsIgnoreCase(word, "NO") ||
         EqualsIgnoreCase(word, "BAD") || EqualsIgnoreCase(word, "BYE") ||
         EqualsIgnoreCase(word, "PREAUTH");
}

// Response atoms are wider than ATOM-CHAR: flags (\Seen, \*), sequence sets
// (1:*), base64 (+/=) and ']' all stay inside. '{' ends nothing here; it
// only starts a literal at the beginning of a token.
bool EndsAtom(unsigned char c) { return c == ' ' || c == '(' || c == ')' || c == '"'; }

struct LexResult {
  enum class Outcome { kDone, kLiteral, kError };
  Outcome outcome = Outcome::kDone;
  ErrorCode code = ErrorCode::kMalformed;  // kError
  std::string error;                       // kError
  uint64_t literal_size = 0;               // kLiteral
  bool literal8 = false;                   // kLiteral
};

LexResult LexError(ErrorCode code, std::string message) {
  LexResult result;
  result.outcome = LexResult::Outcome::kError;
  result.code = code;
  result.error = std::move(message);
  return result;
}

// The token grammar of a data response, for its top level (where lists may
// stay open across literals) and for the inside of a [section]. Offsets in
// errors are offsets in the line piece.
class TokenLexer {
 public:
  // `tokens` counts the tokens made, which must stay within `max_tokens`.
  TokenLexer(std::vector<ImapToken>& top, std::vector<ImapToken>& open_lists, bool& need_space,
             bool& after_list, size_t base_depth, bool literals_allowed, uint64_t max_literal,
             uint64_t& tokens, uint64_t max_tokens)
      : top_(top),
        open_(open_lists),
        need_space_(need_space),
        after_list_(after_list),
        base_depth_(base_depth),
        literals_allowed_(literals_allowed),
        max_literal_(max_literal),
        tokens_(tokens),
        max_tokens_(max_tokens) {}

  // Lexes text[pos..]: kDone at its end, kLiteral when it ends with a
  // literal announcement, else kError.
  LexResult Lex(std::string_view text, size_t pos) {
    while (pos < text.size()) {
      if (tokens_ > max_tokens_) {
        return LexError(ErrorCode::kInvalidArgument, std::string(kTooManyTokens) + At(pos));
      }
      const unsigned char c = static_cast<unsigned char>(text[pos]);
      if (c == ' ') {
        need_space_ = false;
        after_list_ = false;
        ++pos;
        continue;
      }
      if (c == ')') {
        if (open_.empty()) return LexError(ErrorCode::kMalformed, "unbalanced ')'" + At(pos));
        ImapToken list = std::move(open_.back());
        open_.pop_back();
        Finish(std::move(list));
        after_list_ = true;
        ++pos;
        continue;
      }
      // NAMESPACE writes its lists back to back: (("" "/")("#shared/" "/")).
      if (need_space_ && !(c == '(' && after_list_)) {
        return LexError(ErrorCode::kMalformed, "missing space before " + ByteName(c) + At(pos));
      }
      if (c == '(') {
        if (base_depth_ + open_.size() + 1 > kMaxDepth) {
          return LexError(ErrorCode::kInvalidArgument,
                          "lists nested deeper than " + std::to_string(kMaxDepth) + At(pos));
        }
        ImapToken list;
        list.kind = TokenKind::kList;
        open_.push_back(std::move(list));
        ++tokens_;
        need_space_ = false;
        after_list_ = false;
        ++pos;
        continue;
      }
      if (c == '"') {
        LexResult quoted = LexQuoted(text, pos);
        if (quoted.outcome == LexResult::Outcome::kError) return quoted;
        continue;
      }
      if (c == '{' || (c == '~' && pos + 1 < text.size() && text[pos + 1] == '{')) {
        return LexLiteralAnnouncement(text, pos);
      }
      LexResult atom = LexAtom(text, pos);
      if (atom.outcome == LexResult::Outcome::kError) return atom;
    }
    return LexResult();
  }

 private:
  // Lists are counted when opened.
  void Finish(ImapToken token) {
    if (token.kind != TokenKind::kList) ++tokens_;
    (open_.empty() ? top_ : open_.back().children).push_back(std::move(token));
    need_space_ = true;
    after_list_ = false;
  }

  LexResult LexQuoted(std::string_view text, size_t& pos) {
    ImapToken token;
    token.kind = TokenKind::kQuoted;
    size_t i = pos + 1;
    for (;;) {
      if (i >= text.size()) {
        return LexError(ErrorCode::kMalformed, "unterminated quoted string starting" + At(pos));
      }
      const char c = text[i];
      if (c == '"') break;
      if (c == '\\') {
        if (i + 1 >= text.size()) {
          return LexError(ErrorCode::kMalformed, "unterminated quoted string starting" + At(pos));
        }
        const char escaped = text[i + 1];
        if (escaped != '"' && escaped != '\\') {
          return LexError(ErrorCode::kMalformed, "invalid escape in quoted string" + At(i) +
                                                     " (only \\\" and \\\\ are allowed)");
        }
        token.text.push_back(escaped);
        i += 2;
        continue;
      }
      // 8-bit bytes are fine: IMAP4rev2 quoted strings carry UTF-8.
      token.text.push_back(c);
      ++i;
    }
    pos = i + 1;
    Finish(std::move(token));
    return LexResult();
  }

  LexResult LexLiteralAnnouncement(std::string_view text, size_t pos) {
    const size_t begin = pos;
    if (!literals_allowed_) {
      return LexError(ErrorCode::kMalformed, "literal" + At(begin));
    }
    LexResult result;
    result.outcome = LexResult::Outcome::kLiteral;
    if (text[pos] == '~') {
      result.literal8 = true;
      ++pos;
    }
    size_t i = pos + 1;
    const size_t digits_begin = i;
    uint64_t size = 0;
    bool overflows = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
      if (size > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
        overflows = true;
      } else {
        size = size * 10 + digit;
      }
      ++i;
    }
    if (i == digits_begin || i >= text.size() || text[i] != '}') {
      return LexError(ErrorCode::kMalformed, "invalid literal announcement" + At(begin));
    }
    if (i + 1 != text.size()) {
      return LexError(ErrorCode::kMalformed,
                      "literal announcement" + At(begin) + " does not end the line");
    }
    if (overflows || size > max_literal_) {
      return LexError(ErrorCode::kInvalidArgument,
                      "literal" + At(begin) + " of " +
                          (overflows ? std::string("more than 2^64") : std::to_string(size)) +
                          " bytes exceeds the limit of " + std::to_string(max_literal_) + " bytes");
    }
    result.literal_size = size;
    return result;
  }

  LexResult LexAtom(std::string_view text, size_t& pos) {
    ImapToken token;
    const size_t begin = pos;
    size_t i = pos;
    bool has_section = false;
    while (i < text.size()) {
      const unsigned char c = static_cast<unsigned char>(text[i]);
      if (EndsAtom(c)) break;
      if (c == '[' && !has_section) {
        const size_t close = FindSectionEnd(text, i);
        if (close != std::string_view::npos) {
          std::vector<ImapToken> inner_open;
          bool inner_space = false;
          bool inner_after_list = false;
          TokenLexer inner(token.children, inner_open, inner_space, inner_after_list,
                           base_depth_ + open_.size(), /*literals_allowed=*/false, max_literal_,
                           tokens_, max_tokens_);
          LexResult inner_result = inner.Lex(text.substr(0, close), i + 1);
          if (inner_result.outcome == LexResult::Outcome::kError) {
            inner_result.error += " inside [section]";
            return inner_result;
          }
          if (!inner_open.empty()) {
            return LexError(ErrorCode::kMalformed, "missing ')' inside [section]" + At(close));
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
    if (has_section) {
      token.kind = TokenKind::kSection;
    } else {
      ClassifyAtom(token);
    }
    pos = i;
    Finish(std::move(token));
    return LexResult();
  }

  std::vector<ImapToken>& top_;
  std::vector<ImapToken>& open_;
  bool& need_space_;
  bool& after_list_;
  size_t base_depth_;
  bool literals_allowed_;
  uint64_t max_literal_;
  uint64_t& tokens_;
  uint64_t max_tokens_;
};

}  // namespace

ResponseParser::ResponseParser(uint64_t max_literal, size_t max_line, uint64_t max_batch)
    : max_literal_(max_literal), max_line_(max_line), max_batch_(max_batch) {}

void ResponseParser::Feed(std::string_view bytes) {
  if (!error_.ok()) return;
  // Inside a literal with nothing else buffered, the bytes go straight to
  // their token: a 50 MiB body is copied once, not through buffer_ first.
  if (state_ == State::kLiteral && consumed_ == buffer_.size() && literal_left_ > 0) {
    const size_t take = static_cast<size_t>(std::min<uint64_t>(literal_left_, bytes.size()));
    literal_.append(bytes.data(), take);
    literal_left_ -= take;
    bytes.remove_prefix(take);
  }
  buffer_.append(bytes.data(), bytes.size());
}

Result<std::optional<Response>> ResponseParser::Next() {
  if (!error_.ok()) return error_;
  for (;;) {
    if (state_ == State::kLiteral) {
      const size_t take =
          static_cast<size_t>(std::min<uint64_t>(literal_left_, buffer_.size() - consumed_));
      literal_.append(buffer_, consumed_, take);
      consumed_ += take;
      scanned_ = consumed_;
      literal_left_ -= take;
      if (literal_left_ > 0) {
        Compact();
        return std::optional<Response>();
      }
      ImapToken token;
      token.kind = TokenKind::kLiteral;
      token.literal8 = literal8_;
      token.text = std::move(literal_);
      literal_ = std::string();
      AddToken(std::move(token));
      state_ = State::kLine;
      continue;
    }

    const char* base = buffer_.data();
    const void* lf = std::memchr(base + scanned_, '\n', buffer_.size() - scanned_);
    if (lf == nullptr) {
      scanned_ = buffer_.size();
      size_t pending = buffer_.size() - consumed_;
      if (pending > 0 && buffer_.back() == '\r') --pending;  // the CR of a CRLF yet to come
      if (line_bytes_ + pending > max_line_) {
        ++pieces_;  // the piece still arriving
        return Fail(ErrorCode::kInvalidArgument,
                    "line longer than the limit of " + std::to_string(max_line_) + " bytes");
      }
      Compact();
      return std::optional<Response>();
    }
    const size_t end = static_cast<size_t>(static_cast<const char*>(lf) - base);
    std::string_view piece(base + consumed_, end - consumed_);
    if (!piece.empty() && piece.back() == '\r') piece.remove_suffix(1);
    ++pieces_;
    line_bytes_ += piece.size();
    if (line_bytes_ > max_line_) {
      return Fail(ErrorCode::kInvalidArgument,
                  "line longer than the limit of " + std::to_string(max_line_) + " bytes");
    }
    MV_RETURN_IF_ERROR(Charge(piece.size() + (pieces_ == 1 ? kResponseCost : 0)));
    Status parsed = ParsePiece(piece);
    if (!parsed.ok()) return parsed;
    consumed_ = end + 1;
    scanned_ = consumed_;
    if (state_ == State::kLiteral) continue;

    Response done = std::move(response_);
    ResetResponse();
    Compact();
    return std::optional<Response>(std::move(done));
  }
}

Status ResponseParser::ParsePiece(std::string_view piece) {
  // NUL and CR have no place outside literals; either means the stream is
  // out of step (a literal's size was wrong), so stop rather than guess.
  for (size_t i = 0; i < piece.size(); ++i) {
    if (piece[i] == '\0') return Fail(ErrorCode::kMalformed, "NUL byte" + At(i));
    if (piece[i] == '\r') return Fail(ErrorCode::kMalformed, "bare CR" + At(i));
  }
  if (pieces_ == 1) return ParseHead(piece);
  // Only data responses have literals, so a later piece is always tokens.
  return ParseTokens(piece, 0);
}

Status ResponseParser::ParseHead(std::string_view piece) {
  if (piece.empty()) return Fail(ErrorCode::kMalformed, "empty line");
  if (piece[0] == '+') {
    response_.kind = Response::Kind::kContinuation;
    std::string_view text = piece.substr(1);
    if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
    response_.text.assign(text);
    return Status::Ok();
  }

  const size_t tag_end = std::min(piece.find(' '), piece.size());
  const std::string_view tag = piece.substr(0, tag_end);
  const size_t word_begin = std::min(tag_end + 1, piece.size());
  const size_t word_end = std::min(piece.find(' ', word_begin), piece.size());
  const std::string_view word = piece.substr(word_begin, word_end - word_begin);

  if (tag == "*") {
    response_.kind = Response::Kind::kUntagged;
    if (word.empty()) return Fail(ErrorCode::kMalformed, "untagged response without content");
    if (IsStatusWord(word)) {
      response_.status = UpperCase(word);
      return ParseStatusRest(piece, word_end);
    }
    MV_RETURN_IF_ERROR(ParseTokens(piece, word_begin));
    const std::vector<ImapToken>& data = response_.data;
    if (data.empty() || !data.front().IsAtomLike()) {
      return Fail(ErrorCode::kMalformed,
                  "untagged data response must start with an atom or number" + At(word_begin));
    }
    return Status::Ok();
  }

  response_.kind = Response::Kind::kTagged;
  for (size_t i = 0; i < tag.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(tag[i]);
    if (!imap::IsTagChar(c))
      return Fail(ErrorCode::kMalformed, "invalid " + ByteName(c) + " in tag");
  }
  if (tag.empty()) return Fail(ErrorCode::kMalformed, "missing tag");
  response_.tag.assign(tag);
  if (!EqualsIgnoreCase(word, "OK") && !EqualsIgnoreCase(word, "NO") &&
      !EqualsIgnoreCase(word, "BAD")) {
    return Fail(ErrorCode::kMalformed, "tagged response must be OK, NO or BAD" + At(word_begin));
  }
  response_.status = UpperCase(word);
  return ParseStatusRest(piece, word_end);
}

// resp-text after the status word: [SP ["[" code "]" [SP]] text].
Status ResponseParser::ParseStatusRest(std::string_view piece, size_t pos) {
  if (pos >= piece.size()) return Status::Ok();
  ++pos;  // the space after the status word
  if (pos < piece.size() && piece[pos] == '[') {
    const size_t close = piece.find(']', pos + 1);
    if (close == std::string_view::npos) {
      return Fail(ErrorCode::kMalformed, "response code without ']'" + At(pos));
    }
    response_.code.assign(piece.substr(pos + 1, close - pos - 1));
    pos = close + 1;
    if (pos < piece.size() && piece[pos] == ' ') ++pos;
  }
  response_.text.assign(piece.substr(std::min(pos, piece.size())));
  return Status::Ok();
}

Status ResponseParser::ParseTokens(std::string_view piece, size_t pos) {
  uint64_t tokens = 0;
  TokenLexer lexer(response_.data, open_lists_, need_space_, after_list_, 0,
                   /*literals_allowed=*/true, max_literal_, tokens,
                   (max_batch_ - batch_cost_) / kTokenCost);
  LexResult result = lexer.Lex(piece, pos);
  if (result.outcome == LexResult::Outcome::kError) return Fail(result.code, result.error);
  MV_RETURN_IF_ERROR(Charge(tokens * kTokenCost));
  switch (result.outcome) {
    case LexResult::Outcome::kError:
      break;
    case LexResult::Outcome::kLiteral:
      // Charged in full before a byte of it is buffered.
      MV_RETURN_IF_ERROR(Charge(result.literal_size + kTokenCost));
      state_ = State::kLiteral;
      literal_left_ = result.literal_size;
      literal8_ = result.literal8;
      literal_.clear();
      // The size passed max_literal_, and the bytes are on their way.
      literal_.reserve(static_cast<size_t>(result.literal_size));
      return Status::Ok();
    case LexResult::Outcome::kDone:
      break;
  }
  if (!open_lists_.empty()) {
    return Fail(ErrorCode::kMalformed, "missing ')' at the end of the response");
  }
  return Status::Ok();
}

Status ResponseParser::Charge(uint64_t cost) {
  if (cost > max_batch_ - batch_cost_) {
    return Fail(ErrorCode::kInvalidArgument, "the responses to one command exceed the limit of " +
                                                 std::to_string(max_batch_) + " bytes");
  }
  batch_cost_ += cost;
  return Status::Ok();
}

void ResponseParser::AddToken(ImapToken token) {
  (open_lists_.empty() ? response_.data : open_lists_.back().children).push_back(std::move(token));
  need_space_ = true;
  after_list_ = false;
}

Status ResponseParser::Fail(ErrorCode code, const std::string& what) {
  error_ = Status(code, "IMAP response line " + std::to_string(pieces_) + ": " + what);
  // Nothing buffered matters any more.
  buffer_ = std::string();
  consumed_ = 0;
  scanned_ = 0;
  literal_ = std::string();
  return error_;
}

void ResponseParser::Compact() {
  if (consumed_ == buffer_.size()) {
    buffer_.clear();
    consumed_ = 0;
    scanned_ = 0;
    return;
  }
  // Moving the tail costs at most what was consumed since the last move.
  if (consumed_ >= kCompactThreshold && consumed_ >= buffer_.size() - consumed_) {
    buffer_.erase(0, consumed_);
    scanned_ -= consumed_;
    consumed_ = 0;
  }
}

void ResponseParser::ResetResponse() {
  response_ = Response();
  pieces_ = 0;
  line_bytes_ = 0;
  open_lists_.clear();
  need_space_ = false;
  after_list_ = false;
}

}  // namespace mailvault::client
