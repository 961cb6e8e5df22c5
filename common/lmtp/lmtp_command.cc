#include "common/lmtp/lmtp_command.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace mailvault::lmtp {
namespace {

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) ==
                  std::toupper(static_cast<unsigned char>(y));
         });
}

bool IStartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && IEquals(s.substr(0, prefix.size()), prefix);
}

ParseResult Error(std::string reply) { return {false, {}, std::move(reply)}; }

ParseResult Ok(Command command) { return {true, std::move(command), {}}; }

// "<local@domain>" -> local@domain. Source routes ("<@a,@b:x@y>") are
// accepted and dropped as RFC 5321 4.1.1.3 asks. Quoted local parts are kept
// verbatim; the delivery layer decides what an account address is.
bool ParsePath(std::string_view& rest, std::string& address) {
  if (rest.empty() || rest.front() != '<') return false;
  const size_t close = rest.find('>');
  if (close == std::string_view::npos) return false;
  std::string_view path = rest.substr(1, close - 1);
  rest.remove_prefix(close + 1);
  if (!path.empty() && path.front() == '@') {
    const size_t colon = path.find(':');
    if (colon == std::string_view::npos) return false;
    path.remove_prefix(colon + 1);
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>') return false;
  }
  address.assign(path);
  return true;
}

// Parses " KEY=VALUE KEY=VALUE" after MAIL FROM's path.
bool ParseMailParameters(std::string_view rest, Command& command, std::string& error) {
  while (!rest.empty()) {
    if (rest.front() != ' ') {
      error = "501 5.5.4 Syntax error in parameters";
      return false;
    }
    rest.remove_prefix(1);
    if (rest.empty()) break;  // a trailing space, as some clients send
    const size_t end = std::min(rest.find(' '), rest.size());
    const std::string_view param = rest.substr(0, end);
    rest.remove_prefix(end);
    if (IStartsWith(param, "SIZE=")) {
      const std::string_view digits = param.substr(5);
      const auto [ptr, ec] =
          std::from_chars(digits.data(), digits.data() + digits.size(), command.size);
      if (ec != std::errc() || ptr != digits.data() + digits.size() || digits.empty()) {
        error = "501 5.5.4 Bad SIZE parameter";
        return false;
      }
    } else if (IEquals(param, "BODY=8BITMIME") || IEquals(param, "BODY=7BIT")) {
      // Both are stored as received: the vault never rewrites a message.
    } else {
      error = "555 5.5.4 Unsupported parameter " + std::string(param.substr(0, 64));
      return false;
    }
  }
  return true;
}

}  // namespace

ParseResult ParseCommand(std::string_view line) {
  const size_t space = std::min(line.find(' '), line.size());
  const std::string_view verb = line.substr(0, space);
  std::string_view rest = line.substr(space);
  Command command;

  if (IEquals(verb, "LHLO")) {
    command.verb = Verb::kLhlo;
    if (rest.size() < 2) return Error("501 5.5.4 Syntax: LHLO hostname");
    command.domain.assign(rest.substr(1));
    return Ok(std::move(command));
  }
  if (IEquals(verb, "MAIL")) {
    command.verb = Verb::kMail;
    if (!IStartsWith(rest, " FROM:")) return Error("501 5.5.4 Syntax: MAIL FROM:<address>");
    rest.remove_prefix(6);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);  // "FROM: <x>" is common
    if (!ParsePath(rest, command.address)) return Error("501 5.1.7 Bad sender address syntax");
    std::string error;
    if (!ParseMailParameters(rest, command, error)) return Error(std::move(error));
    return Ok(std::move(command));
  }
  if (IEquals(verb, "RCPT")) {
    command.verb = Verb::kRcpt;
    if (!IStartsWith(rest, " TO:")) return Error("501 5.5.4 Syntax: RCPT TO:<address>");
    rest.remove_prefix(4);
    if (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (!ParsePath(rest, command.address) || command.address.empty()) {
      return Error("501 5.1.3 Bad recipient address syntax");
    }
    if (!rest.empty()) return Error("555 5.5.4 RCPT parameters are not supported");
    return Ok(std::move(command));
  }
  struct Simple {
    std::string_view name;
    Verb verb;
  };
  for (const Simple& s : {Simple{"DATA", Verb::kData}, Simple{"RSET", Verb::kRset},
                          Simple{"NOOP", Verb::kNoop}, Simple{"QUIT", Verb::kQuit},
                          Simple{"VRFY", Verb::kVrfy}, Simple{"HELO", Verb::kHelo},
                          Simple{"EHLO", Verb::kEhlo}}) {
    if (IEquals(verb, s.name)) {
      command.verb = s.verb;
      // NOOP and VRFY may carry an argument; DATA, RSET and QUIT may not.
      if (!rest.empty() && (s.verb == Verb::kData || s.verb == Verb::kRset ||
                            s.verb == Verb::kQuit)) {
        return Error("501 5.5.4 " + std::string(s.name) + " takes no argument");
      }
      return Ok(std::move(command));
    }
  }
  return Error("500 5.5.2 Command not recognised");
}

}  // namespace mailvault::lmtp
