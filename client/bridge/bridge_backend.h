// The bridge's MailBackend: the IMAP engine that mailvaultd runs, over the
// customer's remote vault, with every message opened on this device. Mail
// clients on loopback see the original messages; the vault sees what it
// always sees (sealed bodies, wraps and flags).
//
// One back-end per client session, each with its own vault connection; the
// engine calls it from one storage-pool thread at a time. What the sessions
// know of each mailbox is one local index they share (index_store.h): a
// SELECT reads it after asking the vault only for what changed since. The
// connection may
// drop at any time (the vault restarts, or ends the session with BYE, as it
// does when another session renames the mailbox this one has selected): the
// back-end then connects again, with back-off, and runs the call once more,
// so the mail client sees a short delay rather than an error.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "client/bridge/index_store.h"
#include "client/device/device.h"
#include "client/vault/opened_mailbox.h"
#include "client/vault/vault_session.h"
#include "server/imap/mail_backend.h"

namespace mailvault::client {

class BridgeBackend : public imap::MailBackend {
 public:
  BridgeBackend(const Device& device, IndexStore& indexes, std::unique_ptr<VaultSession> vault);

  const std::string& account() const override { return device_.profile.account; }
  bool CanSearchContent() const override { return true; }

  Result<std::vector<imap::MailboxInfo>> ListMailboxes() override;
  Status CreateMailbox(const std::string& name) override;
  Status DeleteMailbox(const std::string& name) override;
  Status RenameMailbox(const std::string& from, const std::string& to) override;
  Status SetSubscribed(const std::string& name, bool subscribed) override;
  Result<std::vector<std::string>> ListSubscriptions() override;

  // From the local index, once brought up to date with the vault.
  Result<imap::MailboxSnapshot> Snapshot(const std::string& mailbox) override;
  // From the vault's STATUS counts (SIZE, of the plaintext, from a snapshot).
  Result<imap::MailboxStatus> StatusOf(const std::string& mailbox, bool with_size) override;
  // The vault's STATUS, then (if it moved on) the vault's changes since the
  // index's modseq (UID FETCH CHANGEDSINCE with VANISHED) into the index,
  // then the changes since the engine's view from the index: NOOP and IDLE
  // cost the changes, not a listing of the mailbox.
  Result<imap::MailboxChanges> ChangesSince(const std::string& mailbox, uint64_t modseq) override;
  // Among the bridge's sessions, from the mark its index keeps (the vault's
  // own \Recent is of the vault's sessions, one of which this bridge is).
  Result<imap::RecentUids> ClaimRecent(const std::string& mailbox, bool claim) override;
  Result<std::string> FetchMessage(const std::string& mailbox, const imap::MessageMeta& meta) override;

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

  // Selects `mailbox` on the vault.
  Result<VaultMailbox> Ensure(const std::string& mailbox);
  // Brings the index of `mailbox`, selected on this connection as `box`, up
  // to the vault. The caller holds the index's mutex.
  Status SyncIndex(const std::string& mailbox, const VaultMailbox& box, MailboxIndex& index);
  // Puts the listed messages into the index, opening the wraps and sealed
  // summaries of those it does not know yet (in chunks: one mailbox of
  // 100,000 must not be held twice in memory).
  Status PutListed(const std::string& mailbox, const std::vector<VaultMessage>& listed,
                   MailboxIndex& index);
  // Opens the wraps and summaries of `uids` (one round trip each).
  Result<std::map<uint32_t, LearntMessage>> Learn(const std::string& mailbox,
                                                  const std::vector<uint32_t>& uids);
  // Removes what this session expunged (or moved away) from the index.
  void ForgetExpunged(const std::string& mailbox, const std::vector<uint32_t>& uids);
  const EncryptionKeyPair* KeyOf(const KeyId& id) const;
  Result<imap::CopyOutcome> Transfer(const std::string& from, const std::vector<uint32_t>& uids,
                                     const std::string& to, bool move);

  // The sealed body's DeviceSeal, if the summary claims one, against the
  // verified key log (fetched again when it does not know the signer).
  Status CheckDeviceSeal(const std::optional<DeviceSeal>& seal, const BlobId& blob_id,
                         const std::string& sealed_body_hash);

  const Device& device_;
  IndexStore& indexes_;
  std::unique_ptr<VaultSession> vault_;
  std::optional<KeyLogState> key_log_;
  KeyRing keys_;
  std::vector<KeyId> key_ids_;  // of keys_, in its order
  std::string selected_;  // on the vault connection
  uint32_t selected_uidvalidity_ = 0;
};

// What a client sees for a message none of this device's keys opens (one
// delivered before this device was added and never re-wrapped to it).
std::string UnreadableNotice(uint32_t uid);

}  // namespace mailvault::client
