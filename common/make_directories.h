// mkdir -p: a folder and every missing parent, each created with `mode`
// (a fresh machine may lack ~/.config itself; an export folder may be new).
#pragma once

#include <string>

#include "common/status.h"

namespace mailvault {

// kIOError naming the first folder that cannot be created.
Status MakeDirectories(const std::string& path, int mode = 0700);

}  // namespace mailvault
