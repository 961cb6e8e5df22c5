#include "server/imap/mime/part_lookup.h"

namespace mailvault::imap::mime {

const MimePart* FindPart(const MimePart& root, std::span<const uint32_t> path) {
  const MimePart* part = &root;
  for (size_t i = 0; i < path.size() && part != nullptr; ++i) {
    const uint32_t number = path[i];
    const bool more = i + 1 < path.size();
    if (part->kind == PartKind::kMultipart) {
      part =
          (number >= 1 && number <= part->children.size()) ? &part->children[number - 1] : nullptr;
    } else if (number != 1 || (more && part->kind != PartKind::kMessage)) {
      part = nullptr;
    }
    if (part != nullptr && more && part->kind == PartKind::kMessage) {
      part = &part->children.front();
    }
  }
  return part;
}

}  // namespace mailvault::imap::mime
