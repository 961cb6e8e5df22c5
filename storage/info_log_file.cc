#include "storage/info_log_file.h"

#include <fcntl.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <mutex>

namespace mailvault {
namespace {

class InfoLogFile final : public rocksdb::Logger {
 public:
  explicit InfoLogFile(int fd) : Logger(rocksdb::InfoLogLevel::INFO_LEVEL), fd_(fd) {}
  ~InfoLogFile() override { ::close(fd_); }
  InfoLogFile(const InfoLogFile&) = delete;
  InfoLogFile& operator=(const InfoLogFile&) = delete;

  using Logger::Logv;
  void Logv(const char* format, va_list ap) override {
    // RocksDB's line format: local time to the microsecond, then the text.
    char line[4096];
    timeval now{};
    ::gettimeofday(&now, nullptr);
    tm local{};
    ::localtime_r(&now.tv_sec, &local);
    int used = std::snprintf(line, sizeof(line), "%04d/%02d/%02d-%02d:%02d:%02d.%06ld ",
                             local.tm_year + 1900, local.tm_mon + 1, local.tm_mday, local.tm_hour,
                             local.tm_min, local.tm_sec, static_cast<long>(now.tv_usec));
    va_list copy;
    va_copy(copy, ap);
    const int text = std::vsnprintf(line + used, sizeof(line) - used - 1, format, copy);
    va_end(copy);
    if (text < 0) return;
    used += std::min<int>(text, static_cast<int>(sizeof(line)) - used - 2);  // long lines are cut
    if (line[used - 1] != '\n') line[used++] = '\n';
    std::lock_guard lock(mutex_);
    // O_APPEND: one write per line. A failed or short write (a full disk)
    // loses this line only.
    [[maybe_unused]] ssize_t ignored = ::write(fd_, line, static_cast<size_t>(used));
  }

 private:
  int fd_;
  std::mutex mutex_;
};

}  // namespace

Result<std::shared_ptr<rocksdb::Logger>> OpenInfoLogFile(const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status(ErrorCode::kIOError, "creating " + dir + ": " + error.message());
  const std::string path = dir + "/LOG";
  std::filesystem::rename(path, path + ".old", error);  // absent the first time: fine
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status(ErrorCode::kIOError, "opening " + path + ": " + std::strerror(errno));
  }
  return std::shared_ptr<rocksdb::Logger>(std::make_shared<InfoLogFile>(fd));
}

}  // namespace mailvault
