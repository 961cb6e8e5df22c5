#include "common/imap/token.h"

#include <cstdio>

#include "common/crypto/wiping_string.h"

namespace mailvault::imap {
namespace {

// Quoted content escapes '\' and '"' as on the wire; atoms cannot hold '"'
// and show '\' (flags) as it is.
void AppendEscaped(std::string& out, std::string_view bytes, bool quoted = false) {
  for (unsigned char c : bytes) {
    if (quoted && (c == '\\' || c == '"')) {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[5];
      std::snprintf(hex, sizeof(hex), "\\x%02X", c);
      out.append(hex);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

void AppendDescription(std::string& out, const ImapToken& token) {
  switch (token.kind) {
    case TokenKind::kAtom:
      out.append("ATOM(");
      AppendEscaped(out, token.text);
      out.push_back(')');
      return;
    case TokenKind::kNumber:
      out.append("NUM(").append(std::to_string(token.number)).push_back(')');
      return;
    case TokenKind::kQuoted:
      out.append("QUOTED(\"");
      AppendEscaped(out, token.text, /*quoted=*/true);
      out.append("\")");
      return;
    case TokenKind::kLiteral:
      out.append(token.literal8 ? "LIT8(" : "LIT(").append(std::to_string(token.text.size()));
      out.push_back(':');
      AppendEscaped(out, token.text);
      out.push_back(')');
      return;
    case TokenKind::kNil:
      out.append("NIL");
      return;
    case TokenKind::kList:
      out.append("LIST(");
      for (size_t i = 0; i < token.children.size(); ++i) {
        if (i > 0) out.push_back(' ');
        AppendDescription(out, token.children[i]);
      }
      out.push_back(')');
      return;
    case TokenKind::kSection:
      out.append("SECTION(");
      AppendEscaped(out, token.SectionPrefix());
      out.push_back('[');
      for (size_t i = 0; i < token.children.size(); ++i) {
        if (i > 0) out.push_back(' ');
        AppendDescription(out, token.children[i]);
      }
      out.push_back(']');
      AppendEscaped(out, token.SectionSuffix());
      out.push_back(')');
      return;
  }
}

}  // namespace

std::string_view ImapToken::SectionPrefix() const {
  return std::string_view(text).substr(0, section_open);
}

std::string_view ImapToken::SectionText() const {
  return std::string_view(text).substr(section_open + 1, section_close - section_open - 1);
}

std::string_view ImapToken::SectionSuffix() const {
  return std::string_view(text).substr(section_close + 1);
}

void WipeStrings(std::vector<ImapToken>& tokens) {
  for (ImapToken& token : tokens) {
    WipeAndClear(token.text);
    WipeStrings(token.children);
  }
}

std::string DescribeToken(const ImapToken& token) {
  std::string out;
  AppendDescription(out, token);
  return out;
}

std::string DescribeTokens(const std::vector<ImapToken>& tokens) {
  std::string out;
  for (size_t i = 0; i < tokens.size(); ++i) {
    if (i > 0) out.push_back(' ');
    AppendDescription(out, tokens[i]);
  }
  return out;
}

std::string DescribeCommand(const ImapCommand& command) {
  std::string out = command.tag;
  out.push_back(' ');
  if (command.uid) out.append("UID ");
  out.append(command.name);
  if (!command.args.empty()) {
    out.push_back(' ');
    out.append(DescribeTokens(command.args));
  }
  return out;
}

std::string TokenKindForError(const ImapToken& token) {
  switch (token.kind) {
    case TokenKind::kAtom:
    case TokenKind::kSection:
      if (token.text.size() <= 40) return "atom " + token.text;
      return "atom";
    case TokenKind::kNumber:
      return "number " + token.text;
    case TokenKind::kQuoted:
      return "quoted string";
    case TokenKind::kLiteral:
      return token.literal8 ? "literal8" : "literal";
    case TokenKind::kList:
      return "parenthesised list";
    case TokenKind::kNil:
      return "NIL";
  }
  return "argument";
}

}  // namespace mailvault::imap
