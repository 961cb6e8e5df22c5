// The RocksDB instance behind one RegionShard: its column families, the
// options that make an acknowledged write durable, and small typed helpers for
// point reads, range scans and synced batch writes.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/region_shard.h"
#include "storage/unrecoverable_error_watch.h"

namespace mailvault {

// Column families, in the order they are opened. kDefault holds the shard's
// own metadata (its region, the next account number).
enum class Cf : size_t {
  kDefault = 0,
  kAccounts,
  kKeys,
  kMailboxes,
  kIndex,
  kBodies,
  kBlobMeta,
  kWraps,
  kLogs,
  kCredentials,
  kChanges,
  kSubscriptions,
  kCount,
};

// A forward iteration over [lower, upper) of one column family. It owns its
// bounds, which RocksDB only borrows by address: hence neither copyable nor
// movable (ShardDb::Scan returns it by guaranteed copy elision).
class RangeIterator {
 public:
  RangeIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string lower,
                std::string upper);
  RangeIterator(const RangeIterator&) = delete;
  RangeIterator& operator=(const RangeIterator&) = delete;

  bool Valid() const { return iterator_->Valid(); }
  void Next() { iterator_->Next(); }
  std::string_view key() const { return iterator_->key().ToStringView(); }
  std::string_view value() const { return iterator_->value().ToStringView(); }
  // To be checked once the loop ends: Valid() is also false after an error.
  Status status() const;

 private:
  std::string lower_;
  std::string upper_;
  rocksdb::Slice lower_slice_;
  rocksdb::Slice upper_slice_;
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

class ShardDb {
 public:
  // Opens (or creates) the instance at options.path with every column family,
  // and checks that an existing shard belongs to options.region.
  static Result<std::unique_ptr<ShardDb>> Open(const ShardOptions& options);
  ~ShardDb();
  ShardDb(const ShardDb&) = delete;
  ShardDb& operator=(const ShardDb&) = delete;

  rocksdb::DB* db() { return db_.get(); }
  rocksdb::ColumnFamilyHandle* cf(Cf family) { return handles_[static_cast<size_t>(family)]; }

  // The value at `key`, or nullopt if there is none.
  Result<std::optional<std::string>> Get(Cf family, std::string_view key);
  // Like Get, but leaves the value pinned in RocksDB's buffers: for bodies,
  // which can be large and are copied once more by the caller anyway.
  Result<bool> GetPinned(Cf family, std::string_view key, rocksdb::PinnableSlice* value);
  RangeIterator Scan(Cf family, std::string lower, std::string upper);
  // Every key starting with `prefix`.
  RangeIterator ScanPrefix(Cf family, std::string_view prefix);

  // Writes the batch with a synced WAL: when this returns ok the batch
  // survives a crash of the process or the machine. Concurrent callers share
  // one WAL write and one fsync (RocksDB's group commit).
  Status Commit(rocksdb::WriteBatch* batch);

  // The engine's own figures, for monitoring (RocksDB properties and
  // statistics tickers).
  EngineStats Stats();

  // Compacts [begin, end) of one family down to the bottom level, so that
  // deleted values are dropped from the files rather than only shadowed.
  // For the bodies family, the blob files the range touches are
  // garbage-collected as well.
  Status CompactRange(Cf family, std::string_view begin, std::string_view end);
  // The whole family (the bodies: a blob file holds many accounts' bodies,
  // so only rewriting all of them frees the deleted ones' space).
  Status CompactAll(Cf family);
  // Writes every memtable to SST files, so the WAL segments that held the
  // deleted values become obsolete and are removed.
  Status FlushAll();

 private:
  ShardDb() = default;
  Status CheckRegion(const std::string& region);

  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> statistics_;
  std::shared_ptr<UnrecoverableErrorWatch> unrecoverable_;
  std::array<rocksdb::ColumnFamilyHandle*, static_cast<size_t>(Cf::kCount)> handles_{};
};

}  // namespace mailvault
