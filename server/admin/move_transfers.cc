#include "server/admin/move_transfers.h"

#include <algorithm>

namespace mailvault {

void MoveTransfers::PutOutgoing(const std::string& account_id, Outgoing outgoing) {
  std::lock_guard<std::mutex> lock(mutex_);
  outgoing_[account_id] = std::move(outgoing);
}

std::optional<bool> MoveTransfers::OutgoingWasSuspended(const std::string& account_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = outgoing_.find(account_id);
  if (it == outgoing_.end()) return std::nullopt;
  return it->second.was_suspended;
}

Result<std::string> MoveTransfers::ReadOutgoing(const std::string& account_id, uint64_t offset,
                                                uint64_t* total) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = outgoing_.find(account_id);
  if (it == outgoing_.end()) {
    return Status(ErrorCode::kNotFound, "no move of " + account_id + " is under way here");
  }
  const std::string& bytes = it->second.bytes;
  *total = bytes.size();
  if (offset > bytes.size()) return Status(ErrorCode::kInvalidArgument, "offset past the end");
  return bytes.substr(offset, std::min<uint64_t>(kChunk, bytes.size() - offset));
}

void MoveTransfers::DropOutgoing(const std::string& account_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  outgoing_.erase(account_id);
}

Status MoveTransfers::WriteIncoming(const std::string& account_id, uint64_t offset,
                                    std::string_view chunk) {
  if (chunk.size() > kChunk) return Status(ErrorCode::kInvalidArgument, "chunk too large");
  std::lock_guard<std::mutex> lock(mutex_);
  std::string& bytes = incoming_[account_id];
  if (offset == 0) bytes.clear();
  if (offset != bytes.size()) {
    return Status(ErrorCode::kInvalidArgument,
                  "chunk at " + std::to_string(offset) + " but " + std::to_string(bytes.size()) +
                      " bytes gathered: restart the transfer");
  }
  bytes.append(chunk);
  return Status::Ok();
}

Result<std::string> MoveTransfers::TakeIncoming(const std::string& account_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = incoming_.find(account_id);
  if (it == incoming_.end()) {
    return Status(ErrorCode::kNotFound, "nothing of " + account_id + " was sent here");
  }
  std::string bytes = std::move(it->second);
  incoming_.erase(it);
  return bytes;
}

}  // namespace mailvault
