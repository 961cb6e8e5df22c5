// What SEARCH looks at: decoded header values, body text, the sent date.
#include <gmime/gmime.h>

#include "server/imap/mime/gmime_runtime.h"
#include "server/imap/mime/header_fields.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/transfer_decoding.h"

namespace mailvault::imap {

std::string DecodeHeaderText(const std::string& unfolded) {
  mime::EnsureGMimeInitialized();
  char* decoded = g_mime_utils_header_decode_text(nullptr, unfolded.c_str());
  std::string out(decoded != nullptr ? decoded : "");
  g_free(decoded);
  // GMime passes through the bytes of an encoded word whose charset it
  // cannot convert ("=?x-unknown?q?caf=E9?="): the promise is UTF-8.
  if (!g_utf8_validate(out.data(), static_cast<gssize>(out.size()), nullptr)) {
    gchar* valid = g_utf8_make_valid(out.data(), static_cast<gssize>(out.size()));
    out.assign(valid);
    g_free(valid);
  }
  return out;
}

std::string FoldCase(std::string_view text) {
  // Invalid UTF-8 (raw 8-bit headers) is made valid first: casefold needs it.
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  gchar* folded = g_utf8_casefold(valid, -1);
  std::string out(folded != nullptr ? folded : "");
  g_free(folded);
  g_free(valid);
  return out;
}

namespace {

void AppendText(std::string_view message, const mime::MimePart& part, std::string& out) {
  if (part.kind != mime::PartKind::kLeaf) {
    for (const mime::MimePart& child : part.children) AppendText(message, child, out);
    return;
  }
  if (!mime::EqualsIgnoreCase(part.type, "text")) return;
  const mime::TransferEncoding encoding =
      mime::ClassifyTransferEncoding(part.content.transfer_encoding);
  // An unknown encoding is searched as it is: better than not at all.
  const std::string decoded = mime::DecodeTransferEncoding(encoding, part.Body(message))
                                  .value_or(std::string(part.Body(message)));
  if (!out.empty()) out.push_back('\n');
  out.append(mime::ToUtf8(decoded, part.content.TypeParam("charset").value_or("")));
}

}  // namespace

std::vector<std::string> MessageStructure::HeaderValues(std::string_view field_name) const {
  std::vector<std::string> values;
  for (const mime::HeaderField& field : mime::SplitHeaderFields(root_.Header(bytes_))) {
    if (field.has_colon && mime::EqualsIgnoreCase(field.name, field_name)) {
      values.push_back(DecodeHeaderText(mime::UnfoldValue(field.value)));
    }
  }
  return values;
}

std::vector<std::string> MessageStructure::RawHeaderValues(std::string_view field_name) const {
  std::vector<std::string> values;
  for (const mime::HeaderField& field : mime::SplitHeaderFields(root_.Header(bytes_))) {
    if (field.has_colon && mime::EqualsIgnoreCase(field.name, field_name)) {
      values.push_back(mime::UnfoldValue(field.value));
    }
  }
  return values;
}

std::string MessageStructure::BodyText() const {
  std::string out;
  AppendText(bytes_, root_, out);
  return out;
}

std::optional<SentDateTime> MessageStructure::SentDateWithZone() const {
  const std::vector<mime::HeaderField> fields = mime::SplitHeaderFields(root_.Header(bytes_));
  const mime::HeaderField* date = mime::FindField(fields, "Date");
  if (date == nullptr) return std::nullopt;
  GDateTime* parsed = g_mime_utils_header_decode_date(mime::UnfoldValue(date->value).c_str());
  if (parsed == nullptr) return std::nullopt;
  SentDateTime out;
  out.unix_seconds = g_date_time_to_unix(parsed);
  out.zone_minutes = static_cast<int>(g_date_time_get_utc_offset(parsed) / G_TIME_SPAN_MINUTE);
  g_date_time_unref(parsed);
  return out;
}

std::optional<int64_t> MessageStructure::SentDate() const {
  const std::optional<SentDateTime> date = SentDateWithZone();
  if (!date) return std::nullopt;
  return date->unix_seconds;
}

}  // namespace mailvault::imap
