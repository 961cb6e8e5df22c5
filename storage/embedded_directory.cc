// EmbeddedDirectory: the Directory of a single node, in a RocksDB instance of
// its own (never a shard's: the directory spans regions, a shard does not).
//
// Layout (default column family): key = account id bytes; value = version
// byte (1) then the home region bytes. Account ids sort bytewise, which is the
// order List pages through.
#include <rocksdb/db.h>
#include <rocksdb/options.h>

#include <mutex>

#include "storage/directory.h"
#include "storage/info_log_file.h"
#include "storage/rocksdb_status.h"
#include "storage/shard_validation.h"

namespace mailvault {
namespace {

constexpr char kPlacementVersion = 1;

Result<Placement> DecodePlacement(std::string_view account_id, std::string_view value) {
  if (value.empty() || value[0] != kPlacementVersion || value.size() == 1) {
    return Status(ErrorCode::kCorruption,
                  "placement of " + std::string(account_id) + " does not decode");
  }
  return Placement{std::string(account_id), std::string(value.substr(1))};
}

class EmbeddedDirectory final : public Directory {
 public:
  explicit EmbeddedDirectory(std::unique_ptr<rocksdb::DB> db) : db_(std::move(db)) {}

  Status Checkpoint(const std::string& dir) override { return CreateCheckpoint(db_.get(), dir); }
  ~EmbeddedDirectory() override {
    // Every acknowledged change is in the synced WAL already.
    db_->Close().PermitUncheckedError();
  }

  Result<Placement> Lookup(std::string_view account_id) override {
    MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
    std::string value;
    rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), account_id, &value);
    if (status.IsNotFound()) {
      return Status(ErrorCode::kNotFound, "no placement for " + std::string(account_id));
    }
    MV_RETURN_IF_ERROR(FromRocksStatus(status, "directory read"));
    return DecodePlacement(account_id, value);
  }

  Status Place(std::string_view account_id, std::string_view home_region) override {
    MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
    MV_RETURN_IF_ERROR(ValidateRegion(home_region));
    std::string value(1, kPlacementVersion);
    value.append(home_region);
    std::lock_guard<std::mutex> lock(mutex_);
    return FromRocksStatus(db_->Put(SyncedWrite(), account_id, value), "directory write");
  }

  Status Remove(std::string_view account_id) override {
    MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
    // The lock makes "is it there" and the delete one step against Place.
    std::lock_guard<std::mutex> lock(mutex_);
    std::string value;
    rocksdb::Status status = db_->Get(rocksdb::ReadOptions(), account_id, &value);
    if (status.IsNotFound()) {
      return Status(ErrorCode::kNotFound, "no placement for " + std::string(account_id));
    }
    MV_RETURN_IF_ERROR(FromRocksStatus(status, "directory read"));
    return FromRocksStatus(db_->Delete(SyncedWrite(), account_id), "directory write");
  }

  Status Rehome(std::string_view account_id, std::string_view from_region,
                std::string_view to_region) override {
    MV_RETURN_IF_ERROR(ValidateRegion(to_region));
    std::lock_guard<std::mutex> lock(mutex_);
    MV_ASSIGN_OR_RETURN(Placement current, Lookup(account_id));
    if (current.home_region != from_region) {
      return Status(ErrorCode::kWrongRegion, current.home_region);
    }
    std::string value(1, kPlacementVersion);
    value.append(to_region);
    return FromRocksStatus(db_->Put(SyncedWrite(), account_id, value), "directory write");
  }

  Result<std::vector<Placement>> List(std::string_view after, size_t limit) override {
    std::vector<Placement> placements;
    if (limit == 0) return placements;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->Seek(after);
    if (it->Valid() && it->key().ToStringView() == after) it->Next();
    for (; it->Valid() && placements.size() < limit; it->Next()) {
      MV_ASSIGN_OR_RETURN(Placement placement,
                          DecodePlacement(it->key().ToStringView(), it->value().ToStringView()));
      placements.push_back(std::move(placement));
    }
    MV_RETURN_IF_ERROR(FromRocksStatus(it->status(), "directory scan"));
    return placements;
  }

 private:
  static rocksdb::WriteOptions SyncedWrite() {
    rocksdb::WriteOptions options;
    options.sync = true;
    return options;
  }

  std::unique_ptr<rocksdb::DB> db_;
  std::mutex mutex_;
};

}  // namespace

Result<std::unique_ptr<Directory>> OpenEmbeddedDirectory(const std::string& path) {
  if (path.empty()) return Status(ErrorCode::kInvalidArgument, "directory path is empty");
  rocksdb::Options options;
  options.create_if_missing = true;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  options.keep_log_file_num = 5;
  // RocksDB's own info-log writer aborts on a full disk (info_log_file.h).
  MV_ASSIGN_OR_RETURN(options.info_log, OpenInfoLogFile(path));
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(options, path, &raw);
  if (!status.ok()) return FromRocksStatus(status, "opening directory at " + path);
  return std::unique_ptr<Directory>(
      std::make_unique<EmbeddedDirectory>(std::unique_ptr<rocksdb::DB>(raw)));
}

Status ForEachPlacement(Directory& directory,
                        const std::function<Status(const Placement&)>& visit) {
  constexpr size_t kPage = 1000;
  std::string after;
  for (;;) {
    MV_ASSIGN_OR_RETURN(auto page, directory.List(after, kPage));
    for (const Placement& placement : page) MV_RETURN_IF_ERROR(visit(placement));
    if (page.size() < kPage) return Status::Ok();
    after = page.back().account_id;
  }
}

}  // namespace mailvault
