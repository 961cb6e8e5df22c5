#include "storage/rocksdb_status.h"

#include <string>

namespace mailvault {

Status FromRocksStatus(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return Status::Ok();
  ErrorCode code = status.IsCorruption() ? ErrorCode::kCorruption : ErrorCode::kIOError;
  return Status(code, std::string(what) + ": " + status.ToString());
}

}  // namespace mailvault
