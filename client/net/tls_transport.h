// The CLI's and bridge's connection to the vault: TCP + TLS, blocking, with
// a deadline on every operation so an unreachable or silent server gives one
// clear error instead of a hang. The server is trusted either by a pinned
// certificate fingerprint (the default: mailvaultd makes a self-signed
// certificate) or by a CA file with host name verification.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "net/tls_channel_binding.h"
#include "net/asio.h"

namespace mailvault::client {

struct ServerTrust {
  // SHA-256 of the server's certificate, "AB:CD:..." as mailvaultd prints it.
  std::string pinned_fingerprint;
  // A PEM file of trusted CAs: the chain and the host name are verified.
  std::string ca_file;
  // Neither pinned nor CA: accept any certificate and report its fingerprint
  // (first contact in `mailvault init`, which then pins it).
  bool trust_on_first_use = false;
};

class TlsTransport {
 public:
  // kUnavailable when the server cannot be reached, kAuthFailed (with both
  // fingerprints) when its certificate is not the trusted one.
  static Result<std::unique_ptr<TlsTransport>> Connect(const std::string& host, uint16_t port,
                                                       const ServerTrust& trust,
                                                       std::chrono::seconds timeout);
  ~TlsTransport();

  const std::string& peer_fingerprint() const { return peer_fingerprint_; }
  // RFC 9266's tls-exporter of this connection (the login signs it).
  std::string channel_binding() { return TlsChannelBinding(stream_.native_handle()); }
  void set_timeout(std::chrono::seconds timeout) { timeout_ = timeout; }

  Status Write(std::string_view bytes);
  // At least one byte, or an error (kUnavailable on EOF, reset or timeout).
  Result<size_t> ReadSome(char* buffer, size_t size);
  // As ReadSome, but a timeout is not an error: returns 0 (IDLE waits).
  Result<size_t> ReadSomeWithin(char* buffer, size_t size, std::chrono::milliseconds wait);
  void Close();

 private:
  TlsTransport(std::string endpoint, std::chrono::seconds timeout);
  // Runs the io_context until `done` or the deadline. On the deadline the
  // pending operation is cancelled (or the socket closed, with `close`).
  bool RunUntil(const bool& done, std::chrono::steady_clock::duration deadline,
                bool close = true);

  std::string endpoint_;  // "host:port", for error messages
  std::chrono::seconds timeout_;
  asio::io_context io_;
  asio::ssl::context tls_context_;
  asio::ssl::stream<tcp::socket> stream_;
  std::string peer_fingerprint_;
};

}  // namespace mailvault::client
