#include "storage/rocksdb_status.h"

#include <rocksdb/utilities/checkpoint.h>

#include <memory>

#include <string>

namespace mailvault {

Status FromRocksStatus(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return Status::Ok();
  ErrorCode code = status.IsCorruption() ? ErrorCode::kCorruption
                   : status.IsNoSpace()  ? ErrorCode::kNoSpace
                                         : ErrorCode::kIOError;
  return Status(code, std::string(what) + ": " + status.ToString());
}

Status CreateCheckpoint(rocksdb::DB* db, const std::string& dir) {
  rocksdb::Checkpoint* raw = nullptr;
  MV_RETURN_IF_ERROR(FromRocksStatus(rocksdb::Checkpoint::Create(db, &raw), "checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocksStatus(checkpoint->CreateCheckpoint(dir), "checkpoint into " + dir);
}

}  // namespace mailvault
