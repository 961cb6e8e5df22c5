// Server-side TLS settings, shared by the IMAPS and STARTTLS listeners:
// TLS 1.2 at least, no compression, no renegotiation, server cipher order.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "common/status.h"
#include "net/asio.h"

namespace mailvault {

Result<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(const std::string& cert_path,
                                                                 const std::string& key_path);

// Holds the current context. Reload (SIGHUP) swaps it: connections accepted
// afterwards use the new certificate, open sessions keep the one they have.
class TlsContextHolder {
 public:
  TlsContextHolder(std::string cert_path, std::string key_path)
      : cert_path_(std::move(cert_path)), key_path_(std::move(key_path)) {}

  Status Reload();
  std::shared_ptr<asio::ssl::context> current() const;

 private:
  const std::string cert_path_;
  const std::string key_path_;
  mutable std::mutex mutex_;
  std::shared_ptr<asio::ssl::context> context_;
};

}  // namespace mailvault
