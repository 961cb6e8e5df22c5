#include "server/imap/mime/content_fields.h"

#include <algorithm>
#include <cstdint>

#include "server/imap/mime/structured_reader.h"

namespace mailvault::imap::mime {
namespace {

struct ContinuationParam {
  std::string base;
  uint32_t index = 0;
  bool extended = false;
  std::string value;
};

// Splits "title*1*" into ("title", 1, extended). False when the name is not
// an RFC 2231 name (no '*', or junk after the index).
bool SplitRfc2231Name(std::string_view name, ContinuationParam& out) {
  const size_t star = name.find('*');
  if (star == std::string_view::npos) return false;
  out.base = std::string(name.substr(0, star));
  out.index = 0;
  // "name*" alone is extended (its star is the extended mark), "name*3" a
  // plain continuation, "name*3*" an extended one.
  size_t pos = star;
  if (star + 1 < name.size()) {
    pos = star + 1;
    while (pos < name.size() && name[pos] >= '0' && name[pos] <= '9') {
      out.index = out.index * 10 + static_cast<uint32_t>(name[pos] - '0');
      ++pos;
    }
  }
  out.extended = pos < name.size() && name[pos] == '*';
  if (out.extended) ++pos;
  return pos == name.size();
}

std::string EscapePercent(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '%') {
      out.append("%25");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// RFC 2231 merging as Dovecot's rfc2231_parse() does it, so BODYSTRUCTURE
// matches what clients already see from Dovecot: plain parameters first in
// their order; then each continued or extended parameter once, sorted by
// name, its pieces joined; "name*" (still percent-encoded, charset'lang'
// prefix kept) when any piece is extended. With a gap in the indexes the
// pieces are reported one by one under their original names.
std::vector<MediaParam> MergeRfc2231(std::vector<MediaParam> plain,
                                     std::vector<ContinuationParam> continued) {
  std::stable_sort(continued.begin(), continued.end(),
                   [](const ContinuationParam& a, const ContinuationParam& b) {
                     if (a.base != b.base) return a.base < b.base;
                     return a.index < b.index;
                   });
  size_t next = 0;
  for (size_t i = 0; i < continued.size(); i = next) {
    bool complete = true;
    bool any_extended = false;
    uint32_t expected = 0;
    for (next = i;
         next < continued.size() && EqualsIgnoreCase(continued[next].base, continued[i].base);
         ++next) {
      if (continued[next].index != expected) complete = false;
      any_extended = any_extended || continued[next].extended;
      ++expected;
    }
    if (!complete) {
      for (size_t j = i; j < next; ++j) {
        const ContinuationParam& piece = continued[j];
        plain.push_back(
            {piece.base + "*" + std::to_string(piece.index) + (piece.extended ? "*" : ""),
             piece.value});
      }
      continue;
    }
    std::string value;
    if (any_extended && !continued[i].extended) value = "''";
    for (size_t j = i; j < next; ++j) {
      value += (any_extended && !continued[j].extended) ? EscapePercent(continued[j].value)
                                                        : continued[j].value;
    }
    plain.push_back({continued[i].base + (any_extended ? "*" : ""), std::move(value)});
  }
  return plain;
}

// Skips to just past the next ';' (or to the end): resynchronises after a
// malformed parameter.
void SkipPastSemicolon(StructuredReader& reader) {
  while (!reader.AtEnd()) {
    const char c = reader.Peek();
    if (c == '"') {
      std::string ignored;
      reader.ReadQuotedString(ignored);
      continue;
    }
    reader.Advance();
    if (c == ';') return;
  }
}

std::vector<MediaParam> ReadParams(StructuredReader& reader) {
  std::vector<MediaParam> plain;
  std::vector<ContinuationParam> continued;
  // Anything between the type and the first ';' is junk to skip.
  reader.SkipCfws();
  if (!reader.Consume(';')) SkipPastSemicolon(reader);
  while (!reader.AtEnd() && plain.size() + continued.size() < kMaxMediaParams) {
    reader.SkipCfws();
    std::string name;
    if (!reader.ReadToken(name)) {
      SkipPastSemicolon(reader);
      continue;
    }
    reader.SkipCfws();
    if (!reader.Consume('=')) {
      SkipPastSemicolon(reader);
      continue;
    }
    reader.SkipCfws();
    std::string value;
    if (reader.Peek() == '"') {
      reader.ReadQuotedString(value);
    } else if (!reader.ReadToken(value)) {
      SkipPastSemicolon(reader);
      continue;
    }
    ContinuationParam piece;
    if (SplitRfc2231Name(name, piece)) {
      piece.value = std::move(value);
      continued.push_back(std::move(piece));
    } else {
      plain.push_back({std::move(name), std::move(value)});
    }
    reader.SkipCfws();
    if (!reader.Consume(';')) SkipPastSemicolon(reader);
  }
  return MergeRfc2231(std::move(plain), std::move(continued));
}

void ParseContentType(std::string_view value, ContentFields& out) {
  StructuredReader reader(value);
  reader.SkipCfws();
  std::string type;
  if (!reader.ReadToken(type)) return;  // unreadable: the default type applies
  reader.SkipCfws();
  std::string subtype;
  if (reader.Consume('/')) {
    reader.SkipCfws();
    reader.ReadToken(subtype);
  }
  out.type = std::move(type);
  out.subtype = std::move(subtype);
  out.type_params = ReadParams(reader);
}

void ParseDisposition(std::string_view value, ContentFields& out) {
  StructuredReader reader(value);
  reader.SkipCfws();
  std::string type;
  if (!reader.ReadToken(type)) return;
  out.disposition = std::move(type);
  out.disposition_params = ReadParams(reader);
}

// Content-Language: 1#Language-tag.
void ParseLanguages(std::string_view value, ContentFields& out) {
  StructuredReader reader(value);
  reader.SkipCfws();
  std::string tag;
  while (reader.ReadAtom(tag, /*allow_dot=*/false)) {
    out.languages.push_back(tag);
    reader.SkipCfws();
    if (!reader.Consume(',')) break;
    reader.SkipCfws();
  }
}

std::optional<std::string> ParseMimeToken(std::string_view value) {
  StructuredReader reader(value);
  reader.SkipCfws();
  std::string token;
  if (!reader.ReadToken(token)) return std::nullopt;
  return token;
}

}  // namespace

std::optional<std::string_view> ContentFields::TypeParam(std::string_view name) const {
  for (const MediaParam& param : type_params) {
    if (EqualsIgnoreCase(param.name, name)) return param.value;
  }
  return std::nullopt;
}

ContentFields ParseContentFields(const std::vector<HeaderField>& fields) {
  ContentFields out;
  bool seen_type = false, seen_disposition = false, seen_language = false;
  for (const HeaderField& field : fields) {
    if (!field.has_colon || field.name.size() <= 8 ||
        !EqualsIgnoreCase(field.name.substr(0, 8), "Content-")) {
      continue;
    }
    // The first of each field counts, as in Dovecot and GMime.
    const std::string_view which = field.name.substr(8);
    // Unfolded first: no CR, LF or NUL can reach a BODYSTRUCTURE string.
    const std::string value = UnfoldValue(field.value);
    if (EqualsIgnoreCase(which, "Type")) {
      if (!seen_type) ParseContentType(value, out);
      seen_type = true;
    } else if (EqualsIgnoreCase(which, "Transfer-Encoding")) {
      if (!out.transfer_encoding) out.transfer_encoding = ParseMimeToken(value);
    } else if (EqualsIgnoreCase(which, "ID")) {
      if (!out.id) out.id = value;
    } else if (EqualsIgnoreCase(which, "Description")) {
      if (!out.description) out.description = value;
    } else if (EqualsIgnoreCase(which, "MD5")) {
      if (!out.md5) out.md5 = value;
    } else if (EqualsIgnoreCase(which, "Location")) {
      if (!out.location) out.location = value;
    } else if (EqualsIgnoreCase(which, "Disposition")) {
      if (!seen_disposition) ParseDisposition(value, out);
      seen_disposition = true;
    } else if (EqualsIgnoreCase(which, "Language")) {
      if (!seen_language) ParseLanguages(value, out);
      seen_language = true;
    }
  }
  return out;
}

}  // namespace mailvault::imap::mime
