// The Directory maps an account to its home region. One node embeds it in a
// RocksDB instance of its own (EmbeddedDirectory); nodes that share it keep
// it in etcd (EtcdDirectory, docs/OPERATIONS.md).
#pragma once

#include <chrono>
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
  // As Lookup, but a directory kept elsewhere may answer from a cache of
  // recent answers. For the hot paths (every delivery and login), which
  // check the answer against the shard and ask Lookup again before any
  // refusal, so a stale answer only ever delays (a 4xx), never misdirects.
  virtual Result<Placement> LookupRecent(std::string_view account_id) {
    return Lookup(account_id);
  }
  // Creates or updates the placement (synced).
  virtual Status Place(std::string_view account_id, std::string_view home_region) = 0;
  virtual Status Remove(std::string_view account_id) = 0;
  // Re-homes the account only while it is still placed in `from_region`, as
  // one compare-and-set: two nodes can never both move it. kNotFound for an
  // unknown account, kWrongRegion (message = its region) when it is placed
  // elsewhere.
  virtual Status Rehome(std::string_view account_id, std::string_view from_region,
                        std::string_view to_region) = 0;
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

// Where the shared Directory lives in etcd, and how to reach it.
struct EtcdOptions {
  // Members of one etcd cluster, tried in turn when one cannot be reached:
  // "http://127.0.0.1:2379", "https://etcd1:2379", or "127.0.0.1:2379" (http).
  std::vector<std::string> endpoints;
  // Keys are `<prefix>accounts/<account id>`; deployments sharing one etcd
  // keep apart by prefix.
  std::string prefix = "/mailvault/";
  // PEM CAs for https endpoints (the chain and the host name are verified);
  // empty means the system's CAs.
  std::string ca_file;
  // A client certificate for etcd's --client-cert-auth: both or neither.
  std::string client_cert_file;
  std::string client_key_file;
  // Bounds each attempt on one endpoint (connect, TLS, write, read), so an
  // etcd that is down or silent gives kUnavailable instead of a hang.
  std::chrono::milliseconds timeout{5000};
  // How long LookupRecent may answer from this node's cache (0: never). A
  // lookup through etcd's gateway costs it ~0.6 ms of CPU
  // (docs/PERFORMANCE.md); changes made through this node are seen at once.
  std::chrono::milliseconds cache_ttl{5000};
};
// Checks that etcd answers (one range request) before returning.
Result<std::unique_ptr<Directory>> OpenEtcdDirectory(const EtcdOptions& options);

}  // namespace mailvault
