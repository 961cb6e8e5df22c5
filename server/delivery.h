// Delivery of one message to one account: find its shard, seal the message
// to the account's public keys, append to INBOX durably. The reply strings
// are LMTP's (RFC 2033, enhanced codes from RFC 3463). Blocking: run it on
// the StoragePool.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/imap/mailbox_events.h"
#include "server/metrics/metrics.h"
#include "server/region_shards.h"

namespace mailvault {

struct DeliveryReply {
  bool accepted = false;
  std::string line;  // e.g. "250 2.0.0 <a@b> delivered", without CRLF
};

class Deliverer {
 public:
  // `events`, when given, hears of every delivery (IMAP IDLE wakes on it);
  // `metrics`, when given, counts replies, bytes sealed and append latency.
  Deliverer(const RegionShards& shards, imap::MailboxEvents* events, Metrics* metrics = nullptr)
      : shards_(shards), events_(events), metrics_(metrics) {}

  // The RCPT TO answer: can this account take mail here, now?
  DeliveryReply CheckRecipient(std::string_view account_id) const;

  // The per-recipient answer after DATA. 250 only once the sealed message is
  // durable; nothing plaintext is written anywhere.
  DeliveryReply Deliver(std::string_view account_id, std::string_view message,
                        int64_t internal_date) const;

 private:
  struct Target;
  // Resolves the account to its shard and encryption keys, or a refusal.
  DeliveryReply Resolve(std::string_view account_id, Target& target) const;
  DeliveryReply ResolveAt(std::string_view account_id, const Result<Placement>& placement,
                          Target& target) const;

  DeliveryReply SealAndAppend(std::string_view account_id, std::string_view message,
                              int64_t internal_date) const;

  const RegionShards& shards_;
  imap::MailboxEvents* events_;
  Metrics* metrics_;
};

}  // namespace mailvault
