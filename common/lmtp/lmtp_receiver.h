// Framing of an LMTP (RFC 2033) connection: command lines, then after DATA
// the message up to the lone "." line, dot-unstuffed (RFC 5321 4.5.2).
// Pure: the session feeds it bytes and writes the replies itself.
//
// In message data only CRLF ends a line (RFC 5321 2.3.8), and only
// CRLF "." CRLF ends the message: a bare LF never does, so "\n.\n" or
// "\r\n.\n" inside a message cannot end it early and smuggle what follows
// in as commands (the SMTP smuggling of December 2023). A message holding a
// bare LF at all is read to its real end and refused (kMessageBareLf), as
// Postfix refuses bare newlines: an MTA never sends one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mailvault::lmtp {

struct ReceiverLimits {
  size_t max_line = 4096;                  // RFC 5321 asks for at least 512
  uint64_t max_message = 50ull << 20;      // the SIZE we advertise
};

class Receiver {
 public:
  enum class Event {
    kNeedMore,      // feed more bytes
    kLine,          // line() holds a command line without its CRLF
    kLineTooLong,   // a command line over the limit was skipped up to its CRLF
    kBadLine,       // the line held a NUL or a bare CR; skipped
    kMessage,       // TakeMessage() holds the unstuffed message
    kMessageTooBig, // the message went over max_message; it was read and dropped
    kMessageBareLf, // the message held a bare LF; it was read and dropped
  };

  explicit Receiver(ReceiverLimits limits = {}) : limits_(limits) {}
  // Wipes what it holds: the bytes of DATA are plaintext mail.
  ~Receiver();

  // Appends bytes read from the peer.
  void Feed(std::string_view bytes);
  // Parses as far as the buffered bytes allow.
  Event Next();

  // After DATA was accepted (354 sent): read a message next. `expected_size`
  // is MAIL FROM's SIZE parameter, or 0.
  void StartData(uint64_t expected_size = 0);
  bool in_data() const { return in_data_; }

  const std::string& line() const { return line_; }
  // Moves the message out; the receiver keeps no copy of it.
  std::string TakeMessage();
  // Bytes buffered but not parsed yet (a client pipelining past DATA).
  size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  Event NextLine();
  Event NextDataLine();
  void Compact();
  // Wipes and frees the message read so far, and sets `reason`: the rest of
  // it is only counted, up to its end.
  void DropMessage(bool& reason);

  ReceiverLimits limits_;
  std::string buffer_;
  size_t consumed_ = 0;
  std::string line_;
  std::string message_;
  bool in_data_ = false;
  bool skipping_line_ = false;  // discarding the rest of an overlong line
  bool message_too_big_ = false;
  bool message_bare_lf_ = false;
  bool at_line_start_ = true;  // in data: the next byte starts a line (after a CRLF)
  bool after_cr_ = false;      // in data: the byte before the next one was CR
  uint64_t message_bytes_ = 0;  // counted even once dropped
};

}  // namespace mailvault::lmtp
