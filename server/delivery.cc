#include "server/delivery.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include <vector>

#include "common/crypto/sealed_message.h"
#include "common/mail/header_summary.h"
#include "server/sealing_keys.h"

namespace mailvault {

struct Deliverer::Target {
  RegionShard* shard = nullptr;
  std::vector<std::string> public_keys;
};

namespace {

DeliveryReply Reply(bool accepted, std::string_view code, std::string_view account_id,
                    std::string_view text) {
  std::string line(code);
  line += " <";
  line += account_id;
  line += "> ";
  line += text;
  return {accepted, std::move(line)};
}

DeliveryReply TemporaryFailure(std::string_view account_id) {
  return Reply(false, "451 4.3.0", account_id, "temporary storage failure, try again later");
}

}  // namespace

DeliveryReply Deliverer::Resolve(std::string_view account_id, Target& target) const {
  // A recent placement serves the hot path; a permanent refusal is given
  // only on a fresh one (a cached placement may predate a move).
  DeliveryReply reply = ResolveAt(account_id, shards_.directory().LookupRecent(account_id), target);
  if (reply.accepted || reply.line.starts_with("4")) return reply;
  return ResolveAt(account_id, shards_.directory().Lookup(account_id), target);
}

DeliveryReply Deliverer::ResolveAt(std::string_view account_id,
                                   const Result<Placement>& placement, Target& target) const {
  if (!placement.ok()) {
    if (placement.code() == ErrorCode::kNotFound) {
      return Reply(false, "550 5.1.1", account_id, "no such account");
    }
    return TemporaryFailure(account_id);
  }
  const std::string& region = placement->home_region;
  target.shard = shards_.Find(region);
  if (target.shard == nullptr) {
    return Reply(false, "550 5.1.6", account_id, "account is homed in region " + region);
  }
  auto account = target.shard->GetAccount(account_id);
  if (!account.ok()) {
    if (account.code() == ErrorCode::kNotFound) {
      return Reply(false, "550 5.1.1", account_id, "no such account");
    }
    return TemporaryFailure(account_id);
  }
  if (account->home_region != region) {  // moved, and the directory lags
    return Reply(false, "550 5.1.6", account_id,
                 "account is homed in region " + account->home_region);
  }
  if (account->suspended) {  // temporary: the MTA queues until it is resumed
    return Reply(false, "450 4.2.1", account_id, "account is suspended");
  }
  auto keys = SealingKeys(*target.shard, account_id);
  if (!keys.ok()) {
    // A key log that does not replay needs the operator: mail waits meanwhile.
    spdlog::error("delivery: the key log of an account does not replay: {}", keys.status().message());
    return TemporaryFailure(account_id);
  }
  target.public_keys = std::move(keys).value();
  if (target.public_keys.empty()) {
    // Plaintext is never stored while an account waits for its first key.
    return Reply(false, "450 4.2.0", account_id, "account has no registered key yet");
  }
  return Reply(true, "250 2.1.5", account_id, "recipient ok");
}

DeliveryReply Deliverer::CheckRecipient(std::string_view account_id) const {
  Target target;
  DeliveryReply reply = Resolve(account_id, target);
  // A recipient refused here gets no reply after DATA: its outcome is this.
  if (!reply.accepted && metrics_ != nullptr) metrics_->CountDelivery(reply.line);
  return reply;
}

DeliveryReply Deliverer::Deliver(std::string_view account_id, std::string_view message,
                                 int64_t internal_date) const {
  const auto started = std::chrono::steady_clock::now();
  DeliveryReply reply = SealAndAppend(account_id, message, internal_date);
  if (metrics_ != nullptr) {
    metrics_->CountDelivery(reply.line);
    if (reply.accepted) {
      metrics_->bytes_sealed_total.fetch_add(message.size(), std::memory_order_relaxed);
      metrics_->append_seconds.Observe(std::chrono::steady_clock::now() - started);
    }
  }
  return reply;
}

DeliveryReply Deliverer::SealAndAppend(std::string_view account_id, std::string_view message,
                                       int64_t internal_date) const {
  Target target;
  DeliveryReply resolved = Resolve(account_id, target);
  if (!resolved.accepted) return resolved;

  auto sealed = SealMessage(account_id, RandomBlobId(), message, SummarizeMessage(message),
                            target.public_keys);
  if (!sealed.ok()) return TemporaryFailure(account_id);
  auto appended = target.shard->Append(
      account_id, AppendRequest::FromSealed("INBOX", std::move(sealed).value(), {}, internal_date));
  if (!appended.ok()) {
    switch (appended.code()) {
      case ErrorCode::kWrongRegion:
        return Reply(false, "550 5.1.6", account_id, "account has moved to another region");
      case ErrorCode::kKeyNotActive:  // revoked between lookup and append
        return Reply(false, "450 4.2.0", account_id, "account keys changed, try again later");
      case ErrorCode::kNoSpace:  // RFC 3463 4.3.1: the MTA queues and retries
        return Reply(false, "452 4.3.1", account_id,
                     "mail system full, nothing stored, try again later");
      default:
        return TemporaryFailure(account_id);
    }
  }
  if (events_ != nullptr) events_->Notify(account_id, "INBOX");
  return Reply(true, "250 2.0.0", account_id,
               "delivered as uid " + std::to_string(appended->uid));
}

}  // namespace mailvault
