#include "client/mailfiles/export_folder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "common/make_directories.h"

namespace mailvault::mailfiles {
namespace {

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

Status IoError(const std::string& path, std::string_view what, int error) {
  return Status(ErrorCode::kIOError, path + ": " + std::string(what) + ": " + std::strerror(error));
}

Result<std::string> RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return IoError(path, "cannot resolve", errno);
  return std::string(resolved);
}

// Opens (creating it first if missing) the directory `level` inside
// `parent_fd`, refusing a symbolic link where the directory should be.
Result<int> OpenLevel(int parent_fd, const std::string& level, const std::string& path) {
  if (::mkdirat(parent_fd, level.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError(path, "cannot create", errno);
  }
  const int fd = ::openat(parent_fd, level.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0) return fd;
  const int error = errno;
  if (error == ELOOP || error == ENOTDIR) {
    return Invalid(path + " is a symbolic link or not a folder; the export does not follow links");
  }
  return IoError(path, "cannot open", error);
}

}  // namespace

Status CheckMailboxFolderName(std::string_view name) {
  if (name.empty()) return Invalid("the name is empty");
  if (name.find('\0') != std::string_view::npos) return Invalid("the name holds a NUL byte");
  size_t begin = 0;
  for (;;) {
    const size_t end = std::min(name.find('/', begin), name.size());
    const std::string_view level = name.substr(begin, end - begin);
    if (level.empty()) return Invalid("the name has an empty level");
    if (level == "." || level == "..") {
      return Invalid("the name has a \"" + std::string(level) + "\" level");
    }
    if (end == name.size()) return Status::Ok();
    begin = end + 1;
  }
}

Result<std::string> CreateMailboxFolder(const std::string& root, std::string_view name) {
  MV_RETURN_IF_ERROR(CheckMailboxFolderName(name));
  MV_RETURN_IF_ERROR(MakeDirectories(root));
  MV_ASSIGN_OR_RETURN(std::string real_root, RealPath(root));

  int fd = ::open(real_root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(real_root, "cannot open", errno);
  std::string path = root;
  Status status;
  size_t begin = 0;
  for (bool last = false; status.ok() && !last;) {
    const size_t end = std::min(name.find('/', begin), name.size());
    last = end == name.size();
    const std::string level(name.substr(begin, end - begin));
    path += "/" + level;
    auto next = OpenLevel(fd, level, path);
    ::close(fd);
    fd = -1;
    if (!next.ok()) {
      status = next.status();
    } else {
      fd = *next;
    }
    begin = end + 1;
  }
  // The Maildir's own folders, if there already, must be folders too.
  for (const char* sub : {"cur", "new", "tmp"}) {
    if (!status.ok()) break;
    struct stat info {};
    if (::fstatat(fd, sub, &info, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(info.st_mode)) {
      status = Invalid(path + "/" + sub +
                       " is a symbolic link or not a folder; the export does not follow links");
    }
  }
  if (fd >= 0) ::close(fd);
  MV_RETURN_IF_ERROR(status);

  // Belt and braces: whatever happened above, the result is inside ROOT.
  MV_ASSIGN_OR_RETURN(std::string real_folder, RealPath(path));
  const std::string inside = real_root == "/" ? real_root : real_root + "/";
  if (real_folder.rfind(inside, 0) != 0) {
    return Invalid(path + " resolves to " + real_folder + ", outside " + real_root);
  }
  return path;
}

}  // namespace mailvault::mailfiles
