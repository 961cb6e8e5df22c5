#include "client/mailfiles/maildir.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <utility>

namespace mailvault::mailfiles {
namespace {

constexpr std::string_view kInfoPrefix = ":2,";

// The spec's letters in ASCII order, which is also the order they are written.
struct FlagLetter {
  char letter;
  std::string_view flag;
};
constexpr FlagLetter kFlagLetters[] = {
    {'D', "\\Draft"},    {'F', "\\Flagged"}, {'P', "$Forwarded"},
    {'R', "\\Answered"}, {'S', "\\Seen"},    {'T', "\\Deleted"},
};

// Tells names apart when one process writes several in the same microsecond.
std::atomic<uint64_t> name_counter{0};

Status IoError(const std::string& path, std::string_view what, int error) {
  return Status(error == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIOError,
                path + ": " + std::string(what) + ": " + std::strerror(error));
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [&](char x, char y) { return lower(x) == lower(y); });
}

bool IsDirectory(const std::string& path) {
  struct stat info {};
  return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

Status MakeDirectory(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) return Status::Ok();
  const int error = errno;
  if (error == EEXIST && IsDirectory(path)) return Status::Ok();
  return Status(ErrorCode::kIOError, path + ": cannot create directory: " + std::strerror(error));
}

// Makes a rename or link in `dir` durable, as the file's own fsync does not.
Status SyncDirectory(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError(dir, "cannot open directory", errno);
  Status status;
  if (::fsync(fd) != 0 && errno != EINVAL) status = IoError(dir, "fsync failed", errno);
  ::close(fd);
  return status;
}

Status WriteAll(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return IoError(path, "write failed", errno);
    }
    bytes.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

// Writes, dates and syncs the tmp/ file, which `fd` has open.
Status FillTmpFile(int fd, const MailMessage& message, const std::string& path) {
  MV_RETURN_IF_ERROR(WriteAll(fd, message.bytes, path));
  if (message.internal_date != 0) {
    const timespec times[2] = {{static_cast<time_t>(message.internal_date), 0},
                               {static_cast<time_t>(message.internal_date), 0}};
    if (::futimens(fd, times) != 0) return IoError(path, "cannot set mtime", errno);
  }
  if (::fsync(fd) != 0) return IoError(path, "fsync failed", errno);
  return Status::Ok();
}

// Moves the finished tmp/ file to `to` without replacing anything there:
// link() fails on an existing name where rename() would overwrite it.
Status MoveIntoPlace(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) == 0) {
    ::unlink(from.c_str());
    return Status::Ok();
  }
  const int error = errno;
  if (error == EEXIST) return Status(ErrorCode::kAlreadyExists, to + ": already exists");
  // Some file systems (FAT, some FUSE mounts) have no hard links. The name
  // is unique to this writer, so checking first then renaming is enough.
  if (error == EPERM || error == ENOTSUP || error == EOPNOTSUPP || error == ENOSYS) {
    struct stat info {};
    if (::lstat(to.c_str(), &info) == 0) {
      return Status(ErrorCode::kAlreadyExists, to + ": already exists");
    }
    if (::rename(from.c_str(), to.c_str()) == 0) return Status::Ok();
    return IoError(to, "cannot move message into place", errno);
  }
  return Status(ErrorCode::kIOError,
                to + ": cannot move message into place: " + std::strerror(error));
}

bool IsPlainFileName(std::string_view name) {
  return !name.empty() && name.front() != '.' &&
         name.find_first_of(std::string_view("/:\0", 3)) == std::string_view::npos;
}

// Microseconds are zero-padded so that, within one second, names sort in
// the order they were written (ListMaildir sorts by name).
std::string GeneratedUniqueName(const std::string& host) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  char usec[24];
  std::snprintf(usec, sizeof usec, "%06ld", static_cast<long>(now.tv_nsec / 1000));
  return std::to_string(now.tv_sec) + ".M" + usec + "P" + std::to_string(::getpid()) + "Q" +
         std::to_string(++name_counter) + "." + host;
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

Status ListRegularFiles(const std::string& dir, std::vector<std::string>& paths) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) return IoError(dir, "cannot list directory", errno);
  Status status;
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(handle);
    if (entry == nullptr) {
      if (errno != 0) status = IoError(dir, "cannot list directory", errno);
      break;
    }
    // Dot-files are the spec's way to keep a file out of the mailbox.
    if (entry->d_name[0] == '.') continue;
    struct stat info {};
    if (::fstatat(::dirfd(handle), entry->d_name, &info, 0) != 0) {
      if (errno == ENOENT) continue;  // moved by a mail program meanwhile
      status = IoError(dir + "/" + entry->d_name, "cannot stat", errno);
      break;
    }
    if (S_ISREG(info.st_mode)) paths.push_back(dir + "/" + entry->d_name);
  }
  ::closedir(handle);
  return status;
}

}  // namespace

bool IsMaildir(const std::string& dir) {
  return IsDirectory(dir + "/cur") && IsDirectory(dir + "/new");
}

std::string MaildirFlagLetters(const std::vector<std::string>& flags) {
  std::string letters;
  for (const FlagLetter& entry : kFlagLetters) {
    const bool present = std::any_of(flags.begin(), flags.end(), [&](const std::string& flag) {
      return EqualsIgnoringCase(flag, entry.flag);
    });
    if (present) letters += entry.letter;
  }
  return letters;
}

std::vector<std::string> FlagsFromMaildirName(std::string_view file_name) {
  const std::string_view name = BaseName(file_name);
  const size_t info = name.rfind(kInfoPrefix);
  if (info == std::string_view::npos) return {};
  const std::string_view letters = name.substr(info + kInfoPrefix.size());
  std::vector<std::string> flags;
  for (const FlagLetter& entry : kFlagLetters) {
    if (letters.find(entry.letter) != std::string_view::npos) flags.emplace_back(entry.flag);
  }
  return flags;
}

std::string MaildirHostName(std::string_view host_name) {
  if (host_name.empty()) return "localhost";
  std::string escaped;
  for (char c : host_name) {
    if (c == '/') {
      escaped += "\\057";
    } else if (c == ':') {
      escaped += "\\072";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// ---- MaildirWriter ----

Result<MaildirWriter> MaildirWriter::Create(const std::string& dir) {
  MV_RETURN_IF_ERROR(MakeDirectory(dir));
  for (const char* sub : {"/tmp", "/new", "/cur"}) MV_RETURN_IF_ERROR(MakeDirectory(dir + sub));
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return MaildirWriter(dir, MaildirHostName(host));
}

Result<std::string> MaildirWriter::Write(const MailMessage& message, std::string_view unique_hint) {
  if (!unique_hint.empty() && !IsPlainFileName(unique_hint)) {
    return Status(ErrorCode::kInvalidArgument,
                  "maildir unique name must be a plain file name: " + std::string(unique_hint));
  }
  std::string unique;
  std::string tmp_path;
  int fd = -1;
  // A generated name can only clash with a file left by a crashed writer
  // that had our pid; the counter moves past it.
  for (int attempt = 0; fd < 0; ++attempt) {
    unique = unique_hint.empty() ? GeneratedUniqueName(host_) : std::string(unique_hint);
    tmp_path = dir_ + "/tmp/" + unique;
    fd = ::open(tmp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) break;
    const int error = errno;
    if (error != EEXIST) return IoError(tmp_path, "cannot create", error);
    if (!unique_hint.empty()) {
      return Status(ErrorCode::kAlreadyExists, tmp_path + ": already exists");
    }
    if (attempt == 100) return IoError(tmp_path, "cannot create", error);
  }

  Status status = FillTmpFile(fd, message, tmp_path);
  if (::close(fd) != 0 && status.ok()) status = IoError(tmp_path, "close failed", errno);

  const std::string letters = MaildirFlagLetters(message.flags);
  const std::string target_dir = dir_ + (letters.empty() ? "/new" : "/cur");
  const std::string target =
      target_dir + "/" + unique + (letters.empty() ? "" : std::string(kInfoPrefix) + letters);
  if (status.ok()) status = MoveIntoPlace(tmp_path, target);
  if (!status.ok()) {
    ::unlink(tmp_path.c_str());
    return status;
  }
  MV_RETURN_IF_ERROR(SyncDirectory(target_dir));
  return target;
}

// ---- Reading ----

Result<std::vector<std::string>> ListMaildir(const std::string& dir) {
  if (!IsMaildir(dir)) {
    struct stat info {};
    if (::stat(dir.c_str(), &info) != 0) return IoError(dir, "cannot open Maildir", errno);
    return Status(ErrorCode::kMalformed, dir + ": not a Maildir (it has no cur/ and new/)");
  }
  std::vector<std::string> paths;
  MV_RETURN_IF_ERROR(ListRegularFiles(dir + "/new", paths));
  MV_RETURN_IF_ERROR(ListRegularFiles(dir + "/cur", paths));
  std::sort(paths.begin(), paths.end(), [](const std::string& a, const std::string& b) {
    const std::string_view name_a = BaseName(a), name_b = BaseName(b);
    return name_a != name_b ? name_a < name_b : a < b;
  });
  return paths;
}

Result<MailMessage> ReadMaildirMessage(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(path, "cannot open message", errno);
  MailMessage message;
  struct stat info {};
  Status status;
  if (::fstat(fd, &info) != 0) {
    status = IoError(path, "cannot stat", errno);
  } else if (!S_ISREG(info.st_mode)) {
    status = Status(ErrorCode::kInvalidArgument, path + ": not a regular file");
  } else {
    message.bytes.reserve(static_cast<size_t>(info.st_size));
    char chunk[64 * 1024];
    while (true) {
      const ssize_t got = ::read(fd, chunk, sizeof chunk);
      if (got < 0 && errno == EINTR) continue;
      if (got < 0) {
        status = IoError(path, "read failed", errno);
        break;
      }
      if (got == 0) break;
      message.bytes.append(chunk, static_cast<size_t>(got));
    }
  }
  ::close(fd);
  if (!status.ok()) return status;
  message.flags = FlagsFromMaildirName(path);
  message.internal_date = static_cast<int64_t>(info.st_mtime);
  return message;
}

}  // namespace mailvault::mailfiles
