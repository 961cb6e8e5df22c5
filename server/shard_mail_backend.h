// The vault's IMAP back-end: one account's mail in its RegionShard, shown
// to clients as sealed wrappers (server/vault_view.h). Plaintext appended by
// a generic client is sealed to the account's keys before it is stored.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "server/imap/mail_backend.h"
#include "storage/region_shard.h"

namespace mailvault {

class ShardMailBackend final : public imap::MailBackend {
 public:
  ShardMailBackend(RegionShard& shard, std::string account_id, std::string hostname)
      : shard_(shard), account_(std::move(account_id)), hostname_(std::move(hostname)) {}

  const std::string& account() const override { return account_; }
  bool CanSearchContent() const override { return false; }

  Result<std::vector<imap::MailboxInfo>> ListMailboxes() override;
  Status CreateMailbox(const std::string& name) override;
  Status DeleteMailbox(const std::string& name) override;
  Status RenameMailbox(const std::string& from, const std::string& to) override;
  Status SetSubscribed(const std::string& name, bool subscribed) override;
  Result<std::vector<std::string>> ListSubscriptions() override;
  Result<imap::MailboxSnapshot> Snapshot(const std::string& mailbox) override;
  // From the mailbox record's counts, without reading the messages.
  Result<imap::MailboxStatus> StatusOf(const std::string& mailbox, bool with_size) override;
  // The mark the mailbox record keeps (RegionShard::ClaimRecent).
  Result<imap::RecentUids> ClaimRecent(const std::string& mailbox, bool claim) override;
  // From the shard's change index: one range read (docs/STORAGE.md).
  Result<imap::MailboxChanges> ChangesSince(const std::string& mailbox, uint64_t modseq) override;
  Result<std::string> FetchMessage(const std::string& mailbox,
                                   const imap::MessageMeta& meta) override;
  Result<std::vector<imap::AppendOutcome>> AppendAll(
      const std::string& mailbox, std::vector<imap::NewMessage> messages) override;
  Result<std::vector<imap::MessageMeta>> StoreFlags(const std::string& mailbox,
                                                    const std::vector<uint32_t>& uids,
                                                    imap::FlagChange change,
                                                    const std::vector<std::string>& flags,
                                                    std::optional<uint64_t> unchanged_since,
                                                    std::vector<uint32_t>& modified) override;
  Result<imap::CopyOutcome> Copy(const std::string& from, const std::vector<uint32_t>& uids,
                                 const std::string& to) override;
  Result<imap::CopyOutcome> Move(const std::string& from, const std::vector<uint32_t>& uids,
                                 const std::string& to) override;
  Result<std::vector<uint32_t>> Expunge(const std::string& mailbox,
                                        const std::vector<uint32_t>& uids) override;

 private:
  // What the shard stores for one appended message: a sealed upload as the
  // client sealed it, or plaintext sealed here (`recipients` is fetched on
  // the first plaintext message). The plaintext is wiped either way.
  Result<AppendRequest> ToAppendRequest(const std::string& mailbox, imap::NewMessage& message,
                                        std::optional<std::vector<std::string>>& recipients,
                                        bool& sealed_upload);
  Result<AppendRequest> UploadRequest(const std::string& mailbox, std::string_view payload,
                                      const imap::NewMessage& message);
  imap::MessageMeta ToMeta(const MessageEntry& entry) const;
  imap::MailboxInfo ToInfo(const mailvault::MailboxInfo& info) const;

  RegionShard& shard_;
  const std::string account_;
  const std::string hostname_;
};

}  // namespace mailvault
