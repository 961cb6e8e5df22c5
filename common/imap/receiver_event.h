// What ImapReceiver::Next() hands the session: exactly one of these.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "common/imap/token.h"

namespace mailvault::imap {

// Nothing complete yet: read more bytes and Feed() them.
struct NeedMoreInput {};

// The line just received ends with a literal announcement that is within
// the limits. For a synchronizing literal the session must now write a
// continuation ("+ Ready"); for a LITERAL+ one it writes nothing. The
// receiver itself never writes.
struct LiteralAnnounced {
  uint64_t size = 0;
  bool synchronizing = true;
  bool literal8 = false;  // ~{n}, APPEND with BINARY
};

// The line "DONE" in IDLE mode.
struct IdleDone {};

// One AUTHENTICATE continuation line in authenticate mode.
struct AuthenticateResponse {
  bool cancelled = false;  // the client sent "*"
  std::string data;        // base64-decoded bytes
};

enum class ErrorReply {
  kBad,  // "tag BAD [code] message" (or "* BAD" without a tag)
  kNo,   // "tag NO [TOOBIG] ..." for an APPEND literal that is too large
};

struct ReceiverError {
  std::string tag;            // empty when the tag could not be read
  std::string message;        // text for the response line, no CRLF
  std::string response_code;  // "TOOBIG" or empty
  ErrorReply reply = ErrorReply::kBad;
  // The stream cannot be resynchronised (a LITERAL+ literal we will not
  // read is on its way): reply, send BYE, close. Otherwise the receiver has
  // already skipped to the next command and the session only counts the
  // bad command.
  bool close_connection = false;
};

using ReceiverEvent = std::variant<NeedMoreInput, LiteralAnnounced, ImapCommand, IdleDone,
                                   AuthenticateResponse, ReceiverError>;

// For tests and fuzzing only (it prints literal contents; never log it):
// "NEED", "LITERAL 5 sync", "COMMAND ...", "ERROR ...".
std::string DescribeEvent(const ReceiverEvent& event);

}  // namespace mailvault::imap
