// RFC 5322 address lists as ENVELOPE reports them (RFC 9051 7.5.2): one
// (name adl mailbox host) per address, group start and end markers, values
// as written (RFC 2047 words are the client's to decode).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailvault::imap::mime {

struct EnvelopeAddress {
  std::optional<std::string> name;     // display name, or a trailing comment
  std::optional<std::string> adl;      // obsolete source route "@a,@b"
  std::optional<std::string> mailbox;  // local part; group name at a group start
  std::optional<std::string> host;     // NIL marks a group start or end
  bool operator==(const EnvelopeAddress&) const = default;
};

// Never fails: what cannot be read is skipped to the next comma. Missing
// parts become "MISSING_MAILBOX" / "MISSING_DOMAIN" as in Dovecot, because
// a NIL host would turn an address into a group marker. Empty list members
// (",,", allowed by obs-addr-list) are dropped.
std::vector<EnvelopeAddress> ParseAddressList(std::string_view value);

}  // namespace mailvault::imap::mime
