// The Content-* fields of one MIME part, parsed the way BODYSTRUCTURE
// reports them: values as written (case kept, RFC 2047 words not decoded),
// parameters unquoted and RFC 2231 continuations merged as Dovecot does.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/imap/mime/header_fields.h"

namespace mailvault::imap::mime {

struct MediaParam {
  std::string name;
  std::string value;
  bool operator==(const MediaParam&) const = default;
};

// At most this many parameters (RFC 2231 pieces counted one by one) are
// read from one Content-Type or Content-Disposition; the rest is ignored.
// A 20 MiB header holds millions of "a=b;", each far larger once parsed:
// unbounded, one BODYSTRUCTURE took the bridge 1.4 s and 360 MiB.
// Real fields have a handful (a long file name in RFC 2231 pieces, tens).
inline constexpr size_t kMaxMediaParams = 100;

struct ContentFields {
  // From the first Content-Type with a type token; empty when there is none
  // (or it is unreadable), and the part takes its default type.
  std::string type;
  std::string subtype;  // may be empty ("Content-Type: text")
  std::vector<MediaParam> type_params;
  std::optional<std::string> transfer_encoding;  // the token as written
  std::optional<std::string> id;
  std::optional<std::string> description;
  std::optional<std::string> md5;
  std::optional<std::string> location;
  std::optional<std::string> disposition;
  std::vector<MediaParam> disposition_params;
  std::vector<std::string> languages;

  bool has_type() const { return !type.empty(); }
  // A Content-Type parameter by name, case-insensitive.
  std::optional<std::string_view> TypeParam(std::string_view name) const;
};

ContentFields ParseContentFields(const std::vector<HeaderField>& fields);

}  // namespace mailvault::imap::mime
