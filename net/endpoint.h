// A TCP endpoint as written in configurations and on command lines:
// "host:port" or "[v6-address]:port".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault {

struct Endpoint {
  std::string host;
  uint16_t port = 0;
};

// kInvalidArgument naming the text when it is not HOST:PORT. Port 0 (any
// free port, or "off" in a configuration) is accepted; a client that
// connects refuses it itself.
Result<Endpoint> ParseEndpoint(std::string_view text);

// The text ParseEndpoint reads back: an IPv6 address in brackets.
std::string FormatEndpoint(const Endpoint& endpoint);

}  // namespace mailvault
