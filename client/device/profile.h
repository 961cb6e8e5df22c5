// A device's profile: where the customer's vault is, which account, how its
// certificate is trusted, and the path of the encrypted key file. One
// directory per device (by default ~/.config/mailvault; --profile or
// $MAILVAULT_HOME choose another, which is how one machine can act as two
// devices in tests).
#pragma once

#include <functional>
#include <string>

#include "client/vault/vault_session.h"
#include "common/status.h"

namespace mailvault::client {

struct Profile {
  std::string dir;
  std::string server;  // host:port of the vault's IMAPS listener
  std::string account;
  std::string fingerprint;  // pinned SHA-256 of the server certificate
  std::string ca_file;      // or: verify against these CAs
  // The key log as this device last verified it (`mailvault verify`): the
  // hash of its first entry, and "seq:hash" of the last one seen, so a
  // rewritten history is noticed.
  std::string key_log_root;
  std::string key_log_seen;
  std::string placement_log_seen;
  std::string disclosure_log_seen;
  // `init` writes the keys before it spends the token; until the vault has
  // confirmed the enrollment, a second `init` resumes with the same keys.
  bool enrollment_pending = false;

  std::string key_file_path() const { return dir + "/keys.mvkey"; }
  std::string profile_path() const { return dir + "/profile.toml"; }
  std::string cache_dir() const { return dir + "/cache"; }
  VaultAddress address() const;
};

// --profile if given, else $MAILVAULT_HOME, else $XDG_CONFIG_HOME/mailvault,
// else ~/.config/mailvault.
std::string DefaultProfileDir(const std::string& override_dir);

// kNotFound (saying to run `mailvault init`) when there is no profile.
Result<Profile> LoadProfile(const std::string& dir);
// Creates the directory and any missing parent (0700) and writes
// profile.toml atomically.
Status SaveProfile(const Profile& profile);
// Read, change, write under an exclusive lock of the profile (flock on
// DIR/profile.lock), so commands and bridge sessions that pin logs at once
// never write back an older pin. Nothing is written if `change` fails.
Status UpdateProfile(const std::string& dir, const std::function<Status(Profile&)>& change);

// The profile's fields as TOML (a key backup carries them too); `dir` is not
// among them.
std::string ProfileToToml(const Profile& profile);
Result<Profile> ProfileFromToml(std::string_view text, const std::string& source);

// Writes `bytes` to `path` through a temporary file and rename, with the
// given mode: a crash leaves the old file or the new, never half of one.
// `durable` adds an fsync first (key files and profiles; a cache, where a
// lost or torn file is only fetched again, goes without).
Status WriteFileAtomically(const std::string& path, std::string_view bytes, int mode = 0600,
                           bool durable = true);
Result<std::string> ReadWholeFile(const std::string& path);

}  // namespace mailvault::client
