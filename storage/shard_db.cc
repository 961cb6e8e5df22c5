#include "storage/shard_db.h"

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>

#include <filesystem>
#include <vector>

#include "storage/info_log_file.h"
#include "storage/rocksdb_status.h"
#include "storage/shard_keys.h"
#include "storage/shard_records.h"

namespace mailvault {
namespace {

constexpr std::array<const char*, static_cast<size_t>(Cf::kCount)> kFamilyNames = {
    "default",  // rocksdb::kDefaultColumnFamilyName
    "accounts", "keys", "mailboxes", "index", "bodies", "blobmeta", "wraps", "logs", "credentials",
    "changes", "subscriptions",
};

// Shard metadata in the default family.
constexpr std::string_view kRegionKey = "shard/region";

rocksdb::ColumnFamilyOptions FamilyOptions(Cf family, const ShardOptions& options,
                                           const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions cf;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  // Almost every read is a point get (mailbox record, blobmeta, wrap, key):
  // a bloom filter saves a block read for each absent key.
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  cf.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  cf.level_compaction_dynamic_level_bytes = true;

  switch (family) {
    case Cf::kBodies:
      // Sealed bodies are large and written once: integrated BlobDB keeps them
      // out of the LSM tree, so compactions move only small blob references.
      cf.enable_blob_files = true;
      cf.min_blob_size = options.min_blob_size;
      cf.enable_blob_garbage_collection = true;
      // Ciphertext does not compress; trying would only cost CPU.
      cf.blob_compression_type = rocksdb::kNoCompression;
      cf.compression = rocksdb::kNoCompression;
      break;
    case Cf::kWraps:
    case Cf::kBlobMeta:
      // Wraps and sealed summaries are ciphertext too.
      cf.compression = rocksdb::kNoCompression;
      break;
    default:
      cf.compression = rocksdb::kLZ4Compression;
      break;
  }
  return cf;
}

}  // namespace

RangeIterator::RangeIterator(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* cf, std::string lower,
                             std::string upper)
    : lower_(std::move(lower)),
      upper_(std::move(upper)),
      lower_slice_(lower_),
      upper_slice_(upper_) {
  rocksdb::ReadOptions read_options;
  read_options.iterate_lower_bound = &lower_slice_;
  // An empty upper bound means "to the end of the family".
  if (!upper_.empty()) read_options.iterate_upper_bound = &upper_slice_;
  iterator_.reset(db->NewIterator(read_options, cf));
  iterator_->Seek(lower_slice_);
}

Status RangeIterator::status() const { return FromRocksStatus(iterator_->status(), "scan"); }

Result<std::unique_ptr<ShardDb>> ShardDb::Open(const ShardOptions& options) {
  if (options.path.empty()) return Status(ErrorCode::kInvalidArgument, "shard path is empty");
  if (options.region.empty()) return Status(ErrorCode::kInvalidArgument, "shard region is empty");

  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  // A synced write is never lost; recovery stops at the first torn record of
  // the WAL tail, which can only hold writes that were not acknowledged.
  db_options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  db_options.max_background_jobs = 2;
  db_options.bytes_per_sync = 1 << 20;
  db_options.keep_log_file_num = 5;
  // RocksDB's own info-log writer aborts on a full disk (info_log_file.h).
  if (options.create_if_missing || std::filesystem::is_directory(options.path)) {
    MV_ASSIGN_OR_RETURN(db_options.info_log, OpenInfoLogFile(options.path));
  }
  // Tickers only (no timers): stall time and compaction bytes for metrics.
  auto statistics = rocksdb::CreateDBStatistics();
  statistics->set_stats_level(rocksdb::StatsLevel::kExceptTimers);
  db_options.statistics = statistics;
  auto unrecoverable = std::make_shared<UnrecoverableErrorWatch>();
  db_options.listeners.push_back(unrecoverable);

  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (size_t i = 0; i < kFamilyNames.size(); ++i) {
    families.emplace_back(kFamilyNames[i], FamilyOptions(static_cast<Cf>(i), options, cache));
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(db_options, options.path, families, &handles, &raw);
  if (!status.ok()) return FromRocksStatus(status, "opening shard at " + options.path);

  std::unique_ptr<ShardDb> shard(new ShardDb());
  shard->db_.reset(raw);
  shard->statistics_ = std::move(statistics);
  shard->unrecoverable_ = std::move(unrecoverable);
  for (size_t i = 0; i < handles.size(); ++i) shard->handles_[i] = handles[i];
  MV_RETURN_IF_ERROR(shard->CheckRegion(options.region));
  return shard;
}

ShardDb::~ShardDb() {
  if (!db_) return;
  for (rocksdb::ColumnFamilyHandle* handle : handles_) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle).PermitUncheckedError();
  }
  // Every acknowledged write is already in the synced WAL, so a failed close
  // loses nothing; there is nobody to report it to from a destructor.
  db_->Close().PermitUncheckedError();
}

Status ShardDb::CheckRegion(const std::string& region) {
  MV_ASSIGN_OR_RETURN(std::optional<std::string> stored, Get(Cf::kDefault, kRegionKey));
  if (!stored.has_value()) {
    // A new shard: remember which region it serves, so that it can never be
    // reopened as another region's shard by a configuration mistake.
    rocksdb::WriteBatch batch;
    std::string value(1, static_cast<char>(shard_records::kVersion1));
    value.append(region);
    batch.Put(cf(Cf::kDefault), kRegionKey, value);
    return Commit(&batch);
  }
  if (stored->empty() || static_cast<uint8_t>((*stored)[0]) != shard_records::kVersion1) {
    return Status(ErrorCode::kCorruption, "shard region record does not decode");
  }
  std::string_view stored_region = std::string_view(*stored).substr(1);
  if (stored_region != region) {
    return Status(ErrorCode::kWrongRegion,
                  "shard serves region " + std::string(stored_region) + ", not " + region);
  }
  return Status::Ok();
}

Result<std::optional<std::string>> ShardDb::Get(Cf family, std::string_view key) {
  std::string value;
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), cf(family), key, &value);
  if (status.IsNotFound()) return std::optional<std::string>();
  if (!status.ok()) return FromRocksStatus(status, "read");
  return std::optional<std::string>(std::move(value));
}

Result<bool> ShardDb::GetPinned(Cf family, std::string_view key, rocksdb::PinnableSlice* value) {
  rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), cf(family), key, value);
  if (status.IsNotFound()) return false;
  if (!status.ok()) return FromRocksStatus(status, "read");
  return true;
}

RangeIterator ShardDb::Scan(Cf family, std::string lower, std::string upper) {
  return RangeIterator(db_.get(), cf(family), std::move(lower), std::move(upper));
}

RangeIterator ShardDb::ScanPrefix(Cf family, std::string_view prefix) {
  return Scan(family, std::string(prefix), shard_keys::PrefixSuccessor(prefix));
}

Status ShardDb::Commit(rocksdb::WriteBatch* batch) {
  rocksdb::WriteOptions write_options;
  // The acknowledgement contract: fsync the WAL before returning. disableWAL
  // and manual_wal_flush are never used anywhere in the shard.
  write_options.sync = true;
  return FromRocksStatus(db_->Write(write_options, batch), "write");
}

namespace {

rocksdb::CompactRangeOptions ForcedCompaction(Cf family) {
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  if (family == Cf::kBodies) {
    compact.blob_garbage_collection_policy = rocksdb::BlobGarbageCollectionPolicy::kForce;
    compact.blob_garbage_collection_age_cutoff = 1.0;
  }
  return compact;
}

}  // namespace

Status ShardDb::CompactRange(Cf family, std::string_view begin, std::string_view end) {
  rocksdb::Slice begin_slice(begin);
  rocksdb::Slice end_slice(end);
  return FromRocksStatus(
      db_->CompactRange(ForcedCompaction(family), cf(family), &begin_slice, &end_slice),
      "compaction");
}

Status ShardDb::CompactAll(Cf family) {
  return FromRocksStatus(
      db_->CompactRange(ForcedCompaction(family), cf(family), nullptr, nullptr), "compaction");
}

Status ShardDb::FlushAll() {
  rocksdb::FlushOptions options;
  options.wait = true;
  std::vector<rocksdb::ColumnFamilyHandle*> all(handles_.begin(), handles_.end());
  return FromRocksStatus(db_->Flush(options, all), "flush");
}

EngineStats ShardDb::Stats() {
  EngineStats stats;
  auto property = [&](const std::string& name) {
    uint64_t value = 0;
    // Summed over the column families (bodies and index compact separately).
    for (rocksdb::ColumnFamilyHandle* handle : handles_) {
      uint64_t one = 0;
      if (db_->GetIntProperty(handle, name, &one)) value += one;
    }
    return value;
  };
  stats.running_compactions = [&] {
    uint64_t value = 0;
    db_->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &value);
    return value;
  }();
  stats.write_stopped = [&] {
    uint64_t value = 0;
    db_->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &value);
    return value;
  }();
  stats.needs_restart = unrecoverable_->seen() ? 1 : 0;
  stats.delayed_write_rate = [&] {
    uint64_t value = 0;
    db_->GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate, &value);
    return value;
  }();
  stats.pending_compaction_bytes = property(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  stats.live_sst_bytes = property(rocksdb::DB::Properties::kLiveSstFilesSize);
  stats.live_blob_bytes = property(rocksdb::DB::Properties::kLiveBlobFileSize);
  stats.stall_micros = statistics_->getTickerCount(rocksdb::STALL_MICROS);
  stats.compaction_read_bytes = statistics_->getTickerCount(rocksdb::COMPACT_READ_BYTES);
  stats.compaction_write_bytes = statistics_->getTickerCount(rocksdb::COMPACT_WRITE_BYTES);
  return stats;
}

}  // namespace mailvault
