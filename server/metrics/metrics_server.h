// The monitoring endpoint: GET /metrics (Prometheus text format) and
// GET /healthz, over HTTP/1.1 with Boost.Beast. Meant for a loopback or
// management address: it shows counts and sizes, nothing about accounts.
#pragma once

#include <memory>

#include "common/status.h"
#include "server/config.h"
#include "server/metrics/metrics.h"
#include "net/asio.h"

namespace mailvault {

class RegionShards;

class MetricsServer {
 public:
  static Result<std::unique_ptr<MetricsServer>> Bind(asio::io_context& io, const Endpoint& endpoint,
                                                     const Metrics& metrics,
                                                     const RegionShards& shards);
  asio::awaitable<void> AcceptLoop();
  void Close();
  uint16_t port() const;

 private:
  MetricsServer(std::unique_ptr<tcp::acceptor> acceptor, const Metrics& metrics,
                const RegionShards& shards)
      : acceptor_(std::move(acceptor)), metrics_(metrics), shards_(shards) {}
  asio::awaitable<void> Serve(tcp::socket socket);

  std::unique_ptr<tcp::acceptor> acceptor_;
  const Metrics& metrics_;
  const RegionShards& shards_;
};

}  // namespace mailvault
