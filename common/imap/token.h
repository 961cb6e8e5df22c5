// The argument tree the IMAP receiver produces: one ImapToken per atom,
// number, string, NIL, bracketed section or parenthesised list.
//
// The receiver knows IMAP's lexical rules only; which token a command
// accepts where is decided by the per-command argument parsers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mailvault::imap {

enum class TokenKind {
  kAtom,     // 1*ATOM-CHAR, plus '%', '*', '\' and ']' (flags, patterns, astrings)
  kNumber,   // an atom of digits only that fits in 64 bits
  kQuoted,   // "..." with escapes removed; may hold UTF-8 (IMAP4rev2)
  kLiteral,  // {n} or ~{n} (literal8) bytes
  kList,     // ( ... )
  kSection,  // an atom with one bracketed part: BODY.PEEK[HEADER.FIELDS (FROM)]<0.100>
  kNil,      // the atom NIL, in any case
};

struct ImapToken {
  TokenKind kind = TokenKind::kAtom;
  // kAtom, kNumber, kNil, kSection: the raw text as sent. kQuoted: the
  // unescaped content. kLiteral: the bytes. kList: empty.
  std::string text;
  uint64_t number = 0;    // kNumber
  bool literal8 = false;  // kLiteral sent as ~{n}
  // kList: the elements. kSection: the tokens inside the brackets.
  std::vector<ImapToken> children;
  // kSection: text[section_open] is '[' and text[section_close] is ']'.
  uint32_t section_open = 0;
  uint32_t section_close = 0;

  bool IsString() const { return kind == TokenKind::kQuoted || kind == TokenKind::kLiteral; }
  bool IsAtomLike() const {
    return kind == TokenKind::kAtom || kind == TokenKind::kNumber || kind == TokenKind::kNil;
  }
  // kSection only: "BODY.PEEK", "HEADER.FIELDS (FROM)", "<0.100>".
  std::string_view SectionPrefix() const;
  std::string_view SectionText() const;
  std::string_view SectionSuffix() const;
};

// One complete command line with its literals.
struct ImapCommand {
  std::string tag;
  std::string name;  // upper-cased; "UID FETCH" arrives as name "FETCH", uid true
  bool uid = false;
  std::vector<ImapToken> args;
};

// A compact, unambiguous rendering for tests and fuzz comparisons. It
// includes string and literal contents (passwords, message bodies), so it
// must never reach a log: DESIGN.md allows no plaintext in logs.
//
// ATOM(x) NUM(1) QUOTED("a\"b") LIT(3:abc) LIT8(1:\x00) NIL LIST(...) SECTION(BODY[...]<0.9>).
// Non-printable bytes are written as \xNN.
std::string DescribeToken(const ImapToken& token);

// Wipes the bytes of every string and literal, in lists too: literals carry
// message bodies and passwords, which are not handed back to the allocator
// as they are (wiping_string.h).
void WipeStrings(std::vector<ImapToken>& tokens);
std::string DescribeTokens(const std::vector<ImapToken>& tokens);
std::string DescribeCommand(const ImapCommand& command);

// Short description for error messages: "list", "atom FOO", "quoted string", ...
std::string TokenKindForError(const ImapToken& token);

}  // namespace mailvault::imap
