// RFC 5322 address lists as ENVELOPE reports them (RFC 9051 7.5.2): one
// (name adl mailbox host) per address, group start and end markers, values
// as written (RFC 2047 words are the client's to decode).
#pragma once

#include <cstddef>
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

// At most this many entries (addresses and group markers) per list. A
// header may hold millions of four-byte addresses ("a@b,"), each far
// larger once parsed, and ENVELOPE repeats From as Sender and Reply-To:
// unbounded, one FETCH grew the bridge by gigabytes. Real mail stays far
// below (MTAs commonly refuse over 500 recipients); BODY[HEADER.FIELDS]
// still has every address.
inline constexpr size_t kMaxEnvelopeAddresses = 1000;

// Never fails: what cannot be read is skipped to the next comma. Missing
// parts become "MISSING_MAILBOX" / "MISSING_DOMAIN" as in Dovecot, because
// a NIL host would turn an address into a group marker. Empty list members
// (",,", allowed by obs-addr-list) are dropped. Past `max_entries` the
// rest of the value is not read; a group cut short still ends with its end
// marker, and one without room for both markers is left out.
std::vector<EnvelopeAddress> ParseAddressList(std::string_view value,
                                              size_t max_entries = kMaxEnvelopeAddresses);

}  // namespace mailvault::imap::mime
