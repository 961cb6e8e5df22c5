// Keeps this process's memory (keys, plaintext being sealed or read) out of
// core files and away from other processes of the same user: no core file
// (RLIMIT_CORE 0, soft and hard), and not dumpable (PR_SET_DUMPABLE 0), so
// that ptrace and /proc/PID/mem, environ and the like need CAP_SYS_PTRACE
// and /proc/PID belongs to root. mailvaultd and the customer's `mailvault`
// (and its bridge) call it first thing in main().
#pragma once

#include "common/status.h"

namespace mailvault {

// kIOError when either setting is refused; the process is then as it was.
Status MakeProcessUndumpable();

}  // namespace mailvault
