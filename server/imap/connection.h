// One client connection: a TCP socket, with TLS from the start (IMAPS, RFC
// 8314) or after STARTTLS. The session reads and writes through it without
// caring which.
#pragma once

#include <memory>
#include <string>

#include "net/asio.h"
#include "net/tls_channel_binding.h"

namespace mailvault::imap {

class Connection {
 public:
  Connection(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls_context)
      : socket_(std::move(socket)), tls_context_(std::move(tls_context)) {}

  // Performs the TLS handshake (implicit TLS, or after STARTTLS).
  asio::awaitable<bool> StartTls() {
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket&>>(socket_, *tls_context_);
    boost::system::error_code ec;
    co_await tls_->async_handshake(asio::ssl::stream_base::server,
                                   asio::redirect_error(asio::use_awaitable, ec));
    co_return !ec;
  }
  bool is_tls() const { return tls_ != nullptr; }
  // RFC 9266's tls-exporter for this connection; empty without TLS.
  std::string ChannelBinding() const { return tls_ ? TlsChannelBinding(tls_->native_handle()) : ""; }
  bool can_start_tls() const { return tls_context_ != nullptr && tls_ == nullptr; }

  asio::awaitable<size_t> ReadSome(asio::mutable_buffer buffer, boost::system::error_code& ec) {
    if (tls_) co_return co_await tls_->async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
    co_return co_await socket_.async_read_some(buffer, asio::redirect_error(asio::use_awaitable, ec));
  }

  template <typename Handler>
  void AsyncReadSome(asio::mutable_buffer buffer, Handler&& handler) {
    if (tls_) {
      tls_->async_read_some(buffer, std::forward<Handler>(handler));
    } else {
      socket_.async_read_some(buffer, std::forward<Handler>(handler));
    }
  }

  asio::awaitable<void> Write(std::string_view data, boost::system::error_code& ec) {
    if (tls_) {
      co_await asio::async_write(*tls_, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await asio::async_write(socket_, asio::buffer(data), asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // Makes a pending read fail with operation_aborted, leaving the
  // connection usable (for a BYE). Only while no write is in flight.
  void CancelRead() {
    boost::system::error_code ignored;
    socket_.cancel(ignored);
  }

  // Closes the socket: every pending operation fails. Used by the watchdog.
  void Close() {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  std::string peer_address() const {
    boost::system::error_code ec;
    return socket_.remote_endpoint(ec).address().to_string();
  }
  asio::any_io_executor executor() { return socket_.get_executor(); }

 private:
  tcp::socket socket_;
  std::shared_ptr<asio::ssl::context> tls_context_;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls_;
};

}  // namespace mailvault::imap
