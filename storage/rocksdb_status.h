// Translation of RocksDB's Status into mailvault's. Kept in one place so that
// every caller maps the same way and none of them forgets the message.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/status.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault {

// kCorruption for a corruption RocksDB detected, kNoSpace for a full file
// system (ENOSPC, also while the engine stays stopped by one), kIOError for
// everything else; the message is "<what>: <RocksDB's message>". RocksDB's messages name
// files and keys' positions, never values, so no body or summary can leak.
Status FromRocksStatus(const rocksdb::Status& status, std::string_view what);

// A consistent, hot copy of the instance in `dir` (which must not exist):
// RocksDB's Checkpoint, hard links where the file system allows.
Status CreateCheckpoint(rocksdb::DB* db, const std::string& dir);

}  // namespace mailvault
