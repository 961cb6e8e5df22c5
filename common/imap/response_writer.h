// Building blocks for server responses: each value in the form IMAP
// requires, so no handler hand-escapes a string. All functions append to
// `out`; none adds a line end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/imap/mailbox_name.h"
#include "common/imap/sequence_set.h"
#include "common/status.h"

namespace mailvault::imap {

// Longer strings go out as literals: a client reading a huge quoted string
// has no length to size its buffer by.
inline constexpr size_t kMaxQuotedLength = 1024;

// Whether the connection may receive UTF-8 in quoted strings (IMAP4rev2 or
// UTF8=ACCEPT enabled). Otherwise any 8-bit string is sent as a literal.
enum class Charset { kAscii, kUtf8 };

// A quoted string is possible: no NUL, CR or LF, at most kMaxQuotedLength
// bytes, 7-bit (or valid UTF-8 when the connection allows it).
bool CanQuote(std::string_view text, Charset charset);

// string: quoted when possible, else a literal.
void AppendString(std::string& out, std::string_view text, Charset charset);
// astring: an atom when every byte is an ASTRING-CHAR (and the text is not
// "NIL"), else a string.
void AppendAstring(std::string& out, std::string_view text, Charset charset);
// nstring: NIL for nullopt, else a string.
void AppendNString(std::string& out, const std::optional<std::string_view>& text, Charset charset);
// "text" with '"' and '\' escaped. Precondition: CanQuote.
void AppendQuoted(std::string& out, std::string_view text);
// {n}CRLF bytes. Servers send synchronizing literals only.
void AppendLiteral(std::string& out, std::string_view bytes);
// ~{n}CRLF bytes (BINARY content that holds NUL).
void AppendLiteral8(std::string& out, std::string_view bytes);
// (\Seen \Flagged $Forwarded): flags are atoms and are written as they are.
void AppendFlagList(std::string& out, std::span<const std::string> flags);
// "17-Jul-1996 02:44:25 -0700", quoted (INTERNALDATE).
void AppendDateTime(std::string& out, int64_t unix_seconds, int zone_minutes);
// A mailbox name (internal UTF-8 form) in the connection's encoding:
// modified UTF-7 for IMAP4rev1, UTF-8 otherwise; atom, quoted or literal.
Status AppendMailboxName(std::string& out, std::string_view name, MailboxNameEncoding encoding);
// "1:3,5" (COPYUID, APPENDUID, ESEARCH ALL). Precondition: !set.empty().
void AppendNumberSet(std::string& out, const NumberSet& set);

}  // namespace mailvault::imap
