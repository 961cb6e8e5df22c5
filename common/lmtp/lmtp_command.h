// Parsing of LMTP command lines (RFC 2033, with RFC 5321's syntax for MAIL and
// RCPT and the SIZE (RFC 1870) and BODY=8BITMIME (RFC 6152) parameters).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mailvault::lmtp {

enum class Verb { kLhlo, kMail, kRcpt, kData, kRset, kNoop, kQuit, kVrfy, kHelo, kEhlo, kUnknown };

struct Command {
  Verb verb = Verb::kUnknown;
  std::string address;     // MAIL: reverse-path (may be empty: "<>"); RCPT: forward-path
  std::string domain;      // LHLO
  uint64_t size = 0;       // MAIL SIZE=, 0 if absent
};

// A parse failure carries the reply to send, e.g. "501 5.5.4 Syntax: MAIL FROM:<address>".
struct ParseResult {
  bool ok = false;
  Command command;
  std::string error_reply;
};

ParseResult ParseCommand(std::string_view line);

}  // namespace mailvault::lmtp
