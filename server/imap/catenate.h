// CATENATE (RFC 4469): one message joined from TEXT parts and IMAP URL
// parts that name messages, or parts of them, the account already holds.
// URL parts are read through the back-end as FETCH reads them, so this
// works only where the back-end sees content (the bridge); the vault, whose
// messages are sealed, does not offer CATENATE (EngineOptions::catenate).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/imap/append_args.h"
#include "server/imap/mail_backend.h"

namespace mailvault::imap {

// Why a CATENATE message could not be joined: the tagged NO's response
// code ("BADURL <url>" or "TOOBIG") and text.
struct CatenateFailure {
  std::string code;
  std::string text;
};

// Joins `parts` into `message` (the TEXT parts' bytes are moved and the
// messages read for URL parts wiped). At most `max_size` bytes. Blocking:
// runs on the storage pool.
std::optional<CatenateFailure> JoinCatenateParts(MailBackend& backend,
                                                 std::vector<CatenatePart>& parts,
                                                 uint64_t max_size, std::string& message);

// The BADURL response code for `url` (RFC 4469 url-resp-text: no ']' and
// no line ends, so such bytes are %-escaped).
std::string BadUrlCode(std::string_view url);

}  // namespace mailvault::imap
