// Base-subject extraction (RFC 5256 section 2.1): what SORT SUBJECT and
// THREAD compare, "Re: [list] Fwd: Lunch (fwd)" and "Lunch" being the same
// conversation. Kept apart from the session so the RFC's rules can be
// checked as a table.
#pragma once

#include <string>
#include <string_view>

namespace mailvault::imap {

struct BaseSubject {
  std::string text;
  // RFC 5256 section 3 (REFERENCES step 5): extraction removed a "Re:" /
  // "Fwd:" leader, a "(fwd)" trailer or a "[fwd: ...]" wrapper. A "[blob]"
  // alone does not make a reply.
  bool reply_or_forward = false;
};

// `subject` is the Subject: field with RFC 2047 words already decoded to
// UTF-8 and folding removed (MessageStructure::HeaderValues gives that):
// step 1 here only turns tabs into spaces and collapses runs of spaces.
// The result is not case-folded: compare it with UnicodeCasemapKey.
BaseSubject ExtractBaseSubject(std::string_view subject);

}  // namespace mailvault::imap
