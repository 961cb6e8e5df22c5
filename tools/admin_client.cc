#include "tools/admin_client.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace mailvault {

AdminClient::AdminClient(const std::string& socket_path) {
  sockaddr_un address{};
  if (socket_path.size() >= sizeof address.sun_path) {
    throw std::runtime_error("admin socket path is too long: " + socket_path);
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
  fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot reach mailvaultd at " + socket_path + ": " +
                             std::strerror(errno) + " (is it running? see --socket)");
  }
}

AdminClient::~AdminClient() {
  if (fd_ >= 0) ::close(fd_);
}

nlohmann::json AdminClient::Call(const nlohmann::json& request) {
  nlohmann::json reply = Send(request);
  if (!reply.value("ok", false)) throw std::runtime_error(reply.value("error", "request failed"));
  return reply;
}

nlohmann::json AdminClient::Send(const nlohmann::json& request) {
  const std::string line = request.dump() + "\n";
  for (size_t sent = 0; sent < line.size();) {
    const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("mailvaultd closed the admin connection");
    sent += static_cast<size_t>(n);
  }
  size_t newline;
  while ((newline = buffer_.find('\n')) == std::string::npos) {
    char chunk[4096];
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n <= 0) throw std::runtime_error("mailvaultd closed the admin connection");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  nlohmann::json reply = nlohmann::json::parse(buffer_.substr(0, newline), nullptr, false);
  buffer_.erase(0, newline + 1);
  if (!reply.is_object()) throw std::runtime_error("mailvaultd sent an unreadable reply");
  return reply;
}

}  // namespace mailvault
