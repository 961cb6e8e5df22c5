// The character classes of RFC 9051's formal syntax, in one place.
#pragma once

namespace mailvault::imap {

// ASTRING-CHAR = ATOM-CHAR / resp-specials: printable ASCII except
// ( ) { SP % * " \ (and CTL).
constexpr bool IsAstringChar(unsigned char c) {
  if (c <= 0x20 || c >= 0x7f) return false;
  switch (c) {
    case '(':
    case ')':
    case '{':
    case '%':
    case '*':
    case '"':
    case '\\':
      return false;
    default:
      return true;
  }
}

// ATOM-CHAR: an ASTRING-CHAR other than "]".
constexpr bool IsAtomChar(unsigned char c) { return c != ']' && IsAstringChar(c); }

// tag = 1*<any ASTRING-CHAR except "+">
constexpr bool IsTagChar(unsigned char c) { return c != '+' && IsAstringChar(c); }

}  // namespace mailvault::imap
