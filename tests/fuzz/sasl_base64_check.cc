// sasl_base64: base64 (common/base64.h) and the two ways AUTHENTICATE's
// SASL data reaches the server: a continuation line in the receiver's
// AUTHENTICATE mode, and a SASL-IR initial response in the command
// (ParseAuthenticateArgs). The first byte picks one. (The PLAIN message
// itself is split at its two NULs in server/imap/session_auth.cc.)
#include <string>
#include <variant>
#include <vector>

#include "common/base64.h"
#include "common/imap/receiver.h"
#include "common/imap/simple_args.h"
#include "tests/common/imap/receiver_driver.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

std::string WithoutPadding(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  return std::string(text);
}

// Strict decoding: what decodes is the canonical encoding of its bytes
// (padding optional), and every byte string round-trips.
std::string CheckBase64(std::string_view input) {
  Result<std::string> bytes = DecodeBase64(input);
  if (bytes.ok()) {
    const std::string encoded = EncodeBase64(*bytes);
    if (WithoutPadding(encoded) != WithoutPadding(input)) {
      return "base64 that decodes is not canonical: " + Printable(input);
    }
    if (input.size() != WithoutPadding(input).size() && encoded != input) {
      return "padded base64 that decodes has the wrong padding";
    }
  }
  const std::string encoded = EncodeBase64(input);
  if (encoded.size() % 4 != 0) return "encoding not a multiple of 4";
  Result<std::string> back = DecodeBase64(encoded);
  if (!back.ok() || *back != input) return "base64 round trip failed";
  Result<std::string> unpadded = DecodeBase64(WithoutPadding(encoded));
  if (!unpadded.ok() || *unpadded != input) return "unpadded base64 round trip failed";
  return "";
}

// One line after "+ " in AUTHENTICATE mode: "*" cancels, base64 decodes,
// anything else is an error on one line, and the receiver is back in
// command mode for what follows.
std::string CheckContinuation(std::string_view line) {
  line = line.substr(0, line.find('\n'));  // one line; a CR or NUL in it stays
  imap::ImapReceiver receiver(imap::ReceiverLimits::PreAuth());
  receiver.SetMode(imap::ReceiverMode::kAuthenticate);
  std::vector<imap::ReceiverEvent> events =
      imap::testing::ReceiveAll(receiver, std::string(line) + "\r\nb NOOP\r\n");
  if (events.empty()) return "no event for a complete AUTHENTICATE line";
  const bool clean = line.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
  if (const auto* response = std::get_if<imap::AuthenticateResponse>(&events[0])) {
    if (!clean) return "AUTHENTICATE line with CR, LF or NUL accepted";
    if (response->cancelled != (line == "*")) return "cancel is not exactly \"*\"";
    if (!response->cancelled) {
      Result<std::string> decoded = DecodeBase64(line);
      if (!decoded.ok() || *decoded != response->data) return "response data is not the base64";
    }
  } else if (const auto* error = std::get_if<imap::ReceiverError>(&events[0])) {
    if (!IsOneLine(error->message)) return "error not one line: " + Printable(error->message);
    if (clean && line.size() <= imap::ReceiverLimits::PreAuth().max_authenticate_line_length &&
        (line == "*" || DecodeBase64(line).ok())) {
      return "valid AUTHENTICATE line refused: " + error->message;
    }
  } else if (clean) {
    return "unexpected event " + imap::DescribeEvent(events[0]);
  }
  if (clean && (events.size() < 2 || !std::holds_alternative<imap::ImapCommand>(events.back()))) {
    return "the command after the AUTHENTICATE line was lost";
  }
  return "";
}

// SASL-IR: AUTHENTICATE mechanism initial-response.
std::string CheckInitialResponse(std::string_view text) {
  text = text.substr(0, text.find('\n'));  // one command line, not a later one
  const imap::ImapCommand command =
      imap::testing::ReceiveCommand("a AUTHENTICATE PLAIN " + std::string(text));
  if (command.name != "AUTHENTICATE") return "";
  Result<imap::AuthenticateArgs> args = imap::ParseAuthenticateArgs(command);
  if (!args.ok()) {
    return IsOneLine(args.status().message()) ? "" : "error not one line";
  }
  if (args->mechanism != "PLAIN") return "mechanism changed";
  if (command.args.size() == 2 && args->initial_response) {
    const std::string& sent = command.args[1].text;
    if (sent == "=") return args->initial_response->empty() ? "" : "\"=\" is not empty";
    Result<std::string> decoded = DecodeBase64(sent);
    if (!decoded.ok() || *decoded != *args->initial_response) return "initial response differs";
  }
  return "";
}

}  // namespace

std::string CheckSaslBase64(std::string_view input) {
  FuzzInput in(input);
  const uint8_t selector = in.Byte();
  const std::string_view text = in.Rest();
  switch (selector % 3) {
    case 0: return CheckBase64(text);
    case 1: return CheckContinuation(text);
    default: return CheckInitialResponse(text);
  }
}

}  // namespace mailvault::fuzz
