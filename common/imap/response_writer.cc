#include "common/imap/response_writer.h"

#include "common/imap/char_classes.h"
#include "common/imap/imap_date.h"
#include "common/imap/utf8.h"

namespace mailvault::imap {
namespace {

bool IsNil(std::string_view text) {
  return text.size() == 3 && (text[0] == 'N' || text[0] == 'n') &&
         (text[1] == 'I' || text[1] == 'i') && (text[2] == 'L' || text[2] == 'l');
}

}  // namespace

bool CanQuote(std::string_view text, Charset charset) {
  if (text.size() > kMaxQuotedLength) return false;
  bool eight_bit = false;
  for (unsigned char c : text) {
    if (c == '\0' || c == '\r' || c == '\n') return false;
    if (c >= 0x80) eight_bit = true;
  }
  if (!eight_bit) return true;
  return charset == Charset::kUtf8 && IsValidUtf8(text);
}

void AppendQuoted(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
}

void AppendLiteral(std::string& out, std::string_view bytes) {
  out.push_back('{');
  out.append(std::to_string(bytes.size()));
  out.append("}\r\n");
  out.append(bytes);
}

void AppendLiteral8(std::string& out, std::string_view bytes) {
  out.push_back('~');
  AppendLiteral(out, bytes);
}

void AppendString(std::string& out, std::string_view text, Charset charset) {
  if (CanQuote(text, charset)) {
    AppendQuoted(out, text);
  } else {
    AppendLiteral(out, text);
  }
}

void AppendAstring(std::string& out, std::string_view text, Charset charset) {
  bool atom = !text.empty() && !IsNil(text);
  for (size_t i = 0; atom && i < text.size(); ++i) {
    atom = IsAstringChar(static_cast<unsigned char>(text[i]));
  }
  if (atom) {
    out.append(text);
  } else {
    AppendString(out, text, charset);
  }
}

void AppendNString(std::string& out, const std::optional<std::string_view>& text, Charset charset) {
  if (!text.has_value()) {
    out.append("NIL");
  } else {
    AppendString(out, *text, charset);
  }
}

void AppendFlagList(std::string& out, std::span<const std::string> flags) {
  out.push_back('(');
  for (size_t i = 0; i < flags.size(); ++i) {
    if (i > 0) out.push_back(' ');
    out.append(flags[i]);
  }
  out.push_back(')');
}

void AppendDateTime(std::string& out, int64_t unix_seconds, int zone_minutes) {
  out.push_back('"');
  out.append(FormatDateTime(unix_seconds, zone_minutes));
  out.push_back('"');
}

Status AppendMailboxName(std::string& out, std::string_view name, MailboxNameEncoding encoding) {
  MV_ASSIGN_OR_RETURN(const std::string wire, MailboxNameToWire(name, encoding));
  AppendAstring(out, wire,
                encoding == MailboxNameEncoding::kUtf8 ? Charset::kUtf8 : Charset::kAscii);
  return Status::Ok();
}

void AppendNumberSet(std::string& out, const NumberSet& set) { out.append(set.ToString()); }

}  // namespace mailvault::imap
