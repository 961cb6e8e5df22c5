#include "server/imap/mime/nul_free_message.h"

#include <cstring>
#include <utility>
#include <vector>

#include "common/base64.h"
#include "server/imap/mime/header_fields.h"
#include "server/imap/mime/mime_part.h"
#include "server/imap/mime/transfer_decoding.h"

namespace mailvault::imap::mime {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kBase64LineBytes = 57;                      // 76 characters a line

bool HasNul(std::string_view bytes) {
  return !bytes.empty() && std::memchr(bytes.data(), '\0', bytes.size()) != nullptr;
}

// Replaces [begin, end) of the stored bytes; begin == end inserts.
struct Edit {
  size_t begin = 0;
  size_t end = 0;
  std::string replacement;
};

std::string Base64Lines(std::string_view body, std::string_view line_end) {
  std::string out;
  for (size_t pos = 0; pos < body.size(); pos += kBase64LineBytes) {
    if (pos > 0) out.append(line_end);
    out.append(EncodeBase64(body.substr(pos, kBase64LineBytes)));
  }
  // The line end a body ended with was content; it is served as a line end
  // after the last line again, so the message still ends the way it did.
  if (body.ends_with('\n')) out.append(line_end);
  return out;
}

std::string QuotedPrintableWithoutNul(std::string_view body) {
  std::string out;
  out.reserve(body.size() + 16);
  for (char c : body) {
    if (c == '\0') {
      out.append("=00");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string WithoutNul(std::string_view body) {
  std::string out;
  out.reserve(body.size());
  for (char c : body) {
    if (c != '\0') out.push_back(c);
  }
  return out;
}

// The edits of one leaf whose body holds NUL; `top_level` for the message's
// own body (a non-MIME message gains MIME-Version).
void LeafEdits(std::string_view message, const MimePart& part, bool top_level,
               std::vector<Edit>& edits) {
  const std::string_view body = part.Body(message);
  switch (ClassifyTransferEncoding(part.content.transfer_encoding)) {
    case TransferEncoding::kQuotedPrintable:
      edits.push_back({part.body_begin, part.body_end, QuotedPrintableWithoutNul(body)});
      return;
    case TransferEncoding::kBase64:
      edits.push_back({part.body_begin, part.body_end, WithoutNul(body)});
      return;
    case TransferEncoding::kUnknown:
      return;  // cannot be re-encoded: its NULs are replaced like a header's
    case TransferEncoding::kIdentity:
      break;
  }
  const std::string_view header = part.Header(message);
  const std::string_view line_end = HeaderLineEnd(header);
  // A body is only there after the header's blank line (mime_scanner.cc),
  // so the header ends with it; new fields go just before it.
  if (!header.ends_with('\n')) return;  // not reached: then its NULs are replaced
  const size_t blank_line = header.ends_with("\r\n") ? 2 : 1;
  const size_t insert_at = part.header_end - blank_line;
  const std::vector<HeaderField> fields = SplitHeaderFields(header);
  std::string inserted;
  if (top_level && FindField(fields, "MIME-Version") == nullptr) {
    inserted.append("MIME-Version: 1.0").append(line_end);
  }
  if (const HeaderField* field = FindField(fields, "Content-Transfer-Encoding")) {
    std::string_view raw = field->raw;
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    const size_t begin = static_cast<size_t>(raw.data() - message.data());
    edits.push_back({begin, begin + raw.size(), "Content-Transfer-Encoding: base64"});
  } else {
    inserted.append("Content-Transfer-Encoding: base64").append(line_end);
  }
  if (!inserted.empty()) edits.push_back({insert_at, insert_at, std::move(inserted)});
  edits.push_back({part.body_begin, part.body_end, Base64Lines(body, line_end)});
}

// In byte order: a part's header edits come before its body's, and parts
// follow each other.
void CollectEdits(std::string_view message, const MimePart& part, bool top_level,
                  std::vector<Edit>& edits) {
  if (part.kind != PartKind::kLeaf) {
    for (const MimePart& child : part.children) CollectEdits(message, child, false, edits);
    return;
  }
  if (HasNul(part.Body(message))) LeafEdits(message, part, top_level, edits);
}

void AppendReplacingNul(std::string& out, std::string_view bytes) {
  size_t pos = 0;
  while (pos < bytes.size()) {
    const size_t nul = bytes.find('\0', pos);
    if (nul == std::string_view::npos) {
      out.append(bytes.substr(pos));
      return;
    }
    out.append(bytes.substr(pos, nul - pos));
    out.append(kReplacement);
    pos = nul + 1;
  }
}

}  // namespace

std::optional<std::string> NulFreeMessage(std::string_view message) {
  if (!HasNul(message)) return std::nullopt;
  const MimePart root = ScanMessage(message);
  std::vector<Edit> edits;
  CollectEdits(message, root, /*top_level=*/true, edits);
  std::string out;
  out.reserve(message.size() + message.size() / 3 + 64);
  size_t cursor = 0;
  for (const Edit& edit : edits) {
    AppendReplacingNul(out, message.substr(cursor, edit.begin - cursor));
    out.append(edit.replacement);
    cursor = edit.end;
  }
  AppendReplacingNul(out, message.substr(cursor));
  return out;
}

uint64_t ServedMessageSize(std::string_view message) {
  std::optional<std::string> served = NulFreeMessage(message);
  return served ? served->size() : message.size();
}

}  // namespace mailvault::imap::mime
