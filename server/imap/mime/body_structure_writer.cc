#include "server/imap/mime/body_structure_writer.h"

#include <optional>
#include <vector>

#include "server/imap/mime/envelope_writer.h"
#include "server/imap/mime/header_fields.h"

namespace mailvault::imap::mime {
namespace {

// What Dovecot sends for a multipart without parts (the grammar needs one).
constexpr std::string_view kEmptyBody =
    R"(("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 0 0)";

void AppendOptional(std::string& out, const std::optional<std::string>& text, Charset charset) {
  if (text) {
    AppendNString(out, std::string_view(*text), charset);
  } else {
    AppendNString(out, std::nullopt, charset);
  }
}

// body-fld-param: NIL or ("name" "value" ...).
void AppendParams(std::string& out, const std::vector<MediaParam>& params, Charset charset) {
  if (params.empty()) {
    out.append("NIL");
    return;
  }
  out.push_back('(');
  for (size_t i = 0; i < params.size(); ++i) {
    if (i > 0) out.push_back(' ');
    AppendString(out, params[i].name, charset);
    out.push_back(' ');
    AppendString(out, params[i].value, charset);
  }
  out.push_back(')');
}

// body-fld-dsp SP body-fld-lang SP body-fld-loc: the extension data both
// kinds of body end with.
void AppendDispositionLanguageLocation(std::string& out, const ContentFields& content,
                                       Charset charset) {
  if (content.disposition) {
    out.push_back('(');
    AppendString(out, *content.disposition, charset);
    out.push_back(' ');
    AppendParams(out, content.disposition_params, charset);
    out.push_back(')');
  } else {
    out.append("NIL");
  }
  out.push_back(' ');
  // Always a list, as Dovecot sends it, even for one language.
  if (content.languages.empty()) {
    out.append("NIL");
  } else {
    out.push_back('(');
    for (size_t i = 0; i < content.languages.size(); ++i) {
      if (i > 0) out.push_back(' ');
      AppendString(out, content.languages[i], charset);
    }
    out.push_back(')');
  }
  out.push_back(' ');
  AppendOptional(out, content.location, charset);
}

void AppendPart(std::string& out, const MimePart& part, std::string_view message, Charset charset,
                bool extensible, size_t& addresses_left);

void AppendMultipart(std::string& out, const MimePart& part, std::string_view message,
                     Charset charset, bool extensible, size_t& addresses_left) {
  out.push_back('(');
  if (part.children.empty()) {
    out.append(kEmptyBody);
    if (extensible) out.append(" NIL NIL NIL NIL");
    out.push_back(')');
  }
  for (const MimePart& child : part.children) {
    AppendPart(out, child, message, charset, extensible, addresses_left);
  }
  out.push_back(' ');
  AppendString(out, part.subtype.empty() ? std::string_view("x-unknown") : part.subtype, charset);
  if (extensible) {
    out.push_back(' ');
    AppendParams(out, part.content.type_params, charset);
    out.push_back(' ');
    AppendDispositionLanguageLocation(out, part.content, charset);
  }
  out.push_back(')');
}

void AppendSinglePart(std::string& out, const MimePart& part, std::string_view message,
                      Charset charset, bool extensible, size_t& addresses_left) {
  const ContentFields& content = part.content;
  const bool is_message = part.kind == PartKind::kMessage;
  const bool is_text = !is_message && EqualsIgnoreCase(part.type, "text");
  out.push_back('(');
  if (is_message) {
    out.append(R"("message" "rfc822")");
  } else if (EqualsIgnoreCase(part.type, "message") && EqualsIgnoreCase(part.subtype, "rfc822")) {
    // Past the nesting or part limits a message/rfc822 part stays opaque;
    // "message" "rfc822" would make clients expect an envelope.
    out.append(R"("application" "octet-stream")");
  } else {
    AppendString(out, part.type, charset);
    out.push_back(' ');
    AppendString(out, part.subtype, charset);
  }
  out.push_back(' ');
  std::vector<MediaParam> params = content.type_params;
  if (is_text && !content.TypeParam("charset")) params.push_back({"charset", "us-ascii"});
  AppendParams(out, params, charset);
  out.push_back(' ');
  AppendOptional(out, content.id, charset);
  out.push_back(' ');
  AppendOptional(out, content.description, charset);
  out.push_back(' ');
  AppendString(out, content.transfer_encoding.value_or("7bit"), charset);
  out.push_back(' ');
  out.append(std::to_string(part.body_end - part.body_begin));
  if (is_message) {
    const MimePart& encapsulated = part.children.front();
    out.push_back(' ');
    AppendEnvelope(out, encapsulated.Header(message), charset, addresses_left);
    out.push_back(' ');
    AppendPart(out, encapsulated, message, charset, extensible, addresses_left);
    out.push_back(' ');
    out.append(std::to_string(part.body_lines));
  } else if (is_text) {
    out.push_back(' ');
    out.append(std::to_string(part.body_lines));
  }
  if (extensible) {
    out.push_back(' ');
    AppendOptional(out, content.md5, charset);
    out.push_back(' ');
    AppendDispositionLanguageLocation(out, content, charset);
  }
  out.push_back(')');
}

void AppendPart(std::string& out, const MimePart& part, std::string_view message, Charset charset,
                bool extensible, size_t& addresses_left) {
  if (part.kind == PartKind::kMultipart) {
    AppendMultipart(out, part, message, charset, extensible, addresses_left);
  } else {
    AppendSinglePart(out, part, message, charset, extensible, addresses_left);
  }
}

}  // namespace

void AppendBodyStructure(std::string& out, const MimePart& part, std::string_view message,
                         Charset charset, bool extensible) {
  size_t addresses_left = kMaxBodyStructureAddresses;
  AppendPart(out, part, message, charset, extensible, addresses_left);
}

}  // namespace mailvault::imap::mime
