#include "net/endpoint.h"

#include <charconv>

namespace mailvault {

Result<Endpoint> ParseEndpoint(std::string_view text) {
  const size_t colon = text.rfind(':');
  std::string_view host = colon == std::string_view::npos ? "" : text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::string_view port_text = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  unsigned port = 0;
  const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (host.empty() || port_text.empty() || ec != std::errc() ||
      ptr != port_text.data() + port_text.size() || port > 65535) {
    return Result<Endpoint>(ErrorCode::kInvalidArgument,
                            "'" + std::string(text) + "' is not HOST:PORT (for example 127.0.0.1:9993)");
  }
  return Endpoint{std::string(host), static_cast<uint16_t>(port)};
}

std::string FormatEndpoint(const Endpoint& endpoint) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  return (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
}

}  // namespace mailvault
