// The bytes of accounts in transit between nodes. mailvault-admin carries a
// move between two admin sockets in chunks (docs/OPERATIONS.md, "Moving an
// account"): the source keeps the dumped account here until the move ends,
// the target gathers the chunks until it accepts them. In memory only: a
// restart forgets a transfer, and the account is then still on its source,
// suspended until the move is run again or the operator resumes it.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault {

class MoveTransfers {
 public:
  // One chunk of a transfer: at most this many bytes per admin request.
  static constexpr size_t kChunk = 32 << 10;

  struct Outgoing {
    std::string bytes;  // EncodeAccountDump
    bool was_suspended = false;
  };

  // The source side.
  void PutOutgoing(const std::string& account_id, Outgoing outgoing);
  std::optional<bool> OutgoingWasSuspended(const std::string& account_id);
  // Up to kChunk bytes from `offset`; kNotFound when no transfer is open.
  Result<std::string> ReadOutgoing(const std::string& account_id, uint64_t offset,
                                   uint64_t* total);
  void DropOutgoing(const std::string& account_id);

  // The target side: chunks must come in order; offset 0 starts afresh.
  Status WriteIncoming(const std::string& account_id, uint64_t offset, std::string_view chunk);
  // The gathered bytes, removed from here.
  Result<std::string> TakeIncoming(const std::string& account_id);

 private:
  std::mutex mutex_;
  std::map<std::string, Outgoing> outgoing_;
  std::map<std::string, std::string> incoming_;
};

}  // namespace mailvault
