#include "common/imap/flags.h"

#include <array>

#include "common/imap/arg_reader.h"
#include "common/imap/char_classes.h"

namespace mailvault::imap {
namespace {

constexpr std::array<std::string_view, 5> kSystemFlags = {"\\Answered", "\\Flagged", "\\Deleted",
                                                          "\\Seen", "\\Draft"};

Status Invalid(std::string_view command, std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::string(command) + ": " + message);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && UpperAscii(a) == UpperAscii(b);
}

Status CheckKeywordText(std::string_view keyword, std::string_view command) {
  if (keyword.size() > kMaxKeywordLength) {
    return Invalid(command, "keyword longer than " + std::to_string(kMaxKeywordLength) + " bytes");
  }
  for (unsigned char c : keyword) {
    if (!IsAtomChar(c)) {
      return Invalid(command, "invalid character '" + std::string(1, static_cast<char>(c)) +
                                  "' in keyword " + std::string(keyword.substr(0, 40)));
    }
  }
  return Status::Ok();
}

}  // namespace

void AddFlagOnce(std::vector<std::string>& flags, std::string flag) {
  for (const std::string& existing : flags) {
    if (EqualsIgnoreCase(existing, flag)) return;
  }
  flags.push_back(std::move(flag));
}

Result<std::string> ParseSettableFlag(const ImapToken& token, std::string_view command) {
  if (!token.IsAtomLike()) {
    return Invalid(command, "expected a flag, got " + TokenKindForError(token));
  }
  const std::string_view text = token.text;
  if (!text.empty() && text[0] == '\\') {
    for (std::string_view flag : kSystemFlags) {
      if (EqualsIgnoreCase(text, flag)) return std::string(flag);
    }
    if (EqualsIgnoreCase(text, "\\Recent")) {
      return Invalid(command, "\\Recent cannot be set by a client");
    }
    return Invalid(command, "unknown system flag " + std::string(text.substr(0, 40)));
  }
  MV_RETURN_IF_ERROR(CheckKeywordText(text, command));
  return std::string(text);
}

Result<std::string> ParseKeyword(const ImapToken& token, std::string_view command) {
  if (!token.IsAtomLike()) {
    return Invalid(command, "expected a keyword, got " + TokenKindForError(token));
  }
  if (!token.text.empty() && token.text[0] == '\\') {
    return Invalid(command, "expected a keyword, got system flag " + token.text.substr(0, 40));
  }
  MV_RETURN_IF_ERROR(CheckKeywordText(token.text, command));
  return token.text;
}

Result<std::vector<std::string>> ParseFlagList(const ImapToken& list, std::string_view command) {
  if (list.kind != TokenKind::kList) {
    return Invalid(command, "expected a parenthesised flag list, got " + TokenKindForError(list));
  }
  std::vector<std::string> flags;
  for (const ImapToken& token : list.children) {
    MV_ASSIGN_OR_RETURN(std::string flag, ParseSettableFlag(token, command));
    AddFlagOnce(flags, std::move(flag));
  }
  return flags;
}

}  // namespace mailvault::imap
