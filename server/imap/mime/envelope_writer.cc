#include "server/imap/mime/envelope_writer.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "server/imap/mime/address_list.h"
#include "server/imap/mime/header_fields.h"

namespace mailvault::imap::mime {
namespace {

std::optional<std::string> UnfoldedField(const std::vector<HeaderField>& fields,
                                         std::string_view name) {
  const HeaderField* field = FindField(fields, name);
  if (field == nullptr) return std::nullopt;
  return UnfoldValue(field->value);
}

// At most `addresses_left` entries (and kMaxEnvelopeAddresses), taken off it.
std::vector<EnvelopeAddress> Addresses(const std::vector<HeaderField>& fields,
                                       std::string_view name, size_t& addresses_left) {
  const std::optional<std::string> value = UnfoldedField(fields, name);
  if (!value) return {};
  std::vector<EnvelopeAddress> addresses =
      ParseAddressList(*value, std::min(addresses_left, kMaxEnvelopeAddresses));
  addresses_left -= addresses.size();
  return addresses;
}

void AppendOptional(std::string& out, const std::optional<std::string>& text, Charset charset) {
  if (text) {
    AppendNString(out, std::string_view(*text), charset);
  } else {
    AppendNString(out, std::nullopt, charset);
  }
}

// NIL for an empty list (an absent or empty field), else ((..)(..)).
void AppendAddressList(std::string& out, const std::vector<EnvelopeAddress>& addresses,
                       Charset charset) {
  if (addresses.empty()) {
    out.append("NIL");
    return;
  }
  out.push_back('(');
  for (const EnvelopeAddress& address : addresses) {
    out.push_back('(');
    AppendOptional(out, address.name, charset);
    out.push_back(' ');
    AppendOptional(out, address.adl, charset);
    out.push_back(' ');
    AppendOptional(out, address.mailbox, charset);
    out.push_back(' ');
    AppendOptional(out, address.host, charset);
    out.push_back(')');
  }
  out.push_back(')');
}

}  // namespace

void AppendEnvelope(std::string& out, std::string_view header, Charset charset) {
  size_t unlimited = SIZE_MAX;  // each list is still bounded
  AppendEnvelope(out, header, charset, unlimited);
}

void AppendEnvelope(std::string& out, std::string_view header, Charset charset,
                    size_t& addresses_left) {
  const std::vector<HeaderField> fields = SplitHeaderFields(header);
  const std::vector<EnvelopeAddress> from = Addresses(fields, "From", addresses_left);
  // Read again rather than copied, so that a copy cut by the budget still
  // ends any group it lists.
  std::vector<EnvelopeAddress> sender = Addresses(fields, "Sender", addresses_left);
  if (sender.empty()) sender = Addresses(fields, "From", addresses_left);
  std::vector<EnvelopeAddress> reply_to = Addresses(fields, "Reply-To", addresses_left);
  if (reply_to.empty()) reply_to = Addresses(fields, "From", addresses_left);

  out.push_back('(');
  AppendOptional(out, UnfoldedField(fields, "Date"), charset);
  out.push_back(' ');
  AppendOptional(out, UnfoldedField(fields, "Subject"), charset);
  out.push_back(' ');
  AppendAddressList(out, from, charset);
  out.push_back(' ');
  AppendAddressList(out, sender, charset);
  out.push_back(' ');
  AppendAddressList(out, reply_to, charset);
  out.push_back(' ');
  AppendAddressList(out, Addresses(fields, "To", addresses_left), charset);
  out.push_back(' ');
  AppendAddressList(out, Addresses(fields, "Cc", addresses_left), charset);
  out.push_back(' ');
  AppendAddressList(out, Addresses(fields, "Bcc", addresses_left), charset);
  out.push_back(' ');
  AppendOptional(out, UnfoldedField(fields, "In-Reply-To"), charset);
  out.push_back(' ');
  AppendOptional(out, UnfoldedField(fields, "Message-ID"), charset);
  out.push_back(')');
}

}  // namespace mailvault::imap::mime
