// The MIME side of IMAP FETCH and SEARCH for one message: ENVELOPE,
// BODYSTRUCTURE / BODY, BODY[section] bytes (RFC 9051 6.4.5, 7.5.2), BINARY
// (RFC 3516), and the decoded text SEARCH looks at.
//
// Used for vault messages (an RFC 5322 wrapper around one base64
// application/vnd.mailvault.sealed part) and for the bridge's plaintext
// mail alike. Parse once per message per FETCH, then ask for items.
//
// Sections are the original bytes, never re-serialised: a client may
// compare them with what it stored or hash them. Line ends are left as they
// are, so a message stored with bare LF is served with bare LF (Dovecot
// would convert to CRLF); sizes in BODYSTRUCTURE are of those same bytes,
// so they always agree with the sections and with RFC822.SIZE = size().
// The one exception is a message with NUL bytes, which no `{n}` literal may
// carry: it is served in the form nul_free_message.h describes (a part with
// NULs base64-encoded), and everything here, BINARY included, is of that
// form, so the figures still agree with what is served.
//
// Structure and offsets come from our own scanner (mime_scanner.cc, which
// follows Dovecot's boundary rules); ENVELOPE and BODYSTRUCTURE values are
// as written, not decoded. GMime does base64, charset conversion, RFC 2047
// words and Date: parsing, none of which touches the served bytes.
//
// Thread-safety: Parse may run on any thread (GMime is initialised once,
// under std::call_once); a parsed MessageStructure is immutable, so its
// const methods may be called from several threads at once.
//
// Cost: Parse copies the message and reads it once per nesting level;
// each answer is built on demand (Section and Binary copy their bytes,
// SectionView does not;
// BINARY decodes each time it is asked, so compute BINARY.SIZE and BINARY
// from one call when both are fetched).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/imap/fetch_args.h"
#include "common/imap/response_writer.h"
#include "common/status.h"
#include "server/imap/mime/mime_part.h"

namespace mailvault::imap {

// A Date: header value: the instant, and the zone it was written in
// (SENTBEFORE/SENTON/SENTSINCE compare the date in that zone, RFC 9051 6.4.4).
struct SentDateTime {
  int64_t unix_seconds = 0;
  int zone_minutes = 0;  // east of UTC
  bool operator==(const SentDateTime&) const = default;
};

class MessageStructure {
 public:
  // Copies the bytes (their NUL-free form when they hold NUL). Lenient like
  // GMime: any input is some message (no header, no blank line, broken MIME
  // all parse), so this only fails on an internal error. Cost: one pass
  // over the bytes per nesting level (and one more scan with NULs).
  static Result<MessageStructure> Parse(std::string_view rfc822);
  // The same, taking the bytes over instead of copying them (unless they
  // hold NUL): one message in memory instead of two while a FETCH runs.
  static Result<MessageStructure> ParseOwned(std::string&& rfc822);

  // RFC822.SIZE: the message as served, in octets (as stored, unless it
  // holds NUL bytes).
  uint64_t size() const { return bytes_.size(); }

  // Parenthesised, ready to follow "ENVELOPE " / "BODYSTRUCTURE " / "BODY ".
  // Strings are quoted when the connection's charset allows, else literals.
  // BodyStructure(charset, true) is BODYSTRUCTURE (with extension data),
  // BodyStructure(charset, false) is BODY.
  std::string Envelope(Charset charset) const;
  std::string BodyStructure(Charset charset, bool extensible) const;

  // BODY[section] (RFC 9051 6.4.5), the exact bytes. A part that does not
  // exist, HEADER/TEXT of a part that is not message/rfc822, and MIME
  // without a part number give an empty string, as Dovecot answers
  // (BODY[9] {0}), not an error. Part numbers resolve as Dovecot's: "1" of
  // a non-multipart part is the part itself, and numbers after a
  // message/rfc822 part address the encapsulated message.
  std::string Section(const FetchSection& section) const;
  // The same bytes without a copy: a view into this message, or into
  // `built` for HEADER.FIELDS[.NOT], the one section that is not a range
  // of the message. Valid while both live.
  std::string_view SectionView(const FetchSection& section, std::string& built) const;

  // BINARY[part] (RFC 3516): the part's body with its Content-Transfer-
  // Encoding removed. For an empty part list (BINARY[]), a multipart or a
  // message/rfc822 part, the bytes of the section with every leaf inside
  // decoded and its Content-Transfer-Encoding field rewritten to "binary".
  // kInvalidArgument when a CTE to remove is unknown (answer
  // NO [UNKNOWN-CTE]). A part that does not exist gives an empty string.
  // BINARY.SIZE is the size of this result.
  Result<std::string> Binary(const std::vector<uint32_t>& part) const;

  // All values of a top-level header field, unfolded, trimmed and RFC 2047
  // decoded to UTF-8 (raw 8-bit text is converted as well), in order.
  std::vector<std::string> HeaderValues(std::string_view field) const;
  // The same, unfolded and trimmed but not decoded: for structured fields
  // (addresses, message ids), where decoding first could let an encoded
  // word's text change the structure.
  std::vector<std::string> RawHeaderValues(std::string_view field) const;

  // The text of every text/* part (inside attached messages too), transfer
  // encoding removed and converted to UTF-8, parts separated by "\n".
  std::string BodyText() const;

  // The first Date: field, when GMime can read it.
  std::optional<int64_t> SentDate() const;
  std::optional<SentDateTime> SentDateWithZone() const;

 private:
  MessageStructure() = default;

  std::string bytes_;
  mime::MimePart root_;
};

// Applies a <offset.length> partial (RFC 9051 6.4.5): an offset at or past
// the end gives an empty string; the length is cut at the end.
// A header value with RFC 2047 words decoded and raw 8-bit text converted:
// always UTF-8 (for showing a summary's From and Subject).
std::string DecodeHeaderText(const std::string& unfolded);

// Unicode case folding (GLib's): text that matches without regard to case
// ("TÜKÖR" and "tükör") folds to the same bytes. For SEARCH.
std::string FoldCase(std::string_view text);

std::string_view ApplyPartial(std::string_view bytes, const std::optional<FetchPartial>& partial);

}  // namespace mailvault::imap
