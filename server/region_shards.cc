#include "server/region_shards.h"

#include <filesystem>

namespace mailvault {

Result<std::unique_ptr<RegionShards>> RegionShards::Open(const Config& config) {
  auto shards = std::make_unique<RegionShards>();
  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (config.etcd.endpoints.empty()) {
    MV_ASSIGN_OR_RETURN(shards->directory_, OpenEmbeddedDirectory(config.DirectoryPath()));
  } else {
    auto etcd = OpenEtcdDirectory(config.etcd);
    if (!etcd.ok()) {
      return Status(etcd.code(), "the directory in etcd: " + etcd.status().message());
    }
    shards->directory_ = std::move(etcd).value();
    shards->shared_directory_ = true;
  }
  for (const HostedRegion& region : config.regions) {
    std::filesystem::create_directories(region.data_dir, ec);
    ShardOptions options;
    options.path = region.data_dir;
    options.region = region.name;
    options.tombstone_window = config.tombstone_window;
    auto shard = RegionShard::Open(options);
    if (!shard.ok()) {
      return Status(shard.code(), "region " + region.name + " at " + region.data_dir + ": " +
                                      shard.status().message());
    }
    shards->shards_.emplace(region.name, std::move(shard).value());
  }
  shards->remote_ = config.remote_regions;
  return shards;
}

RegionShard* RegionShards::Find(std::string_view region) const {
  auto it = shards_.find(region);
  return it == shards_.end() ? nullptr : it->second.get();
}

const RemoteRegion* RegionShards::FindRemote(std::string_view region) const {
  for (const RemoteRegion& r : remote_) {
    if (r.name == region) return &r;
  }
  return nullptr;
}

std::vector<std::string> RegionShards::hosted() const {
  std::vector<std::string> names;
  for (const auto& [name, shard] : shards_) names.push_back(name);
  return names;
}

}  // namespace mailvault
