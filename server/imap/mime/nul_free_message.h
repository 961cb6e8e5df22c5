// A message as IMAP may serve it in an ordinary literal.
//
// RFC 9051 (4.3) forbids NUL in a literal; only literal8 (`~{n}`, RFC 3516)
// may carry one, and only in a BINARY answer. Mail is still stored as it
// arrived (a binary attachment APPENDed as literal8, or a delivery with raw
// NULs), so every non-BINARY answer (BODY[...], RFC822*, ENVELOPE,
// BODYSTRUCTURE) is made from this form of the message instead:
//
// - A leaf part whose body holds NUL keeps its content intact for a client
//   that never asks for BINARY: an identity body (no, 7bit, 8bit or binary
//   Content-Transfer-Encoding) is served base64-encoded (76-character lines
//   in the part header's line-end style, the field rewritten, or added, as
//   "Content-Transfer-Encoding: base64"; a top-level part without
//   MIME-Version gets "MIME-Version: 1.0" too); a quoted-printable body
//   has each NUL written "=00"; a base64 body loses its NULs (decoders skip
//   them anyway). Decoding gives back the stored bytes, so BINARY[part] and
//   BINARY.SIZE are those of the original content.
// - A NUL anywhere else (a header, a preamble or epilogue, a body in an
//   unknown encoding, which cannot be re-encoded) becomes U+FFFD, as
//   header values already do for ENVELOPE (header_fields.h, UnfoldValue).
//   Dovecot turns every NUL into 0x80 instead, attachments included.
//
// The result scans to the same MIME tree: base64 lines never start with
// "--", and nothing else moves a line start. It depends only on the stored
// bytes, so a message's served form never changes under its uid.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mailvault::imap::mime {

// The served form of `message`, or nullopt when it holds no NUL and is
// served as it is (the usual case; one memchr).
std::optional<std::string> NulFreeMessage(std::string_view message);

// The size of the served form: RFC822.SIZE for a back-end that knows the
// stored bytes.
uint64_t ServedMessageSize(std::string_view message);

}  // namespace mailvault::imap::mime
