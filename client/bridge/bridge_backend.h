// The bridge's MailBackend: the IMAP engine that mailvaultd runs, over the
// customer's remote vault, with every message opened on this device. Mail
// clients on loopback see the original messages; the vault sees what it
// always sees (sealed bodies, wraps and flags).
//
// One back-end per client session, each with its own vault connection; the
// engine calls it from one storage-pool thread at a time. The connection may
// drop at any time (the vault restarts, or ends the session with BYE, as it
// does when another session renames the mailbox this one has selected): the
// back-end then connects again, with back-off, and runs the call once more,
// so the mail client sees a short delay rather than an error.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "client/device/device.h"
#include "client/vault/opened_mailbox.h"
#include "client/vault/vault_session.h"
#include "server/imap/mail_backend.h"

namespace mailvault::client {

class BridgeBackend : public imap::MailBackend {
 public:
  BridgeBackend(const Device& device, std::unique_ptr<VaultSession> vault);

  const std::string& account() const override { return device_.profile.account; }
  bool CanSearchContent() const override { return true; }

  Result<std::vector<imap::MailboxInfo>> ListMailboxes() override;
  Status CreateMailbox(const std::string& name) override;
  Status DeleteMailbox(const std::string& name) override;
  Status RenameMailbox(const std::string& from, const std::string& to) override;
  Status SetSubscribed(const std::string& name, bool subscribed) override;

  Result<imap::MailboxSnapshot> Snapshot(const std::string& mailbox) override;
  // From the vault's STATUS counts (SIZE, of the plaintext, from a snapshot).
  Result<imap::MailboxStatus> StatusOf(const std::string& mailbox, bool with_size) override;
  // From the vault's change index (STATUS, then UID FETCH CHANGEDSINCE with
  // VANISHED): NOOP and IDLE cost the changes, not a listing of the mailbox.
  Result<imap::MailboxChanges> ChangesSince(const std::string& mailbox, uint64_t modseq) override;
  Result<std::string> FetchMessage(const std::string& mailbox, const imap::MessageMeta& meta) override;

  Result<imap::AppendOutcome> Append(const std::string& mailbox, std::string message,
                                     const std::vector<std::string>& flags,
                                     int64_t internal_date) override;
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
  // What this device knows of one message, learnt once per uid.
  struct Opened {
    std::optional<OwnWrap> wrap;  // none: no key of this device opens it
    uint64_t size = 0;            // of the plaintext (or of the notice shown instead)
    // The summary's claim that this account's device sealed it, checked
    // when the body is read (only this: the bridge holds one per message).
    std::optional<DeviceSeal> device_seal;
  };
  using MessageKey = std::tuple<std::string, uint32_t, uint32_t>;  // mailbox, uidvalidity, uid

  // Runs `call`; if the vault connection was lost, reconnects and runs it
  // once more. Every call given here must be safe to run twice (COPY, which
  // would copy twice, is not retried).
  template <typename Call>
  auto Retrying(Call&& call) -> decltype(call());
  // A new vault connection, tried with back-off for about ten seconds.
  Status Reconnect();

  Result<imap::MailboxSnapshot> SnapshotOnce(const std::string& mailbox);
  Result<imap::MailboxChanges> ChangesSinceOnce(const std::string& mailbox, uint64_t modseq);
  Result<std::string> FetchMessageOnce(const std::string& mailbox, const imap::MessageMeta& meta);
  Result<std::vector<imap::MessageMeta>> StoreFlagsOnce(const std::string& mailbox,
                                                        const std::vector<uint32_t>& uids,
                                                        imap::FlagChange change,
                                                        const std::vector<std::string>& flags,
                                                        std::optional<uint64_t> unchanged_since,
                                                        std::vector<uint32_t>& modified);

  // Selects `mailbox` on the vault unless it is selected already.
  Result<VaultMailbox> Ensure(const std::string& mailbox);
  // Opens the data keys and summaries of the uids not yet known.
  Status Learn(const std::string& mailbox, uint32_t uidvalidity, const std::vector<uint32_t>& uids);
  imap::MessageMeta ToMeta(const std::string& mailbox, const VaultMessage& message) const;
  Result<imap::CopyOutcome> Transfer(const std::string& from, const std::vector<uint32_t>& uids,
                                     const std::string& to, bool move);

  // The sealed body's DeviceSeal, if the summary claims one, against the
  // verified key log (fetched again when it does not know the signer).
  Status CheckDeviceSeal(const Opened& opened, const std::string& sealed_body_hash);

  const Device& device_;
  std::unique_ptr<VaultSession> vault_;
  std::optional<KeyLogState> key_log_;
  KeyRing keys_;
  std::string selected_;
  uint32_t selected_uidvalidity_ = 0;
  std::map<MessageKey, Opened> opened_;
  std::map<std::string, uint32_t> uidvalidity_;  // per mailbox, as last seen
};

// What a client sees for a message none of this device's keys opens (one
// delivered before this device was added and never re-wrapped to it).
std::string UnreadableNotice(uint32_t uid);

}  // namespace mailvault::client
