// The MIME tree of a message as byte ranges over the original bytes, so any
// section can be cut out exactly as it was transmitted.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "server/imap/mime/content_fields.h"

namespace mailvault::imap::mime {

enum class PartKind {
  kLeaf,
  kMultipart,  // children are the body parts (none when no boundary line was found)
  kMessage,    // message/rfc822: one child, the encapsulated message
};

struct MimePart {
  // Offsets into the message. The header includes its blank line when it
  // has one. A line end just before a boundary line belongs to the boundary
  // (RFC 2046 5.1.1), so neither the header nor the body ends with it.
  size_t header_begin = 0;
  size_t header_end = 0;
  size_t body_begin = 0;
  size_t body_end = 0;
  size_t body_lines = 0;  // LF bytes in the body, as Dovecot counts them

  PartKind kind = PartKind::kLeaf;
  // The type actually used: the Content-Type's, or the default (text/plain,
  // or message/rfc822 inside multipart/digest) when it has none.
  std::string type;
  std::string subtype;
  ContentFields content;
  std::vector<MimePart> children;

  std::string_view Header(std::string_view message) const {
    return message.substr(header_begin, header_end - header_begin);
  }
  std::string_view Body(std::string_view message) const {
    return message.substr(body_begin, body_end - body_begin);
  }
};

// Limits that keep a hostile message from exhausting the stack or memory;
// beyond them parts are kept as opaque leaves (their bytes stay reachable).
inline constexpr int kMaxMimeDepth = 100;
inline constexpr size_t kMaxMimeParts = 10000;

// Builds the tree. Never fails: any byte sequence is some message.
MimePart ScanMessage(std::string_view message);

}  // namespace mailvault::imap::mime
