// Notices when RocksDB stops writes for good. A failed WAL sync is an error
// RocksDB 7.8 cannot recover from in a running instance (DB::Resume refuses
// it; its maintainers: "any failure in WAL sync is considered
// non-recoverable"): the shard then refuses every write until mailvaultd is
// restarted. This makes that state visible, in /healthz and the metrics,
// so that monitoring can tell an operator, or restart the service, instead
// of mail waiting in MTA queues until someone notices (docs/STORAGE.md).
#pragma once

#include <rocksdb/listener.h>

#include <atomic>

namespace mailvault {

class UnrecoverableErrorWatch : public rocksdb::EventListener {
 public:
  void OnBackgroundError(rocksdb::BackgroundErrorReason /*reason*/,
                         rocksdb::Status* error) override {
    if (error != nullptr && error->severity() >= rocksdb::Status::Severity::kFatalError) {
      seen_.store(true, std::memory_order_relaxed);
    }
  }

  bool seen() const { return seen_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> seen_{false};
};

}  // namespace mailvault
