// EtcdDirectory: the Directory shared by several mailvaultd nodes, in etcd.
// It answers exactly as EmbeddedDirectory does (same validation, same codes);
// only where the placements live differs.
//
// Layout: key = `<prefix>accounts/<account id>`, value = the home region
// bytes. etcd orders keys bytewise, which is the order List pages through.
#include <chrono>
#include <limits>
#include <map>
#include <mutex>

#include "common/base64.h"
#include "storage/directory.h"
#include "storage/etcd_client.h"
#include "storage/shard_validation.h"

namespace mailvault {
namespace {

using json = nlohmann::json;
using Replay = EtcdClient::Replay;

// The smallest key after every key that starts with `prefix` (etcd's
// "prefix end", as etcdctl --prefix computes it).
std::string PrefixEnd(std::string prefix) {
  while (!prefix.empty()) {
    const auto last = static_cast<unsigned char>(prefix.back());
    if (last < 0xff) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');  // to etcd: every key from `key` on
}

Status NoPlacement(std::string_view account_id) {
  return Status(ErrorCode::kNotFound, "no placement for " + std::string(account_id));
}

Result<Placement> DecodePlacement(std::string_view account_id, std::string value) {
  if (value.empty()) {
    return Status(ErrorCode::kCorruption,
                  "placement of " + std::string(account_id) + " does not decode");
  }
  return Placement{std::string(account_id), std::move(value)};
}

// The placement in a range answer's "kvs", if there is one.
Result<std::optional<Placement>> SinglePlacement(std::string_view account_id,
                                                 const json& range_answer) {
  const json& kvs = EtcdArrayField(range_answer, "kvs");
  if (kvs.empty()) return std::optional<Placement>();
  MV_ASSIGN_OR_RETURN(std::string value, EtcdBytesField(kvs.front(), "value"));
  MV_ASSIGN_OR_RETURN(Placement placement, DecodePlacement(account_id, std::move(value)));
  return std::optional<Placement>(std::move(placement));
}

class EtcdDirectory final : public Directory {
 public:
  EtcdDirectory(std::unique_ptr<EtcdClient> client, const std::string& prefix,
                std::chrono::milliseconds cache_ttl)
      : client_(std::move(client)),
        accounts_(prefix + "accounts/"),
        accounts_end_(PrefixEnd(accounts_)),
        cache_ttl_(cache_ttl) {}

  // One cheap read, so a wrong endpoint or certificate shows at start-up.
  Status Probe() {
    return client_->Call("/v3/kv/range", {{"key", EncodeBase64(accounts_)}}, Replay::kSafe).status();
  }

  Result<Placement> Lookup(std::string_view account_id) override {
    MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
    MV_ASSIGN_OR_RETURN(json answer,
                        client_->Call("/v3/kv/range", {{"key", Key(account_id)}}, Replay::kSafe));
    MV_ASSIGN_OR_RETURN(std::optional<Placement> placement, SinglePlacement(account_id, answer));
    if (!placement) {
      Forget(account_id);
      return NoPlacement(account_id);
    }
    Remember(account_id, placement->home_region);
    return std::move(*placement);
  }

  Result<Placement> LookupRecent(std::string_view account_id) override {
    {
      std::lock_guard<std::mutex> lock(cache_mutex_);
      auto it = cache_.find(account_id);
      if (it != cache_.end() && it->second.expires > Clock::now()) {
        return Placement{std::string(account_id), it->second.region};
      }
    }
    return Lookup(account_id);
  }

  Status Place(std::string_view account_id, std::string_view home_region) override {
    MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
    MV_RETURN_IF_ERROR(ValidateRegion(home_region));
    // Sending the same put again cannot change the outcome, so a lost answer
    // may be retried on another member.
    const json request = {{"key", Key(account_id)}, {"value", EncodeBase64(home_region)}};
    Forget(account_id);
    MV_RETURN_IF_ERROR(client_->Call("/v3/kv/put", request, Replay::kSafe).status());
    Remember(account_id, home_region);
    return Status::Ok();
  }

  Status Remove(std::string_view account_id) override {
    MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
    // One request both checks and deletes: "deleted" is 0 (left out) when
    // there was nothing.
    Forget(account_id);
    MV_ASSIGN_OR_RETURN(json answer, client_->Call("/v3/kv/deleterange", {{"key", Key(account_id)}},
                                                   Replay::kUnsafe));
    MV_ASSIGN_OR_RETURN(int64_t deleted, EtcdInt64Field(answer, "deleted"));
    if (deleted == 0) return NoPlacement(account_id);
    return Status::Ok();
  }

  Status Rehome(std::string_view account_id, std::string_view from_region,
                std::string_view to_region) override {
    MV_RETURN_IF_ERROR(ValidateRegion(to_region));
    MV_RETURN_IF_ERROR(ValidateAccountId(account_id));
    if (from_region.empty()) {
      // No placement has an empty region; a compare against "" would match
      // a corrupt one, which the embedded directory reports as corruption.
      MV_ASSIGN_OR_RETURN(Placement current, Lookup(account_id));
      return Status(ErrorCode::kWrongRegion, current.home_region);
    }
    // One transaction: put when the value is still `from_region`, otherwise
    // read it, so the answer says which case it was (etcd fails a VALUE
    // compare on a missing key) without a second, racing request.
    const std::string key = Key(account_id);
    json compares = json::array();
    compares.push_back({{"key", key},
                        {"target", "VALUE"},
                        {"result", "EQUAL"},
                        {"value", EncodeBase64(from_region)}});
    json success = json::array();
    success.push_back({{"request_put", {{"key", key}, {"value", EncodeBase64(to_region)}}}});
    json failure = json::array();
    failure.push_back({{"request_range", {{"key", key}}}});
    json request = json::object();
    request["compare"] = std::move(compares);
    request["success"] = std::move(success);
    request["failure"] = std::move(failure);

    Forget(account_id);
    MV_ASSIGN_OR_RETURN(json answer, client_->Call("/v3/kv/txn", request, Replay::kUnsafe));
    if (EtcdBoolField(answer, "succeeded")) {  // left out when false
      Remember(account_id, to_region);
      return Status::Ok();
    }
    const json& responses = EtcdArrayField(answer, "responses");
    if (responses.empty()) {
      return Status(ErrorCode::kIOError, "etcd's answer to a failed re-home has no read-back");
    }
    MV_ASSIGN_OR_RETURN(
        std::optional<Placement> current,
        SinglePlacement(account_id, EtcdObjectField(responses.front(), "response_range")));
    if (!current) return NoPlacement(account_id);
    return Status(ErrorCode::kWrongRegion, current->home_region);
  }

  Result<std::vector<Placement>> List(std::string_view after, size_t limit) override {
    std::vector<Placement> placements;
    // etcd reads limit 0 as "no limit".
    if (limit == 0) return placements;
    // The first key after `after` itself is `after` followed by a NUL byte.
    const std::string start =
        after.empty() ? accounts_ : accounts_ + std::string(after) + std::string(1, '\0');
    const auto max = static_cast<size_t>(std::numeric_limits<int64_t>::max());
    const json request = {{"key", EncodeBase64(start)},
                          {"range_end", EncodeBase64(accounts_end_)},
                          {"limit", std::to_string(std::min(limit, max))},
                          {"sort_order", "ASCEND"},
                          {"sort_target", "KEY"}};
    MV_ASSIGN_OR_RETURN(json answer, client_->Call("/v3/kv/range", request, Replay::kSafe));
    const json& kvs = EtcdArrayField(answer, "kvs");
    placements.reserve(std::min(kvs.size(), limit));
    for (const json& kv : kvs) {
      if (placements.size() == limit) break;
      MV_ASSIGN_OR_RETURN(std::string key, EtcdBytesField(kv, "key"));
      if (!key.starts_with(accounts_)) {
        return Status(ErrorCode::kIOError, "etcd listed a key outside the directory's range");
      }
      MV_ASSIGN_OR_RETURN(std::string value, EtcdBytesField(kv, "value"));
      MV_ASSIGN_OR_RETURN(Placement placement,
                          DecodePlacement(key.substr(accounts_.size()), std::move(value)));
      placements.push_back(std::move(placement));
    }
    return placements;
  }

 private:
  std::string Key(std::string_view account_id) const {
    return EncodeBase64(accounts_ + std::string(account_id));
  }

  using Clock = std::chrono::steady_clock;
  // Bounds the cache's memory; emptied when full (cheaper than an LRU, and
  // it refills at the rate of lookups).
  static constexpr size_t kMaxCached = 200000;

  void Remember(std::string_view account_id, std::string_view region) {
    if (cache_ttl_.count() <= 0) return;
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_.insert_or_assign(std::string(account_id),
                            Cached{std::string(region), Clock::now() + cache_ttl_});
  }

  void Forget(std::string_view account_id) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    auto it = cache_.find(account_id);
    if (it != cache_.end()) cache_.erase(it);
  }

  std::unique_ptr<EtcdClient> client_;
  const std::string accounts_;      // <prefix>accounts/
  const std::string accounts_end_;  // PrefixEnd(accounts_)
  const std::chrono::milliseconds cache_ttl_;

  struct Cached {
    std::string region;
    Clock::time_point expires;
  };
  std::mutex cache_mutex_;
  std::map<std::string, Cached, std::less<>> cache_;  // guarded by cache_mutex_
};

}  // namespace

Result<std::unique_ptr<Directory>> OpenEtcdDirectory(const EtcdOptions& options) {
  MV_ASSIGN_OR_RETURN(std::unique_ptr<EtcdClient> client, EtcdClient::Create(options));
  auto directory =
      std::make_unique<EtcdDirectory>(std::move(client), options.prefix, options.cache_ttl);
  MV_RETURN_IF_ERROR(directory->Probe());
  return std::unique_ptr<Directory>(std::move(directory));
}

}  // namespace mailvault
