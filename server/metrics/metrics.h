// mailvaultd's metrics, in Prometheus's text format: counters and gauges
// updated lock-free on the hot paths, one append-latency histogram, and the
// storage engine's own figures read when scraped. Nothing here names an
// account or holds content: only counts, bytes and durations.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "net/per_key_limit.h"

namespace mailvault {

class RegionShards;

// Fixed buckets: a histogram that never allocates when observed.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                      0.05,   0.1,   0.25,   0.5,   1,    2.5};
  void Observe(std::chrono::steady_clock::duration elapsed);
  // "name_bucket{le=...} n" lines, then _sum and _count.
  void Render(const std::string& name, std::string& out) const;

 private:
  std::array<std::atomic<uint64_t>, kBuckets.size() + 1> counts_{};  // last: +Inf
  std::atomic<uint64_t> sum_micros_{0};
};

struct Metrics {
  // Per listener kind: "imap" (IMAPS and STARTTLS) or "lmtp".
  struct Listener {
    std::atomic<uint64_t> connections_total{0};
    std::atomic<int64_t> connections_open{0};
  };
  Listener imap;
  Listener lmtp;
  const PerKeyLimit* imap_sessions = nullptr;  // logged-in sessions per account
  std::atomic<uint64_t> bytes_sealed_total{0};
  LatencyHistogram append_seconds;  // seal + durable append of one delivery

  // The outcome of one recipient's delivery by its three-digit reply code:
  // a refusal at RCPT, or the reply after DATA.
  void CountDelivery(std::string_view reply_line);

  // The whole exposition, the storage figures of every hosted region read now.
  std::string Render(const RegionShards& shards) const;

 private:
  mutable std::mutex deliveries_mutex_;
  std::map<std::string, uint64_t> deliveries_;
};

}  // namespace mailvault
