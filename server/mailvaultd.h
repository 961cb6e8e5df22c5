#pragma once

#include "common/status.h"
#include "server/config.h"

namespace mailvault {

// Opens the shards, binds the listeners and serves until SIGTERM or SIGINT,
// then shuts down gracefully. `print_welcome` prints how to connect (the
// embedded default configuration, for a first run).
Status RunMailvaultd(const Config& config, bool print_welcome);

}  // namespace mailvault
