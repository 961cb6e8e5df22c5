#include "common/make_directories.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace mailvault {

Status MakeDirectories(const std::string& path, int mode) {
  for (size_t slash = path.find('/', 1);; slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (!prefix.empty() && ::mkdir(prefix.c_str(), static_cast<mode_t>(mode)) != 0 &&
        errno != EEXIST) {
      return Status(ErrorCode::kIOError, "cannot create " + prefix + ": " + std::strerror(errno));
    }
    if (slash == std::string::npos) return Status::Ok();
  }
}

}  // namespace mailvault
