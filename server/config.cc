#include "server/config.h"

#include <charconv>
#include <limits>
#include <set>
#include <toml++/toml.h>

namespace mailvault {
namespace {

std::string Where(const std::string& path, const toml::source_region& source) {
  return path + ":" + std::to_string(source.begin.line) + ":" +
         std::to_string(source.begin.column) + ": ";
}

// Refuses keys the code does not read: a typo must not silently fall back to
// a default (an operator who wrote "lisen" wants to hear about it).
Status CheckKeys(const std::string& path, const toml::table& table,
                 const std::set<std::string_view>& known, std::string_view section) {
  for (const auto& [key, node] : table) {
    if (!known.contains(key.str())) {
      return Status(ErrorCode::kInvalidArgument, Where(path, node.source()) + "unknown key '" +
                                                     std::string(key.str()) + "' in [" +
                                                     std::string(section) + "]");
    }
  }
  return Status::Ok();
}

template <typename T>
Status Read(const std::string& path, const toml::table& table, std::string_view key, T& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Status::Ok();
  if constexpr (std::is_same_v<T, std::string>) {
    if (auto v = node->value<std::string>()) {
      out = *v;
      return Status::Ok();
    }
  } else if constexpr (std::is_same_v<T, bool>) {
    if (auto v = node->value<bool>()) {
      out = *v;
      return Status::Ok();
    }
  } else {
    // A TOML integer in range for the field, or refused: a value cut down
    // to fit (2^32 as a uint32_t limit is 0) would silently mean something
    // else. value_exact, because toml++'s value<int64_t>() converts a float
    // by a cast that is undefined for 1e300.
    if (auto v = node->value_exact<int64_t>();
        v && *v >= 0 && static_cast<uint64_t>(*v) <= std::numeric_limits<T>::max()) {
      out = static_cast<T>(*v);
      return Status::Ok();
    }
    return Status(ErrorCode::kInvalidArgument,
                  Where(path, node->source()) + "'" + std::string(key) +
                      "' must be a whole number from 0 to " +
                      std::to_string(std::numeric_limits<T>::max()));
  }
  return Status(ErrorCode::kInvalidArgument,
                Where(path, node->source()) + "'" + std::string(key) + "' has the wrong type");
}

Status ReadEndpoint(const std::string& path, const toml::table& table, std::string_view key,
                    Endpoint& out) {
  std::string text;
  MV_RETURN_IF_ERROR(Read(path, table, key, text));
  if (text.empty()) return Status::Ok();
  Result<Endpoint> endpoint = ParseEndpoint(text);
  if (!endpoint.ok()) {
    return Status(ErrorCode::kInvalidArgument, Where(path, table.get(key)->source()) +
                                                   endpoint.status().message());
  }
  out = *endpoint;
  return Status::Ok();
}

Status ReadStrings(const std::string& path, const toml::table& table, std::string_view key,
                   std::vector<std::string>& out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return Status::Ok();
  const toml::array* list = node->as_array();
  const Status wrong(ErrorCode::kInvalidArgument, Where(path, node->source()) + "'" +
                                                      std::string(key) +
                                                      "' must be a list of strings");
  if (list == nullptr) return wrong;
  out.clear();
  for (const toml::node& item : *list) {
    auto text = item.value<std::string>();
    if (!text) return wrong;
    out.push_back(*text);
  }
  return Status::Ok();
}

// A whole number of the duration's unit: "idle_pre_auth_seconds = 60".
template <typename Duration>
Status ReadDuration(const std::string& path, const toml::table& table, std::string_view key,
                    Duration& out) {
  int64_t count = out.count();
  MV_RETURN_IF_ERROR(Read(path, table, key, count));
  // Deadlines add this to a clock in nanoseconds: keep far from overflow.
  const Duration year = std::chrono::duration_cast<Duration>(std::chrono::hours(24 * 366));
  if (count > year.count()) {
    return Status(ErrorCode::kInvalidArgument,
                  Where(path, table.get(key)->source()) + "'" + std::string(key) +
                      "' is more than a year");
  }
  out = Duration(count);
  return Status::Ok();
}

Status ReadDirectory(const std::string& path, const toml::table& t, EtcdOptions& etcd) {
  MV_RETURN_IF_ERROR(CheckKeys(path, t,
                               {"etcd_endpoints", "etcd_prefix", "etcd_ca_file",
                                "etcd_client_cert", "etcd_client_key", "etcd_timeout_ms",
                                "etcd_cache_ms"},
                               "directory"));
  MV_RETURN_IF_ERROR(ReadStrings(path, t, "etcd_endpoints", etcd.endpoints));
  MV_RETURN_IF_ERROR(Read(path, t, "etcd_prefix", etcd.prefix));
  MV_RETURN_IF_ERROR(Read(path, t, "etcd_ca_file", etcd.ca_file));
  MV_RETURN_IF_ERROR(Read(path, t, "etcd_client_cert", etcd.client_cert_file));
  MV_RETURN_IF_ERROR(Read(path, t, "etcd_client_key", etcd.client_key_file));
  MV_RETURN_IF_ERROR(ReadDuration(path, t, "etcd_timeout_ms", etcd.timeout));
  MV_RETURN_IF_ERROR(ReadDuration(path, t, "etcd_cache_ms", etcd.cache_ttl));
  if (etcd.client_cert_file.empty() != etcd.client_key_file.empty()) {
    return Status(ErrorCode::kInvalidArgument,
                  Where(path, t.source()) + "etcd_client_cert and etcd_client_key go together");
  }
  return Status::Ok();
}

Status ReadLimits(const std::string& path, const toml::table& t, Limits& l) {
  MV_RETURN_IF_ERROR(CheckKeys(path, t,
                               {"max_line_pre_auth", "max_line", "max_message", "max_nesting",
                                "max_bad_commands_pre_auth", "max_bad_commands",
                                "max_connections_per_address", "max_sessions_per_account",
                                "login_threads", "max_logins_queued", "idle_pre_auth_seconds",
                                "idle_authenticated_seconds", "idle_keepalive_seconds",
                                "lmtp_idle_seconds", "dead_peer_seconds"},
                               "limits"));
  MV_RETURN_IF_ERROR(Read(path, t, "max_line_pre_auth", l.max_line_pre_auth));
  MV_RETURN_IF_ERROR(Read(path, t, "max_line", l.max_line));
  MV_RETURN_IF_ERROR(Read(path, t, "max_message", l.max_message));
  MV_RETURN_IF_ERROR(Read(path, t, "max_nesting", l.max_nesting));
  MV_RETURN_IF_ERROR(Read(path, t, "max_bad_commands_pre_auth", l.max_bad_commands_pre_auth));
  MV_RETURN_IF_ERROR(Read(path, t, "max_bad_commands", l.max_bad_commands));
  MV_RETURN_IF_ERROR(Read(path, t, "max_connections_per_address", l.max_connections_per_address));
  MV_RETURN_IF_ERROR(Read(path, t, "max_sessions_per_account", l.max_sessions_per_account));
  MV_RETURN_IF_ERROR(Read(path, t, "login_threads", l.login_threads));
  MV_RETURN_IF_ERROR(Read(path, t, "max_logins_queued", l.max_logins_queued));
  if (l.login_threads == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  Where(path, t.source()) + "login_threads must be at least 1");
  }
  MV_RETURN_IF_ERROR(ReadDuration(path, t, "idle_pre_auth_seconds", l.idle_pre_auth));
  MV_RETURN_IF_ERROR(ReadDuration(path, t, "idle_authenticated_seconds", l.idle_authenticated));
  MV_RETURN_IF_ERROR(ReadDuration(path, t, "idle_keepalive_seconds", l.idle_keepalive));
  if (l.idle_keepalive.count() == 0) {
    return Status(ErrorCode::kInvalidArgument,
                  Where(path, t.source()) + "idle_keepalive_seconds must be at least 1");
  }
  MV_RETURN_IF_ERROR(ReadDuration(path, t, "lmtp_idle_seconds", l.lmtp_idle));
  MV_RETURN_IF_ERROR(ReadDuration(path, t, "dead_peer_seconds", l.dead_peer));
  return Status::Ok();
}

Status FromToml(const std::string& path, const toml::table& root, Config& c) {
  MV_RETURN_IF_ERROR(CheckKeys(path, root,
                               {"server", "tls", "imap", "lmtp", "metrics", "directory",
                                "region", "remote_region", "limits", "storage"},
                               "top level"));
  if (const toml::table* s = root["server"].as_table()) {
    MV_RETURN_IF_ERROR(CheckKeys(
        path, *s, {"threads", "log_level", "state_dir", "admin_socket", "hostname"}, "server"));
    MV_RETURN_IF_ERROR(Read(path, *s, "threads", c.threads));
    MV_RETURN_IF_ERROR(Read(path, *s, "log_level", c.log_level));
    MV_RETURN_IF_ERROR(Read(path, *s, "state_dir", c.state_dir));
    MV_RETURN_IF_ERROR(Read(path, *s, "admin_socket", c.admin_socket));
    MV_RETURN_IF_ERROR(Read(path, *s, "hostname", c.hostname));
  }
  if (const toml::table* t = root["tls"].as_table()) {
    MV_RETURN_IF_ERROR(
        CheckKeys(path, *t, {"certificate", "private_key", "generate_self_signed"}, "tls"));
    MV_RETURN_IF_ERROR(Read(path, *t, "certificate", c.tls_certificate));
    MV_RETURN_IF_ERROR(Read(path, *t, "private_key", c.tls_private_key));
    MV_RETURN_IF_ERROR(Read(path, *t, "generate_self_signed", c.generate_self_signed));
  }
  if (const toml::table* t = root["imap"].as_table()) {
    MV_RETURN_IF_ERROR(CheckKeys(path, *t, {"listen", "starttls_listen"}, "imap"));
    MV_RETURN_IF_ERROR(ReadEndpoint(path, *t, "listen", c.imaps));
    Endpoint starttls;
    MV_RETURN_IF_ERROR(ReadEndpoint(path, *t, "starttls_listen", starttls));
    if (starttls.port != 0) c.imap_starttls.push_back(starttls);
  }
  if (const toml::table* t = root["lmtp"].as_table()) {
    MV_RETURN_IF_ERROR(CheckKeys(path, *t, {"listen", "socket"}, "lmtp"));
    MV_RETURN_IF_ERROR(ReadEndpoint(path, *t, "listen", c.lmtp));
    MV_RETURN_IF_ERROR(Read(path, *t, "socket", c.lmtp_socket));
  }
  if (const toml::table* t = root["metrics"].as_table()) {
    MV_RETURN_IF_ERROR(CheckKeys(path, *t, {"listen"}, "metrics"));
    MV_RETURN_IF_ERROR(ReadEndpoint(path, *t, "listen", c.metrics));
  }
  if (const toml::table* t = root["directory"].as_table()) {
    MV_RETURN_IF_ERROR(ReadDirectory(path, *t, c.etcd));
  }
  if (const toml::node_view regions = root["region"]; regions) {
    const toml::array* list = regions.as_array();
    if (list == nullptr) {
      return Status(ErrorCode::kInvalidArgument, path + ": [[region]] must be an array of tables");
    }
    c.regions.clear();
    for (const toml::node& node : *list) {
      const toml::table* t = node.as_table();
      if (t == nullptr) continue;
      MV_RETURN_IF_ERROR(CheckKeys(path, *t, {"name", "data_dir"}, "region"));
      HostedRegion region;
      MV_RETURN_IF_ERROR(Read(path, *t, "name", region.name));
      MV_RETURN_IF_ERROR(Read(path, *t, "data_dir", region.data_dir));
      if (region.name.empty() || region.data_dir.empty()) {
        return Status(ErrorCode::kInvalidArgument,
                      Where(path, t->source()) + "a region needs a name and a data_dir");
      }
      c.regions.push_back(std::move(region));
    }
  }
  if (const toml::array* list = root["remote_region"].as_array()) {
    for (const toml::node& node : *list) {
      const toml::table* t = node.as_table();
      if (t == nullptr) continue;
      MV_RETURN_IF_ERROR(CheckKeys(path, *t, {"name", "imap_url", "lmtp"}, "remote_region"));
      RemoteRegion region;
      MV_RETURN_IF_ERROR(Read(path, *t, "name", region.name));
      MV_RETURN_IF_ERROR(Read(path, *t, "imap_url", region.imap_url));
      MV_RETURN_IF_ERROR(Read(path, *t, "lmtp", region.lmtp));
      if (region.name.empty() || region.imap_url.empty()) {
        return Status(ErrorCode::kInvalidArgument,
                      Where(path, t->source()) + "a remote region needs a name and an imap_url");
      }
      c.remote_regions.push_back(std::move(region));
    }
  }
  if (const toml::table* t = root["limits"].as_table()) {
    MV_RETURN_IF_ERROR(ReadLimits(path, *t, c.limits));
  }
  if (const toml::table* t = root["storage"].as_table()) {
    MV_RETURN_IF_ERROR(CheckKeys(path, *t, {"tombstone_window"}, "storage"));
    MV_RETURN_IF_ERROR(Read(path, *t, "tombstone_window", c.tombstone_window));
  }
  if (c.regions.empty()) {
    return Status(ErrorCode::kInvalidArgument, path + ": at least one [[region]] is needed");
  }
  return Status::Ok();
}

}  // namespace

std::string Config::CertificatePath() const {
  return tls_certificate.empty() ? state_dir + "/tls/cert.pem" : tls_certificate;
}

std::string Config::PrivateKeyPath() const {
  return tls_private_key.empty() ? state_dir + "/tls/key.pem" : tls_private_key;
}

std::string Config::DirectoryPath() const { return state_dir + "/directory"; }

Config DefaultConfig() {
  Config c;
  c.regions.push_back({"local", "var/regions/local"});
  c.metrics = {"127.0.0.1", 9464};
  return c;
}

namespace {

Result<Config> ConfigFromRoot(const std::string& path, const toml::table& root) {
  Config config = DefaultConfig();
  config.regions.clear();
  MV_RETURN_IF_ERROR(FromToml(path, root, config));
  return config;
}

}  // namespace

Result<Config> LoadConfig(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Result<Config>(ErrorCode::kInvalidArgument,
                          Where(path, e.source()) + std::string(e.description()));
  }
  return ConfigFromRoot(path, root);
}

Result<Config> ParseConfig(std::string_view text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return Result<Config>(ErrorCode::kInvalidArgument,
                          Where(path, e.source()) + std::string(e.description()));
  }
  return ConfigFromRoot(path, root);
}

}  // namespace mailvault
