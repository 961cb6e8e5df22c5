// The region shards this node hosts, opened at start-up, and where the other
// regions are served.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/config.h"
#include "storage/directory.h"
#include "storage/region_shard.h"

namespace mailvault {

class RegionShards {
 public:
  static Result<std::unique_ptr<RegionShards>> Open(const Config& config);

  // nullptr when the region is not hosted here.
  RegionShard* Find(std::string_view region) const;
  // The referral URL for a region hosted elsewhere, or nullptr.
  const RemoteRegion* FindRemote(std::string_view region) const;
  Directory& directory() const { return *directory_; }
  // Whether the directory is shared with other nodes (etcd).
  bool shared_directory() const { return shared_directory_; }
  std::vector<std::string> hosted() const;

 private:
  std::map<std::string, std::unique_ptr<RegionShard>, std::less<>> shards_;
  std::vector<RemoteRegion> remote_;
  std::unique_ptr<Directory> directory_;
  bool shared_directory_ = false;
};

}  // namespace mailvault
