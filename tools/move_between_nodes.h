// `mailvault-admin move ADDR --to R --consent F --target-socket S`: a move to
// a region that another node hosts, driven from here over both nodes' admin
// sockets (the other node's may be forwarded with ssh -L). Only ciphertext
// and metadata pass through this process.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "tools/admin_client.h"

namespace mailvault {

// Runs the steps of Accounts::BeginMoveOut … FinishMoveOut; returns the
// source's report of what it shredded. Throws std::runtime_error with one
// line; on a failure before the target accepted, the account is left on the
// source as it was.
nlohmann::json MoveBetweenNodes(AdminClient& source, AdminClient& target,
                                const std::string& account, const std::string& to_region,
                                const std::string& consent, bool show_progress);

}  // namespace mailvault
