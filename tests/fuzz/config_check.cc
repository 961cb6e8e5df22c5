// config: the TOML and text files that configure either side, chosen by
// the first byte: mailvaultd's configuration (server/config.cc), the
// device's profile and the device request line (client/device).
#include <toml++/toml.h>

#include <string>

#include "client/device/device_request.h"
#include "client/device/profile.h"
#include "server/config.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

// What the file says is what the server uses: an integer that does not
// fit its field is refused, never cut down (a max_bad_commands of 2^32
// must not become 0).
std::string CheckServerConfig(std::string_view text) {
  Result<Config> config = ParseConfig(text, "fuzz.toml");
  if (!config.ok()) {
    if (!config.status().message().starts_with("fuzz.toml")) return "error does not name the file";
    return "";
  }
  if (config->regions.empty()) return "a configuration without a region";
  for (const HostedRegion& region : config->regions) {
    if (region.name.empty() || region.data_dir.empty()) return "a region without name or dir";
  }
  if (config->limits.login_threads == 0) return "login_threads 0 accepted";
  toml::table root = toml::parse(text, std::string_view("fuzz.toml"));
  const Limits& l = config->limits;
  const struct {
    const char* table;
    const char* key;
    uint64_t value;
  } kFields[] = {
      {"server", "threads", config->threads},
      {"limits", "max_line_pre_auth", l.max_line_pre_auth},
      {"limits", "max_line", l.max_line},
      {"limits", "max_message", l.max_message},
      {"limits", "max_nesting", l.max_nesting},
      {"limits", "max_bad_commands_pre_auth", l.max_bad_commands_pre_auth},
      {"limits", "max_bad_commands", l.max_bad_commands},
      {"limits", "max_connections_per_address", l.max_connections_per_address},
      {"limits", "max_sessions_per_account", l.max_sessions_per_account},
      {"limits", "login_threads", l.login_threads},
      {"limits", "max_logins_queued", l.max_logins_queued},
      {"limits", "idle_pre_auth_seconds", static_cast<uint64_t>(l.idle_pre_auth.count())},
      {"limits", "idle_authenticated_seconds", static_cast<uint64_t>(l.idle_authenticated.count())},
      {"limits", "idle_keepalive_seconds", static_cast<uint64_t>(l.idle_keepalive.count())},
      {"limits", "lmtp_idle_seconds", static_cast<uint64_t>(l.lmtp_idle.count())},
      {"limits", "dead_peer_seconds", static_cast<uint64_t>(l.dead_peer.count())},
      {"storage", "tombstone_window", config->tombstone_window},
  };
  for (const auto& field : kFields) {
    std::optional<int64_t> written = root[field.table][field.key].value_exact<int64_t>();
    if (written && static_cast<uint64_t>(*written) != field.value) {
      return std::string(field.key) + " = " + std::to_string(*written) + " became " +
             std::to_string(field.value);
    }
  }
  return "";
}

bool SameProfile(const client::Profile& a, const client::Profile& b) {
  return a.server == b.server && a.account == b.account && a.fingerprint == b.fingerprint &&
         a.ca_file == b.ca_file && a.key_log_root == b.key_log_root &&
         a.key_log_seen == b.key_log_seen && a.placement_log_seen == b.placement_log_seen &&
         a.disclosure_log_seen == b.disclosure_log_seen &&
         a.enrollment_pending == b.enrollment_pending;
}

// A profile that loads is written back as the same profile.
std::string CheckProfile(std::string_view text) {
  Result<client::Profile> profile = client::ProfileFromToml(text, "profile.toml");
  if (!profile.ok()) return "";
  const std::string written = client::ProfileToToml(*profile);
  Result<client::Profile> again = client::ProfileFromToml(written, "profile.toml");
  if (!again.ok()) return "a written profile does not load: " + again.status().message();
  if (!SameProfile(*profile, *again)) return "profile round trip changed it";
  return "";
}

std::string CheckDeviceRequest(std::string_view text) {
  Result<client::DeviceRequest> request = client::DecodeDeviceRequest(text);
  if (!request.ok()) return "";
  if (request->encryption_public_key.size() != 32 || request->signing_public_key.size() != 32) {
    return "device request with keys of the wrong size";
  }
  Result<client::DeviceRequest> again =
      client::DecodeDeviceRequest(client::EncodeDeviceRequest(*request));
  if (!again.ok() || again->encryption_public_key != request->encryption_public_key ||
      again->signing_public_key != request->signing_public_key) {
    return "device request round trip failed";
  }
  const std::string code = client::DeviceRequestCode(*request);
  if (!client::DeviceCodeMatches(code, code)) return "a code does not match itself";
  return "";
}

}  // namespace

std::string CheckConfig(std::string_view input) {
  FuzzInput in(input);
  const uint8_t selector = in.Byte();
  const std::string_view text = in.Rest();
  try {
    switch (selector % 3) {
      case 0: return CheckServerConfig(text);
      case 1: return CheckProfile(text);
      default: return CheckDeviceRequest(text);
    }
  } catch (const std::exception& e) {
    return std::string("exception escaped: ") + e.what();
  }
}

}  // namespace mailvault::fuzz
