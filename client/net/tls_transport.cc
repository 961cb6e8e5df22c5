#include "client/net/tls_transport.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "net/dead_peer.h"
#include "net/self_signed_certificate.h"

namespace mailvault::client {
namespace {

using Clock = std::chrono::steady_clock;

// A vault whose host stops answering at the TCP level is given up this many
// operation timeouts after (two minutes for the usual 30 s). A vault that is
// only slow is never cut off by it: its kernel answers the probes and
// acknowledges data whatever the vault process is doing.
constexpr int kDeadVaultAfterTimeouts = 4;

Status Unreachable(const std::string& endpoint, const std::string& why) {
  return Status(ErrorCode::kUnavailable, "cannot reach the vault at " + endpoint + ": " + why);
}

}  // namespace

TlsTransport::TlsTransport(std::string endpoint, std::chrono::seconds timeout)
    : endpoint_(std::move(endpoint)),
      timeout_(timeout),
      tls_context_(asio::ssl::context::tls_client),
      stream_(io_, tls_context_) {}

TlsTransport::~TlsTransport() { Close(); }

bool TlsTransport::RunUntil(const bool& done, Clock::duration deadline, bool close) {
  io_.restart();
  const auto until = Clock::now() + deadline;
  while (!done && Clock::now() < until) io_.run_one_until(until);
  if (done) return true;
  // The pending handler then runs with operation_aborted. A read that saw
  // no bytes can be cancelled and the TLS stream used again (IDLE waits).
  boost::system::error_code ignored;
  if (close) {
    stream_.lowest_layer().close(ignored);
  } else {
    stream_.lowest_layer().cancel(ignored);
  }
  io_.restart();
  while (!done) io_.run_one();
  return false;
}

Result<std::unique_ptr<TlsTransport>> TlsTransport::Connect(const std::string& host,
                                                            uint16_t port,
                                                            const ServerTrust& trust,
                                                            std::chrono::seconds timeout) {
  const std::string endpoint = host + ":" + std::to_string(port);
  std::unique_ptr<TlsTransport> t(new TlsTransport(endpoint, timeout));
  SSL_CTX* ctx = t->tls_context_.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  if (!trust.ca_file.empty()) {
    boost::system::error_code ec;
    t->tls_context_.load_verify_file(trust.ca_file, ec);
    if (ec) {
      return Result<std::unique_ptr<TlsTransport>>(
          ErrorCode::kInvalidArgument, "cannot read the CA file " + trust.ca_file + ": " + ec.message());
    }
    t->stream_.set_verify_mode(asio::ssl::verify_peer);
    t->stream_.set_verify_callback(asio::ssl::host_name_verification(host));
  } else {
    // The pin is checked after the handshake, on the exact certificate.
    t->stream_.set_verify_mode(asio::ssl::verify_none);
  }
  SSL_set_tlsext_host_name(t->stream_.native_handle(), host.c_str());

  // Resolve and connect, bounded by the timeout.
  tcp::resolver resolver(t->io_);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(host, std::to_string(port), ec);
  if (ec) return Unreachable(endpoint, ec.message());
  bool done = false;
  asio::async_connect(t->stream_.lowest_layer(), endpoints,
                      [&](const boost::system::error_code& e, const tcp::endpoint&) {
                        ec = e;
                        done = true;
                      });
  if (!t->RunUntil(done, timeout)) return Unreachable(endpoint, "no answer within " + std::to_string(timeout.count()) + " s");
  if (ec) return Unreachable(endpoint, ec.message());
  // A vault that vanished (the laptop moved to another network while the
  // bridge waited in IDLE) is noticed by the kernel, not only when a write
  // goes unanswered (net/dead_peer.h).
  DetectDeadPeer(t->stream_.next_layer(), kDeadVaultAfterTimeouts * timeout, ec);
  if (ec) spdlog::debug("vault connection: no TCP keepalive ({})", ec.message());

  done = false;
  t->stream_.async_handshake(asio::ssl::stream_base::client,
                             [&](const boost::system::error_code& e) {
                               ec = e;
                               done = true;
                             });
  if (!t->RunUntil(done, timeout)) return Unreachable(endpoint, "the TLS handshake timed out");
  if (ec) {
    if (!trust.ca_file.empty() && ec.category() == asio::error::get_ssl_category()) {
      return Result<std::unique_ptr<TlsTransport>>(
          ErrorCode::kUntrustedPeer, "the vault's certificate at " + endpoint +
                                         " is not signed by " + trust.ca_file + " for " + host);
    }
    return Unreachable(endpoint, "TLS handshake failed (" + ec.message() + ")");
  }
  X509* cert = SSL_get_peer_certificate(t->stream_.native_handle());
  if (cert == nullptr) return Unreachable(endpoint, "the server sent no certificate");
  t->peer_fingerprint_ = CertificateFingerprint(cert);
  X509_free(cert);
  if (!trust.pinned_fingerprint.empty() && t->peer_fingerprint_ != trust.pinned_fingerprint) {
    return Result<std::unique_ptr<TlsTransport>>(
        ErrorCode::kUntrustedPeer,
        "the vault at " + endpoint + " presented certificate " + t->peer_fingerprint_ +
            ", not the pinned " + trust.pinned_fingerprint +
            " (if the operator replaced it, check the new fingerprint with them, then run "
            "`mailvault pin FINGERPRINT`)");
  }
  if (trust.pinned_fingerprint.empty() && trust.ca_file.empty() && !trust.trust_on_first_use) {
    return Result<std::unique_ptr<TlsTransport>>(ErrorCode::kUntrustedPeer,
                                                 "no way to trust the vault at " + endpoint);
  }
  return t;
}

Status TlsTransport::Write(std::string_view bytes) {
  bool done = false;
  boost::system::error_code ec;
  asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                    [&](const boost::system::error_code& e, size_t) {
                      ec = e;
                      done = true;
                    });
  if (!RunUntil(done, timeout_)) return Unreachable(endpoint_, "the server stopped reading");
  if (ec) return Unreachable(endpoint_, "connection lost (" + ec.message() + ")");
  return Status::Ok();
}

Result<size_t> TlsTransport::ReadSomeWithin(char* buffer, size_t size,
                                            std::chrono::milliseconds wait) {
  bool done = false;
  boost::system::error_code ec;
  size_t read = 0;
  stream_.async_read_some(asio::buffer(buffer, size),
                          [&](const boost::system::error_code& e, size_t n) {
                            ec = e;
                            read = n;
                            done = true;
                          });
  const bool in_time = RunUntil(done, wait, /*close=*/false);
  if (!in_time && ec == asio::error::operation_aborted) return size_t{0};
  if (ec == asio::error::eof || ec == asio::ssl::error::stream_truncated) {
    return Unreachable(endpoint_, "the server closed the connection");
  }
  if (ec) return Unreachable(endpoint_, "connection lost (" + ec.message() + ")");
  return read;
}

Result<size_t> TlsTransport::ReadSome(char* buffer, size_t size) {
  MV_ASSIGN_OR_RETURN(size_t read, ReadSomeWithin(buffer, size, timeout_));
  if (read == 0) return Unreachable(endpoint_, "no answer within " + std::to_string(timeout_.count()) + " s");
  return read;
}

void TlsTransport::Close() {
  boost::system::error_code ignored;
  stream_.lowest_layer().close(ignored);
}

}  // namespace mailvault::client
