#include "client/device/profile.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "common/make_directories.h"

namespace mailvault::client {

VaultAddress Profile::address() const {
  VaultAddress address;
  address.endpoint = server;
  address.trust.pinned_fingerprint = fingerprint;
  address.trust.ca_file = ca_file;
  return address;
}

std::string DefaultProfileDir(const std::string& override_dir) {
  if (!override_dir.empty()) return override_dir;
  if (const char* home = std::getenv("MAILVAULT_HOME"); home && *home) return home;
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) {
    return std::string(xdg) + "/mailvault";
  }
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.config/mailvault";
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Result<std::string>(errno == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIOError,
                               "cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

Status WriteFileAtomically(const std::string& path, std::string_view bytes, int mode,
                           bool durable) {
  // Unique per process and call: bridge sessions may write one path at once.
  static std::atomic<uint64_t> counter{0};
  const std::string temp =
      path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status(ErrorCode::kIOError, "cannot write " + temp + ": " + std::strerror(errno));
  size_t written = 0;
  while (written < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      return Status(ErrorCode::kIOError, "cannot write " + temp + ": " + why);
    }
    written += static_cast<size_t>(n);
  }
  ::fchmod(fd, mode);
  if ((durable && ::fsync(fd) != 0) || ::close(fd) != 0) {
    return Status(ErrorCode::kIOError, "cannot write " + temp + ": " + std::strerror(errno));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    return Status(ErrorCode::kIOError, "cannot replace " + path + ": " + std::strerror(errno));
  }
  return Status::Ok();
}

std::string ProfileToToml(const Profile& profile) {
  toml::table table{{"server", profile.server}, {"account", profile.account}};
  for (const auto& [name, value] :
       {std::pair<const char*, const std::string*>{"fingerprint", &profile.fingerprint},
        {"ca_file", &profile.ca_file},
        {"key_log_root", &profile.key_log_root},
        {"key_log_seen", &profile.key_log_seen},
        {"placement_log_seen", &profile.placement_log_seen},
        {"disclosure_log_seen", &profile.disclosure_log_seen}}) {
    if (!value->empty()) table.insert(name, *value);
  }
  if (profile.enrollment_pending) table.insert("enrollment", "pending");
  // Every string as a basic "..." string with escapes: toml++'s multi-line
  // and literal forms do not round-trip a value that starts with a newline
  // or holds ''' (found by the config fuzzer).
  constexpr toml::format_flags kPlainStrings =
      toml::toml_formatter::default_flags &
      ~(toml::format_flags::allow_literal_strings | toml::format_flags::allow_multi_line_strings);
  std::ostringstream out;
  out << toml::toml_formatter{table, kPlainStrings} << "\n";
  return out.str();
}

Result<Profile> ProfileFromToml(std::string_view text, const std::string& source) {
  toml::table table;
  try {  // toml++ is built with exceptions here (PLATFORM.md)
    table = toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Result<Profile>(ErrorCode::kMalformed, source + ": " + std::string(e.description()));
  }
  Profile profile;
  profile.server = table["server"].value_or(std::string());
  profile.account = table["account"].value_or(std::string());
  profile.fingerprint = table["fingerprint"].value_or(std::string());
  profile.ca_file = table["ca_file"].value_or(std::string());
  profile.key_log_root = table["key_log_root"].value_or(std::string());
  profile.key_log_seen = table["key_log_seen"].value_or(std::string());
  profile.placement_log_seen = table["placement_log_seen"].value_or(std::string());
  profile.disclosure_log_seen = table["disclosure_log_seen"].value_or(std::string());
  profile.enrollment_pending = table["enrollment"].value_or(std::string()) == "pending";
  if (profile.server.empty() || profile.account.empty() ||
      (profile.fingerprint.empty() && profile.ca_file.empty())) {
    return Result<Profile>(ErrorCode::kMalformed,
                           source + " lacks server, account or fingerprint");
  }
  return profile;
}

Result<Profile> LoadProfile(const std::string& dir) {
  const std::string path = dir + "/profile.toml";
  auto text = ReadWholeFile(path);
  if (!text.ok()) {
    if (text.code() == ErrorCode::kNotFound) {
      return Result<Profile>(ErrorCode::kNotFound,
                             "no mailvault profile in " + dir + ": run `mailvault init` first");
    }
    return text.status();
  }
  MV_ASSIGN_OR_RETURN(Profile profile, ProfileFromToml(*text, path));
  profile.dir = dir;
  return profile;
}

Status SaveProfile(const Profile& profile) {
  MV_RETURN_IF_ERROR(MakeDirectories(profile.dir));
  return WriteFileAtomically(profile.profile_path(),
                             "# mailvault device profile (written by `mailvault init`)\n" +
                                 ProfileToToml(profile),
                             0600);
}

Status UpdateProfile(const std::string& dir, const std::function<Status(Profile&)>& change) {
  const std::string lock_path = dir + "/profile.lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return Status(ErrorCode::kIOError, "cannot open " + lock_path + ": " + std::strerror(errno));
  // Each call opens its own descriptor, so the lock also orders the threads
  // of one process (bridge sessions), not only processes.
  while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
  }
  Status result = [&]() -> Status {
    MV_ASSIGN_OR_RETURN(Profile profile, LoadProfile(dir));
    MV_RETURN_IF_ERROR(change(profile));
    return SaveProfile(profile);
  }();
  ::close(fd);  // releases the lock
  return result;
}

}  // namespace mailvault::client
