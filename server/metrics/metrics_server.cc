#include "server/metrics/metrics_server.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "net/listener.h"
#include "server/region_shards.h"

namespace mailvault {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;

constexpr auto kTimeout = std::chrono::seconds(10);

http::response<http::string_body> Respond(const http::request<http::string_body>& request,
                                          http::status status, std::string body,
                                          std::string_view content_type = "text/plain; charset=utf-8") {
  http::response<http::string_body> response(status, request.version());
  response.set(http::field::server, "mailvaultd");
  response.set(http::field::content_type, std::string(content_type));
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace

Result<std::unique_ptr<MetricsServer>> MetricsServer::Bind(asio::io_context& io,
                                                           const Endpoint& endpoint,
                                                           const Metrics& metrics,
                                                           const RegionShards& shards) {
  MV_ASSIGN_OR_RETURN(auto acceptor, BindListener(io, endpoint));
  return std::unique_ptr<MetricsServer>(new MetricsServer(std::move(acceptor), metrics, shards));
}

uint16_t MetricsServer::port() const { return acceptor_->local_endpoint().port(); }

void MetricsServer::Close() {
  boost::system::error_code ignored;
  acceptor_->close(ignored);
}

asio::awaitable<void> MetricsServer::AcceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor_->async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
    if (ec) continue;
    asio::co_spawn(acceptor_->get_executor(), Serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> MetricsServer::Serve(tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer(8192);
  for (;;) {
    boost::system::error_code ec;
    http::request_parser<http::string_body> parser;
    parser.header_limit(8192);
    parser.body_limit(8192);
    stream.expires_after(kTimeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;  // closed, timed out or not HTTP: nothing to answer
    const auto& request = parser.get();
    http::response<http::string_body> response;
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      response = Respond(request, http::status::method_not_allowed, "GET only\n");
      response.set(http::field::allow, "GET, HEAD");
    } else if (request.target() == "/metrics") {
      response = Respond(request, http::status::ok, metrics_.Render(shards_),
                         "text/plain; version=0.0.4; charset=utf-8");
    } else if (request.target() == "/healthz") {
      // 503 once a region refuses writes until a restart: a load balancer
      // or monitor then knows, and the text says what to do.
      std::string regions;
      bool healthy = true;
      for (const std::string& region : shards_.hosted()) {
        if (shards_.Find(region)->Stats().needs_restart != 0) {
          healthy = false;
          regions += "region " + region +
                     " refuses writes after an unrecoverable storage error; restart mailvaultd\n";
        } else {
          regions += "region " + region + " open\n";
        }
      }
      response = Respond(request, healthy ? http::status::ok : http::status::service_unavailable,
                         (healthy ? "ok\n" : "unhealthy\n") + regions);
    } else {
      response = Respond(request, http::status::not_found, "not found: /metrics or /healthz\n");
    }
    if (request.method() == http::verb::head) response.body().clear();
    stream.expires_after(kTimeout);
    co_await http::async_write(stream, response, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !response.keep_alive()) co_return;
  }
}

}  // namespace mailvault
