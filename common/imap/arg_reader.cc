#include "common/imap/arg_reader.h"

namespace mailvault::imap {
namespace {

Status CommandError(std::string_view command, std::string_view message) {
  std::string text(command);
  text.append(": ").append(message);
  return Status(ErrorCode::kInvalidArgument, std::move(text));
}

Status UnexpectedToken(std::string_view command, std::string_view what, const ImapToken& got) {
  return CommandError(command, "expected " + std::string(what) + ", got " + TokenKindForError(got));
}

}  // namespace

std::string UpperAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  }
  return out;
}

bool IsAtomNamed(const ImapToken& token, std::string_view upper) {
  if (token.kind != TokenKind::kAtom || token.text.size() != upper.size()) return false;
  for (size_t i = 0; i < upper.size(); ++i) {
    char c = token.text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
    if (c != upper[i]) return false;
  }
  return true;
}

Result<std::string> TokenAsAstring(const ImapToken& token, std::string_view command,
                                   std::string_view what) {
  switch (token.kind) {
    case TokenKind::kAtom:
    case TokenKind::kNumber:
    case TokenKind::kNil:
    case TokenKind::kQuoted:
      return token.text;
    case TokenKind::kSection:
      // An unquoted name like "[Gmail]/Drafts": fine unless the brackets
      // held what an astring cannot.
      if (token.text.find_first_of(" ()\"") != std::string::npos) {
        return UnexpectedToken(command, what, token);
      }
      return token.text;
    case TokenKind::kLiteral:
      if (token.literal8) {
        return CommandError(command, "literal8 (~{n}) is only allowed for APPEND message data");
      }
      if (token.text.find('\0') != std::string::npos) {
        return CommandError(command, "NUL byte in " + std::string(what));
      }
      return token.text;
    case TokenKind::kList:
      break;
  }
  return UnexpectedToken(command, what, token);
}

Result<uint64_t> TokenAsNumber(const ImapToken& token, std::string_view command,
                               std::string_view what, uint64_t max) {
  if (token.kind != TokenKind::kNumber) return UnexpectedToken(command, what, token);
  if (token.number > max) {
    return CommandError(command,
                        std::string(what) + " " + token.text + " exceeds " + std::to_string(max));
  }
  return token.number;
}

Result<SequenceSet> TokenAsSequenceSet(const ImapToken& token, std::string_view command,
                                       std::string_view what) {
  if (token.kind != TokenKind::kAtom && token.kind != TokenKind::kNumber) {
    return UnexpectedToken(command, what, token);
  }
  Result<SequenceSet> set = SequenceSet::Parse(token.text);
  if (!set.ok()) return CommandError(command, set.status().message());
  return set;
}

Result<std::string> ArgReader::Astring(std::string_view what) {
  if (AtEnd()) return Missing(what);
  return TokenAsAstring(Take(), command_, what);
}

Result<std::string> ArgReader::Keyword(std::string_view what) {
  if (AtEnd()) return Missing(what);
  const ImapToken& token = Take();
  if (token.kind != TokenKind::kAtom) return Unexpected(what, token);
  return UpperAscii(token.text);
}

Result<uint64_t> ArgReader::Number(std::string_view what, uint64_t max) {
  if (AtEnd()) return Missing(what);
  return TokenAsNumber(Take(), command_, what, max);
}

Result<SequenceSet> ArgReader::Sequence(std::string_view what) {
  if (AtEnd()) return Missing(what);
  return TokenAsSequenceSet(Take(), command_, what);
}

Result<const ImapToken*> ArgReader::List(std::string_view what) {
  if (AtEnd()) return Missing(what);
  const ImapToken& token = Take();
  if (token.kind != TokenKind::kList) return Unexpected(what, token);
  return &token;
}

Status ArgReader::ExpectEnd() {
  if (AtEnd()) return Status::Ok();
  return Error("unexpected extra argument (" + TokenKindForError(args_[next_]) + ")");
}

Status ArgReader::Error(std::string_view message) const { return CommandError(command_, message); }

Status ArgReader::Missing(std::string_view what) const {
  return CommandError(command_, "missing " + std::string(what));
}

Status ArgReader::Unexpected(std::string_view what, const ImapToken& got) const {
  return UnexpectedToken(command_, what, got);
}

}  // namespace mailvault::imap
