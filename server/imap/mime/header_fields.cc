#include "server/imap/mime/header_fields.h"

namespace mailvault::imap::mime {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// Index just past the LF that ends the line starting at `pos`, or text.size().
size_t LineEnd(std::string_view text, size_t pos) {
  const size_t lf = text.find('\n', pos);
  return lf == std::string_view::npos ? text.size() : lf + 1;
}

bool IsEmptyLine(std::string_view line) { return line == "\n" || line == "\r\n"; }

std::string_view WithoutLineEnd(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::vector<HeaderField> SplitHeaderFields(std::string_view header) {
  std::vector<HeaderField> fields;
  size_t pos = 0;
  while (pos < header.size()) {
    const size_t first_end = LineEnd(header, pos);
    const std::string_view first_line = header.substr(pos, first_end - pos);
    if (IsEmptyLine(first_line)) break;
    // Continuation lines start with a blank. One at the very start has no
    // field to continue and stands as a nameless field of its own.
    size_t end = first_end;
    while (end < header.size() && IsBlank(header[end])) end = LineEnd(header, end);

    HeaderField field;
    field.raw = header.substr(pos, end - pos);
    const std::string_view content = WithoutLineEnd(field.raw);
    const size_t colon = WithoutLineEnd(first_line).find(':');
    if (colon == std::string_view::npos) {
      field.has_colon = false;
      field.name = TrimBlanks(WithoutLineEnd(first_line));
      field.value = {};
    } else {
      std::string_view name = content.substr(0, colon);
      while (!name.empty() && IsBlank(name.back())) name.remove_suffix(1);
      field.name = name;
      field.value = content.substr(colon + 1);
    }
    fields.push_back(field);
    pos = end;
  }
  return fields;
}

const HeaderField* FindField(const std::vector<HeaderField>& fields, std::string_view name) {
  for (const HeaderField& field : fields) {
    if (field.has_colon && EqualsIgnoreCase(field.name, name)) return &field;
  }
  return nullptr;
}

std::string UnfoldValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (c == '\r' || c == '\n') {
      const bool next_is_space = i + 1 >= value.size() || IsBlank(value[i + 1]) ||
                                 value[i + 1] == '\r' || value[i + 1] == '\n';
      if (!next_is_space) out.push_back(' ');
      continue;
    }
    if (c == '\0') {
      out.append("\xEF\xBF\xBD");
      continue;
    }
    out.push_back(c);
  }
  return std::string(TrimBlanks(out));
}

std::string_view HeaderLineEnd(std::string_view header) {
  const size_t lf = header.find('\n');
  if (lf != std::string_view::npos && (lf == 0 || header[lf - 1] != '\r')) return "\n";
  return "\r\n";
}

}  // namespace mailvault::imap::mime
