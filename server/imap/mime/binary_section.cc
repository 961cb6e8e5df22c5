// BINARY[section] (RFC 3516): sections with their transfer encoding removed.
#include <string>
#include <vector>

#include "server/imap/mime/header_fields.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/part_lookup.h"
#include "server/imap/mime/transfer_decoding.h"

namespace mailvault::imap {
namespace {

// Replaces [begin, end) of the original bytes.
struct Edit {
  size_t begin = 0;
  size_t end = 0;
  std::string replacement;
};

Status UnknownEncoding(const mime::MimePart& part) {
  return Status(ErrorCode::kInvalidArgument, "unknown Content-Transfer-Encoding: " +
                                                 part.content.transfer_encoding.value_or(""));
}

// The edits that turn every encoded leaf at or below `part` into binary:
// its body decoded and its Content-Transfer-Encoding field (up to, not
// including, its last line end) rewritten. Multiparts and messages are
// never decoded themselves (RFC 2046 allows them only identity encodings).
Status CollectEdits(std::string_view message, const mime::MimePart& part,
                    std::vector<Edit>& edits) {
  if (part.kind != mime::PartKind::kLeaf) {
    for (const mime::MimePart& child : part.children) {
      MV_RETURN_IF_ERROR(CollectEdits(message, child, edits));
    }
    return Status::Ok();
  }
  const mime::TransferEncoding encoding =
      mime::ClassifyTransferEncoding(part.content.transfer_encoding);
  if (encoding == mime::TransferEncoding::kIdentity) return Status::Ok();
  std::optional<std::string> decoded = mime::DecodeTransferEncoding(encoding, part.Body(message));
  if (!decoded) return UnknownEncoding(part);

  const std::vector<mime::HeaderField> fields = mime::SplitHeaderFields(part.Header(message));
  if (const mime::HeaderField* field = mime::FindField(fields, "Content-Transfer-Encoding")) {
    std::string_view raw = field->raw;
    while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
    const size_t begin = static_cast<size_t>(raw.data() - message.data());
    edits.push_back({begin, begin + raw.size(), "Content-Transfer-Encoding: binary"});
  }
  edits.push_back({part.body_begin, part.body_end, std::move(*decoded)});
  return Status::Ok();
}

std::string ApplyEdits(std::string_view message, size_t begin, size_t end,
                       const std::vector<Edit>& edits) {
  std::string out;
  size_t cursor = begin;
  for (const Edit& edit : edits) {
    out.append(message.substr(cursor, edit.begin - cursor));
    out.append(edit.replacement);
    cursor = edit.end;
  }
  out.append(message.substr(cursor, end - cursor));
  return out;
}

}  // namespace

Result<std::string> MessageStructure::Binary(const std::vector<uint32_t>& part_number) const {
  const std::string_view message = bytes_;
  std::vector<Edit> edits;
  if (part_number.empty()) {
    MV_RETURN_IF_ERROR(CollectEdits(message, root_, edits));
    return ApplyEdits(message, 0, message.size(), edits);
  }
  const mime::MimePart* part = mime::FindPart(root_, part_number);
  if (part == nullptr) return std::string();  // no such part: empty, as for BODY[]
  if (part->kind == mime::PartKind::kLeaf) {
    std::optional<std::string> decoded = mime::DecodeTransferEncoding(
        mime::ClassifyTransferEncoding(part->content.transfer_encoding), part->Body(message));
    if (!decoded) return UnknownEncoding(*part);
    return std::move(*decoded);
  }
  // A multipart's or message's body: the leaves inside are converted.
  for (const mime::MimePart& child : part->children) {
    MV_RETURN_IF_ERROR(CollectEdits(message, child, edits));
  }
  return ApplyEdits(message, part->body_begin, part->body_end, edits);
}

}  // namespace mailvault::imap
