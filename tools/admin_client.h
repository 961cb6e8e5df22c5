// mailvault-admin's side of the admin socket: one JSON request per line,
// one JSON reply per line.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace mailvault {

class AdminClient {
 public:
  // Throws std::runtime_error with one clear line when the socket is not there.
  explicit AdminClient(const std::string& socket_path);
  ~AdminClient();
  AdminClient(const AdminClient&) = delete;
  AdminClient& operator=(const AdminClient&) = delete;

  // Sends the request; returns the reply, or throws std::runtime_error with
  // the server's error message when the reply says ok=false.
  nlohmann::json Call(const nlohmann::json& request);
  // Sends the request; returns the reply whether it says ok or not ("code"
  // names the failure).
  nlohmann::json Send(const nlohmann::json& request);

 private:
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace mailvault
