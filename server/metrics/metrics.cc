#include "server/metrics/metrics.h"

#include <cstdio>

#include "server/region_shards.h"

namespace mailvault {
namespace {

void Help(std::string& out, const std::string& name, const char* type, const char* help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

void Line(std::string& out, const std::string& name, const std::string& labels, double value) {
  char number[64];
  std::snprintf(number, sizeof number, "%.17g", value);
  out += name;
  if (!labels.empty()) out += "{" + labels + "}";
  out += " ";
  out += number;
  out += "\n";
}

}  // namespace

void LatencyHistogram::Observe(std::chrono::steady_clock::duration elapsed) {
  const double seconds = std::chrono::duration<double>(elapsed).count();
  size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()),
      std::memory_order_relaxed);
}

void LatencyHistogram::Render(const std::string& name, std::string& out) const {
  uint64_t cumulative = 0;
  char le[32];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    std::snprintf(le, sizeof le, "%g", kBuckets[i]);
    Line(out, name + "_bucket", std::string("le=\"") + le + "\"", static_cast<double>(cumulative));
  }
  cumulative += counts_.back().load(std::memory_order_relaxed);
  Line(out, name + "_bucket", "le=\"+Inf\"", static_cast<double>(cumulative));
  Line(out, name + "_sum", "", static_cast<double>(sum_micros_.load()) / 1e6);
  Line(out, name + "_count", "", static_cast<double>(cumulative));
}

void Metrics::CountDelivery(std::string_view reply_line) {
  const std::string code(reply_line.substr(0, 3));
  std::lock_guard lock(deliveries_mutex_);
  ++deliveries_[code];
}

std::string Metrics::Render(const RegionShards& shards) const {
  std::string out;
  Help(out, "mailvault_connections_total", "counter", "Connections accepted, by protocol.");
  Line(out, "mailvault_connections_total", "protocol=\"imap\"", static_cast<double>(imap.connections_total.load()));
  Line(out, "mailvault_connections_total", "protocol=\"lmtp\"", static_cast<double>(lmtp.connections_total.load()));
  Help(out, "mailvault_connections_open", "gauge", "Connections open now, by protocol.");
  Line(out, "mailvault_connections_open", "protocol=\"imap\"", static_cast<double>(imap.connections_open.load()));
  Line(out, "mailvault_connections_open", "protocol=\"lmtp\"", static_cast<double>(lmtp.connections_open.load()));
  Help(out, "mailvault_imap_sessions", "gauge", "IMAP sessions logged in now.");
  Line(out, "mailvault_imap_sessions", "",
       static_cast<double>(imap_sessions != nullptr ? imap_sessions->total() : 0));
  Help(out, "mailvault_lmtp_deliveries_total", "counter",
       "Outcomes of LMTP deliveries, one per recipient, by reply code (a refusal at RCPT or "
       "the reply after DATA).");
  {
    std::lock_guard lock(deliveries_mutex_);
    for (const auto& [code, count] : deliveries_) {
      Line(out, "mailvault_lmtp_deliveries_total", "code=\"" + code + "\"", static_cast<double>(count));
    }
  }
  Help(out, "mailvault_sealed_bytes_total", "counter", "Plaintext bytes sealed on delivery.");
  Line(out, "mailvault_sealed_bytes_total", "", static_cast<double>(bytes_sealed_total.load()));
  Help(out, "mailvault_append_duration_seconds", "histogram",
       "Sealing and durably appending one delivered message.");
  append_seconds.Render("mailvault_append_duration_seconds", out);

  struct Figure {
    const char* name;
    const char* type;
    const char* help;
    uint64_t EngineStats::*field;
    double scale;
  };
  static constexpr Figure kFigures[] = {
      {"mailvault_rocksdb_stall_seconds_total", "counter", "Time writes were stalled.",
       &EngineStats::stall_micros, 1e-6},
      {"mailvault_rocksdb_write_stopped", "gauge", "1 while writes are stopped.",
       &EngineStats::write_stopped, 1},
      {"mailvault_rocksdb_needs_restart", "gauge",
       "1 after a storage error RocksDB cannot recover from while running (a failed WAL sync): "
       "writes are refused until mailvaultd is restarted.",
       &EngineStats::needs_restart, 1},
      {"mailvault_rocksdb_delayed_write_rate_bytes", "gauge", "Write rate while slowed down, else 0.",
       &EngineStats::delayed_write_rate, 1},
      {"mailvault_rocksdb_running_compactions", "gauge", "Compactions running now.",
       &EngineStats::running_compactions, 1},
      {"mailvault_rocksdb_pending_compaction_bytes", "gauge", "Estimated bytes compaction still has to rewrite.",
       &EngineStats::pending_compaction_bytes, 1},
      {"mailvault_rocksdb_compaction_read_bytes_total", "counter", "Bytes read by compactions.",
       &EngineStats::compaction_read_bytes, 1},
      {"mailvault_rocksdb_compaction_write_bytes_total", "counter", "Bytes written by compactions.",
       &EngineStats::compaction_write_bytes, 1},
      {"mailvault_rocksdb_live_sst_bytes", "gauge", "Size of the live SST files.",
       &EngineStats::live_sst_bytes, 1},
      {"mailvault_rocksdb_live_blob_bytes", "gauge", "Size of the live blob files (message bodies).",
       &EngineStats::live_blob_bytes, 1},
  };
  std::vector<std::pair<std::string, EngineStats>> stats;
  for (const std::string& region : shards.hosted()) {
    stats.emplace_back(region, shards.Find(region)->Stats());
  }
  for (const Figure& figure : kFigures) {
    Help(out, figure.name, figure.type, figure.help);
    for (const auto& [region, s] : stats) {
      Line(out, figure.name, "region=\"" + region + "\"",
           static_cast<double>(s.*figure.field) * figure.scale);
    }
  }
  return out;
}

}  // namespace mailvault
