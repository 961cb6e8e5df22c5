#include "common/crypto/undumpable_process.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace mailvault {

Status MakeProcessUndumpable() {
  const rlimit no_core{0, 0};
  if (::setrlimit(RLIMIT_CORE, &no_core) != 0) {
    return Status(ErrorCode::kIOError,
                  std::string("cannot turn core files off: ") + std::strerror(errno));
  }
  if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
    return Status(ErrorCode::kIOError,
                  std::string("cannot make the process undumpable: ") + std::strerror(errno));
  }
  return Status::Ok();
}

}  // namespace mailvault
