// The Directory maps an account to its home region. One node embeds it in a
// RocksDB instance of its own (EmbeddedDirectory); a multi-node deployment
// implements the same interface over etcd (docs/OPERATIONS.md, later).
#pragma once

#include <memory>
#include <optional>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mailvault {

struct Placement {
  std::string account_id;
  std::string home_region;
};

class Directory {
 public:
  virtual ~Directory() = default;
  // kNotFound for an unknown account.
  virtual Result<Placement> Lookup(std::string_view account_id) = 0;
  // Creates or updates the placement (synced).
  virtual Status Place(std::string_view account_id, std::string_view home_region) = 0;
  virtual Status Remove(std::string_view account_id) = 0;
  // Placements in account order, starting after `after` (exclusive), at most
  // `limit`: paging, because a directory may hold millions of accounts.
  virtual Result<std::vector<Placement>> List(std::string_view after, size_t limit) = 0;
  // A consistent copy for `mailvault-admin backup`; a directory kept
  // elsewhere (etcd) is backed up by its own tools.
  virtual Status Checkpoint(const std::string& /*dir*/) {
    return Status(ErrorCode::kInvalidArgument, "this directory is backed up by its own tools");
  }
};

// Calls `visit` for every placement, in account order, a page at a time;
// stops at the first error, of the directory's or `visit`'s.
Status ForEachPlacement(Directory& directory,
                        const std::function<Status(const Placement&)>& visit);

// A Directory in a RocksDB instance at `path` (not a shard's instance).
Result<std::unique_ptr<Directory>> OpenEmbeddedDirectory(const std::string& path);

}  // namespace mailvault
