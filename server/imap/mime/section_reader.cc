// BODY[section]: cut from the original bytes, never re-serialised.
#include <string>
#include <vector>

#include "server/imap/mime/header_fields.h"
#include "server/imap/mime/message_structure.h"
#include "server/imap/mime/part_lookup.h"

namespace mailvault::imap {
namespace {

bool NameListed(const mime::HeaderField& field, const std::vector<std::string>& names) {
  if (!field.has_colon) return false;
  for (const std::string& name : names) {
    if (mime::EqualsIgnoreCase(field.name, name)) return true;
  }
  return false;
}

// HEADER.FIELDS / HEADER.FIELDS.NOT: the selected fields exactly as
// transmitted (folding and line ends kept), in message order, then the
// blank line RFC 9051 includes. A last field cut off without a line end
// gets one so the blank line stays a blank line. Synthesised line ends
// follow the header's own style.
std::string FilterHeader(std::string_view header, const std::vector<std::string>& names,
                         bool keep_listed) {
  const std::string_view line_end = mime::HeaderLineEnd(header);
  std::string out;
  for (const mime::HeaderField& field : mime::SplitHeaderFields(header)) {
    if (NameListed(field, names) != keep_listed) continue;
    out.append(field.raw);
    if (!field.raw.ends_with('\n')) out.append(line_end);
  }
  out.append(line_end);
  return out;
}

}  // namespace

std::string MessageStructure::Section(const FetchSection& section) const {
  std::string built;
  const std::string_view bytes = SectionView(section, built);
  if (!built.empty()) return built;  // HEADER.FIELDS: already a copy
  return std::string(bytes);
}

std::string_view MessageStructure::SectionView(const FetchSection& section,
                                               std::string& built) const {
  const std::string_view message = bytes_;
  const mime::MimePart* part = &root_;
  if (!section.part.empty()) {
    part = mime::FindPart(root_, section.part);
    if (part == nullptr) return {};  // no such part: empty, as Dovecot answers
  }
  if (section.text == SectionText::kAll) {
    return section.part.empty() ? message : part->Body(message);
  }
  if (section.text == SectionText::kMime) {
    // MIME needs a part number; the codec rejects it without one.
    return section.part.empty() ? std::string_view() : part->Header(message);
  }
  // HEADER, HEADER.FIELDS[.NOT], TEXT: of the message itself, or of the
  // message a message/rfc822 part encapsulates; any other part has none.
  const mime::MimePart* target = part;
  if (!section.part.empty()) {
    if (part->kind != mime::PartKind::kMessage) return {};
    target = &part->children.front();
  }
  switch (section.text) {
    case SectionText::kHeader:
      return target->Header(message);
    case SectionText::kHeaderFields:
      built = FilterHeader(target->Header(message), section.header_fields, /*keep_listed=*/true);
      return built;
    case SectionText::kHeaderFieldsNot:
      built = FilterHeader(target->Header(message), section.header_fields, /*keep_listed=*/false);
      return built;
    case SectionText::kText:
      return target->Body(message);
    case SectionText::kAll:
    case SectionText::kMime:
      break;
  }
  return {};
}

}  // namespace mailvault::imap
