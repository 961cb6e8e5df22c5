#include "server/imap/mime/transfer_decoding.h"

#include <gmime/gmime.h>

#include "common/imap/utf8.h"
#include "server/imap/mime/gmime_runtime.h"
#include "server/imap/mime/header_fields.h"

namespace mailvault::imap::mime {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Appends one line (without its line end) of quoted-printable text.
// Returns false when the line ended in a soft line break.
bool DecodeQuotedPrintableLine(std::string_view line, std::string& out) {
  while (!line.empty() && IsBlank(line.back())) line.remove_suffix(1);
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c != '=') {
      out.push_back(c);
      continue;
    }
    if (i + 1 == line.size()) return false;  // soft line break
    const int high = i + 2 < line.size() ? HexValue(line[i + 1]) : -1;
    const int low = i + 2 < line.size() ? HexValue(line[i + 2]) : -1;
    if (high < 0 || low < 0) {
      out.push_back('=');
      continue;
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

// The GMime conversion of `bytes` from `charset`, or nullopt when GMime
// has no converter or the bytes are not valid in it.
std::optional<std::string> ConvertWithIconv(std::string_view bytes, const std::string& charset) {
  iconv_t converter = g_mime_iconv_open("UTF-8", charset.c_str());
  if (converter == reinterpret_cast<iconv_t>(-1)) return std::nullopt;
  char* converted = g_mime_iconv_strndup(converter, bytes.data(), bytes.size());
  g_mime_iconv_close(converter);
  if (converted == nullptr) return std::nullopt;
  std::string out(converted);
  g_free(converted);
  return out;
}

}  // namespace

TransferEncoding ClassifyTransferEncoding(const std::optional<std::string>& token) {
  if (!token) return TransferEncoding::kIdentity;
  if (EqualsIgnoreCase(*token, "7bit") || EqualsIgnoreCase(*token, "8bit") ||
      EqualsIgnoreCase(*token, "binary")) {
    return TransferEncoding::kIdentity;
  }
  if (EqualsIgnoreCase(*token, "base64")) return TransferEncoding::kBase64;
  if (EqualsIgnoreCase(*token, "quoted-printable")) return TransferEncoding::kQuotedPrintable;
  return TransferEncoding::kUnknown;
}

std::string DecodeBase64(std::string_view encoded) {
  EnsureGMimeInitialized();
  GMimeEncoding state;
  g_mime_encoding_init_decode(&state, GMIME_CONTENT_ENCODING_BASE64);
  std::string out(g_mime_encoding_outlen(&state, encoded.size()) + 4, '\0');
  size_t written = g_mime_encoding_step(&state, encoded.data(), encoded.size(), out.data());
  written += g_mime_encoding_flush(&state, "", 0, out.data() + written);
  out.resize(written);
  return out;
}

std::string DecodeQuotedPrintable(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  size_t pos = 0;
  while (pos < encoded.size()) {
    const size_t lf = encoded.find('\n', pos);
    const size_t line_end = lf == std::string_view::npos ? encoded.size() : lf;
    std::string_view line = encoded.substr(pos, line_end - pos);
    std::string_view line_break;
    if (lf != std::string_view::npos) {
      const bool crlf = !line.empty() && line.back() == '\r';
      if (crlf) line.remove_suffix(1);
      line_break = crlf ? "\r\n" : "\n";
    }
    // A hard line break is kept as it was written (CRLF or LF).
    if (DecodeQuotedPrintableLine(line, out)) out.append(line_break);
    pos = lf == std::string_view::npos ? encoded.size() : lf + 1;
  }
  return out;
}

std::optional<std::string> DecodeTransferEncoding(TransferEncoding encoding,
                                                  std::string_view encoded) {
  switch (encoding) {
    case TransferEncoding::kIdentity:
      return std::string(encoded);
    case TransferEncoding::kBase64:
      return DecodeBase64(encoded);
    case TransferEncoding::kQuotedPrintable:
      return DecodeQuotedPrintable(encoded);
    case TransferEncoding::kUnknown:
      break;
  }
  return std::nullopt;
}

std::string ToUtf8(std::string_view bytes, std::string_view charset) {
  EnsureGMimeInitialized();
  const bool claims_ascii_or_utf8 = charset.empty() || EqualsIgnoreCase(charset, "us-ascii") ||
                                    EqualsIgnoreCase(charset, "utf-8") ||
                                    EqualsIgnoreCase(charset, "utf8");
  if (claims_ascii_or_utf8 && IsValidUtf8(bytes)) return std::string(bytes);
  if (!claims_ascii_or_utf8) {
    if (std::optional<std::string> converted = ConvertWithIconv(bytes, std::string(charset))) {
      if (IsValidUtf8(*converted)) return std::move(*converted);
    }
  }
  // Unknown charset, mislabelled text or invalid bytes: GMime tries the
  // likely charsets and falls back to ISO-8859-1, which maps every byte.
  char* guessed = g_mime_utils_decode_8bit(nullptr, bytes.data(), bytes.size());
  std::string out(guessed != nullptr ? guessed : "");
  g_free(guessed);
  // GMime's guess can still hold invalid sequences (a lead byte 0xF5 to 0xFF
  // it took for UTF-8): the promise is UTF-8, so replace them.
  if (!IsValidUtf8(out)) {
    gchar* valid = g_utf8_make_valid(out.data(), static_cast<gssize>(out.size()));
    out.assign(valid);
    g_free(valid);
  }
  return out;
}

}  // namespace mailvault::imap::mime
