// lmtp: an MTA's byte stream through the LMTP receiver as the session
// drives it (DATA switches to message data), every command line through
// ParseCommand. The first byte picks the line limit, so that the paths for
// overlong lines and lines taken in parts are reached with short inputs.
#include <algorithm>
#include <string>
#include <vector>

#include "common/lmtp/lmtp_command.h"
#include "common/lmtp/lmtp_receiver.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

using lmtp::Receiver;

// A reply as the session sends it: "NNN X.Y.Z text", one line.
bool IsReply(std::string_view reply) {
  return reply.size() >= 10 && reply[0] >= '2' && reply[0] <= '5' && reply[3] == ' ' &&
         IsOneLine(reply);
}

bool HasBareLf(std::string_view bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\n' && (i == 0 || bytes[i - 1] != '\r')) return true;
  }
  return false;
}

// The message as a client sends it: dot-stuffed and ended by ".".
std::string Stuff(std::string_view message) {
  std::string out;
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  return out + ".\r\n";
}

Transcript Drive(std::string_view input, const lmtp::ReceiverLimits& limits,
                 const std::vector<size_t>& chunks) {
  Transcript t;
  Receiver receiver(limits);
  size_t chunk = 0;
  do {
    size_t take = chunks.empty() ? input.size() : std::min(input.size(), chunks[chunk++ % chunks.size()]);
    receiver.Feed(input.substr(0, take));
    input.remove_prefix(take);
    for (;;) {
      const Receiver::Event event = receiver.Next();
      if (event == Receiver::Event::kNeedMore) break;
      if (event == Receiver::Event::kLine) {
        const std::string& line = receiver.line();
        if (!IsOneLine(line) || line.size() > limits.max_line) {
          t.failure = "command line with CR/LF/NUL or over the limit: " + Printable(line);
          return t;
        }
        const lmtp::ParseResult parsed = lmtp::ParseCommand(line);
        if (!parsed.ok && !IsReply(parsed.error_reply)) {
          t.failure = "error reply is not one reply line: " + Printable(parsed.error_reply);
          return t;
        }
        if (parsed.ok && (parsed.command.verb == lmtp::Verb::kMail ||
                          parsed.command.verb == lmtp::Verb::kRcpt)) {
          const std::string& address = parsed.command.address;
          if (address.find_first_of(std::string_view("<> \t\r\n\0", 8)) != std::string::npos) {
            t.failure = "address with a delimiter or a control: " + Printable(address);
            return t;
          }
          if (parsed.command.verb == lmtp::Verb::kRcpt && address.empty()) {
            t.failure = "RCPT accepted an empty address";
            return t;
          }
        }
        t.events.push_back("LINE " + line + (parsed.ok ? " ok" : " " + parsed.error_reply));
        if (parsed.ok && parsed.command.verb == lmtp::Verb::kData) receiver.StartData(0);
      } else if (event == Receiver::Event::kMessage) {
        std::string message = receiver.TakeMessage();
        if (message.size() > limits.max_message) {
          t.failure = "message over the limit";
          return t;
        }
        if (HasBareLf(message)) {
          t.failure = "message with a bare LF was accepted";
          return t;
        }
        if (!message.empty() && !message.ends_with("\r\n")) {
          t.failure = "message does not end with CRLF";
          return t;
        }
        t.events.push_back("MESSAGE " + message);
      } else {
        t.events.push_back("EVENT " + std::to_string(static_cast<int>(event)));
      }
    }
  } while (!input.empty());
  return t;
}

// Stuffing a message received and reading it again gives it back.
std::string CheckRoundTrip(const std::string& message, const lmtp::ReceiverLimits& limits) {
  Receiver receiver(limits);
  receiver.StartData(0);
  receiver.Feed(Stuff(message));
  if (receiver.Next() != Receiver::Event::kMessage) return "a re-stuffed message did not end";
  if (receiver.TakeMessage() != message) return "a re-stuffed message came back different";
  return "";
}

}  // namespace

std::string CheckLmtp(std::string_view input) {
  FuzzInput in(input);
  const uint8_t selector = in.Byte();
  const std::string_view stream = in.Rest();
  lmtp::ReceiverLimits limits;
  if (selector & 1) {
    limits.max_line = 8 + selector % 64;
    limits.max_message = 64 + selector * 16;
  }
  const Transcript whole = Drive(stream, limits, {});
  if (!whole.failure.empty()) return whole.failure;
  for (const std::string& event : whole.events) {
    if (event.starts_with("MESSAGE ")) {
      std::string failure = CheckRoundTrip(event.substr(8), limits);
      if (!failure.empty()) return failure;
    }
  }
  return SameEventsInPieces(stream, whole, [&](const std::vector<size_t>& chunks) {
    return Drive(stream, limits, chunks);
  });
}

}  // namespace mailvault::fuzz
