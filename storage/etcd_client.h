// EtcdClient: blocking calls to etcd's v3 API through its gRPC JSON gateway
// (POST /v3/kv/range and friends, HTTP/1.1, plain or TLS). Storage threads
// call it directly, so every attempt has a deadline and nothing throws.
//
// Idle keep-alive connections wait in a small pool per endpoint, so callers
// on several threads neither share one connection nor reconnect each time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/directory.h"

namespace mailvault {

class EtcdConnection;
struct EtcdEndpoint;
class EtcdTls;

class EtcdClient {
 public:
  // kInvalidArgument for an endpoint that does not parse or a TLS file that
  // does not load. Connects lazily.
  static Result<std::unique_ptr<EtcdClient>> Create(const EtcdOptions& options);
  ~EtcdClient();
  EtcdClient(const EtcdClient&) = delete;
  EtcdClient& operator=(const EtcdClient&) = delete;

  // Whether a request may be sent twice. A read may; a write whose answer was
  // lost must not be, or a compare-and-set would report its own success as a
  // conflict and a delete as "not found".
  enum class Replay { kSafe, kUnsafe };

  // POSTs `request` to `path` (e.g. "/v3/kv/range") and returns etcd's JSON
  // answer. kUnavailable when no endpoint can be reached in time (or the
  // cluster says it is unavailable), kIOError when etcd refuses the request.
  Result<nlohmann::json> Call(std::string_view path, const nlohmann::json& request, Replay replay);

 private:
  EtcdClient(std::vector<EtcdEndpoint> endpoints, std::unique_ptr<EtcdTls> tls,
             std::chrono::milliseconds timeout);

  Result<nlohmann::json> CallEndpoint(size_t index, const std::string& path,
                                      const std::string& body, Replay replay, bool& try_next);
  std::unique_ptr<EtcdConnection> TakeIdle(size_t index);
  void ReturnIdle(size_t index, std::unique_ptr<EtcdConnection> connection);

  std::vector<EtcdEndpoint> endpoints_;
  std::unique_ptr<EtcdTls> tls_;
  const std::chrono::milliseconds timeout_;
  // The endpoint that answered last: calls start there, so a dead first
  // member costs one failed connect, not one per call.
  std::atomic<size_t> preferred_{0};
  std::mutex idle_mutex_;
  std::vector<std::vector<std::unique_ptr<EtcdConnection>>> idle_;  // per endpoint
};

// Fields of an etcd answer. proto3 leaves out default values, so an absent
// field reads as empty, zero or false; int64 fields come as JSON strings.
Result<std::string> EtcdBytesField(const nlohmann::json& object, const char* name);
Result<int64_t> EtcdInt64Field(const nlohmann::json& object, const char* name);
bool EtcdBoolField(const nlohmann::json& object, const char* name);
// The array `name`, or an empty array when absent or not an array.
const nlohmann::json& EtcdArrayField(const nlohmann::json& object, const char* name);
// The object `name`, or an empty object.
const nlohmann::json& EtcdObjectField(const nlohmann::json& object, const char* name);

}  // namespace mailvault
