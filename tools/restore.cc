#include "tools/restore.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "server/config.h"

namespace mailvault {
namespace {

namespace fs = std::filesystem;

bool ServerIsRunning(const std::string& socket_path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
  const bool connected =
      ::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
  ::close(fd);
  return connected;
}

// Copies a checkpoint into an empty (or missing) data directory.
void CopyInto(const fs::path& from, const fs::path& to) {
  if (!fs::is_directory(from)) {
    throw std::runtime_error("the backup has no " + from.string());
  }
  std::error_code ec;
  if (fs::exists(to) && !fs::is_empty(to, ec)) {
    throw std::runtime_error(to.string() + " is not empty: restore goes into an empty data directory");
  }
  fs::create_directories(to, ec);
  fs::permissions(to, fs::perms::owner_all, ec);
  fs::copy(from, to, fs::copy_options::recursive, ec);
  if (ec) throw std::runtime_error("cannot copy " + from.string() + ": " + ec.message());
}

}  // namespace

void RestoreBackup(const std::string& backup_dir, const std::string& config_path,
                   const std::string& admin_socket) {
  Config config = DefaultConfig();
  if (!config_path.empty()) {
    auto loaded = LoadConfig(config_path);
    if (!loaded.ok()) throw std::runtime_error(loaded.status().message());
    config = std::move(loaded).value();
  }
  // A running server would have its RocksDB instances open under our feet.
  if (ServerIsRunning(config.admin_socket) || ServerIsRunning(admin_socket)) {
    throw std::runtime_error("mailvaultd is running: stop it before restoring");
  }
  if (!fs::exists(fs::path(backup_dir) / "manifest.json")) {
    throw std::runtime_error(backup_dir + " is not a mailvault backup (no manifest.json)");
  }
  for (const HostedRegion& region : config.regions) {
    CopyInto(fs::path(backup_dir) / "regions" / region.name, region.data_dir);
    std::cout << "restored region " << region.name << " into " << region.data_dir << "\n";
  }
  if (!config.etcd.endpoints.empty()) {
    // etcd keeps the shared directory, and its own tools back it up.
    std::cout << "the directory is in etcd: restore it with `etcdctl snapshot restore` if it "
                 "was lost too\n";
    return;
  }
  if (!fs::exists(fs::path(backup_dir) / "directory")) {
    throw std::runtime_error(backup_dir + " holds no directory (it was in etcd): configure the "
                                          "same [directory] etcd_endpoints");
  }
  CopyInto(fs::path(backup_dir) / "directory", config.DirectoryPath());
  std::cout << "restored the directory into " << config.DirectoryPath() << "\n";
}

}  // namespace mailvault
