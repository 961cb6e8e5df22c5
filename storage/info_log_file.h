// RocksDB's info log (the LOG file in an instance's directory) written with
// plain write(2), for RocksDB 7.8 as Debian builds it. Its own logger
// (EnvLogger) aborts the process on the line after a failed write when
// assertions are compiled in, and Debian's librocksdb has them: a full disk
// would take mailvaultd down instead of refusing writes. This one drops a
// line it cannot write and tries the next.
#pragma once

#include <rocksdb/env.h>

#include <memory>
#include <string>

#include "common/status.h"

namespace mailvault {

// Creates `dir` if needed and opens `dir`/LOG for appending, after moving a
// previous LOG to LOG.old (one generation is kept, replacing RocksDB's own
// rotation at open).
Result<std::shared_ptr<rocksdb::Logger>> OpenInfoLogFile(const std::string& dir);

}  // namespace mailvault
