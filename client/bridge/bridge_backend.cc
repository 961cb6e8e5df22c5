#include "client/bridge/bridge_backend.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "client/cli/terminal_text.h"
#include "client/device/trusted_key_log.h"
#include "client/vault/provenance.h"
#include "common/crypto/key_wrap.h"
#include "common/crypto/sealed_message.h"
#include "common/mail/header_summary.h"
#include "server/imap/mime/nul_free_message.h"

namespace mailvault::client {
namespace {

imap::MailboxInfo ToInfo(const VaultMailbox& box) {
  imap::MailboxInfo info;
  info.name = box.name;
  info.uidvalidity = box.uidvalidity;
  info.uidnext = box.uidnext;
  info.highest_modseq = box.highest_modseq;
  info.subscribed = box.subscribed;
  info.special_use = box.special_use;
  return info;
}

}  // namespace

std::string UnreadableNotice(uint32_t uid) {
  return "From: mailvault bridge <bridge@localhost>\r\n"
         "Subject: Message " + std::to_string(uid) + " cannot be opened on this device\r\n"
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
         "None of this device's keys opens this message. It arrived before the device was\r\n"
         "added and was not given to it: run `mailvault key add-device` again on a device\r\n"
         "that reads it.\r\n";
}

BridgeBackend::BridgeBackend(const Device& device, IndexStore& indexes,
                             std::unique_ptr<VaultSession> vault)
    : device_(device),
      indexes_(indexes),
      vault_(std::move(vault)),
      keys_(EncryptionKeysOf(device.keys.keys)) {
  for (const EncryptionKeyPair* key : keys_) key_ids_.push_back(key->id());
}

const EncryptionKeyPair* BridgeBackend::KeyOf(const KeyId& id) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (key_ids_[i] == id) return keys_[i];
  }
  return nullptr;
}

namespace {

const Status& ErrorOf(const Status& status) { return status; }
template <typename T>
const Status& ErrorOf(const Result<T>& result) {
  return result.status();
}

}  // namespace

template <typename Call>
auto BridgeBackend::Retrying(Call&& call) -> decltype(call()) {
  auto result = call();
  if (result.ok() || result.code() != ErrorCode::kUnavailable) return result;
  spdlog::warn("bridge: the vault connection was lost ({}); connecting again",
               EscapeForTerminal(ErrorOf(result).message()));
  if (!Reconnect().ok()) return result;
  return call();
}

Status BridgeBackend::Reconnect() {
  selected_.clear();  // a new session has nothing selected
  Status last;
  auto delay = std::chrono::milliseconds(100);
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto vault = OpenVault(device_);
    if (vault.ok()) {
      vault_ = std::move(vault).value();
      return Status::Ok();
    }
    last = vault.status();
    if (last.code() != ErrorCode::kUnavailable) break;  // refused: trying again will not help
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(3000));
  }
  spdlog::error("bridge: cannot reach the vault again: {}", EscapeForTerminal(last.message()));
  return last;
}

Result<std::vector<imap::MailboxInfo>> BridgeBackend::ListMailboxes() {
  MV_ASSIGN_OR_RETURN(auto boxes, Retrying([&] { return vault_->ListMailboxes(); }));
  std::vector<imap::MailboxInfo> out;
  std::vector<std::string> names;
  for (const VaultMailbox& box : boxes) {
    out.push_back(ToInfo(box));
    names.push_back(box.name);
  }
  indexes_.KeepOnly(names);
  return out;
}

// Run twice after a lost answer, these give ALREADYEXISTS or NONEXISTENT:
// the mail client sees the same as if it had sent the command twice.
Status BridgeBackend::CreateMailbox(const std::string& name) {
  return Retrying([&] { return vault_->CreateMailbox(name); });
}

Status BridgeBackend::DeleteMailbox(const std::string& name) {
  Status deleted = Retrying([&] {
    if (name == selected_) selected_.clear();  // the vault unselects it
    return vault_->DeleteMailbox(name);
  });
  if (deleted.ok()) indexes_.Forget(name);
  return deleted;
}

Status BridgeBackend::RenameMailbox(const std::string& from, const std::string& to) {
  Status renamed = Retrying([&] {
    if (from == selected_) selected_.clear();
    return vault_->RenameMailbox(from, to);
  });
  // The uids move with the name (and RENAME INBOX leaves INBOX empty): both
  // indexes are rebuilt from the vault when next used.
  if (renamed.ok()) {
    indexes_.Forget(from);
    indexes_.Forget(to);
  }
  return renamed;
}

Status BridgeBackend::SetSubscribed(const std::string& name, bool subscribed) {
  return Retrying([&] { return vault_->Subscribe(name, subscribed); });
}

Result<std::vector<std::string>> BridgeBackend::ListSubscriptions() {
  return Retrying([&] { return vault_->ListSubscriptions(); });
}

Result<VaultMailbox> BridgeBackend::Ensure(const std::string& mailbox) {
  MV_ASSIGN_OR_RETURN(VaultMailbox box, vault_->Select(mailbox, /*read_only=*/false));
  selected_ = mailbox;
  selected_uidvalidity_ = box.uidvalidity;
  return box;
}

Result<std::map<uint32_t, LearntMessage>> BridgeBackend::Learn(const std::string& mailbox,
                                                               const std::vector<uint32_t>& uids) {
  std::map<uint32_t, LearntMessage> learnt;
  if (uids.empty()) return learnt;
  const std::string set = UidSetOf(uids);
  MV_ASSIGN_OR_RETURN(auto wraps, FindOwnWraps(*vault_, mailbox, keys_, set));
  MV_ASSIGN_OR_RETURN(auto summaries, vault_->FetchSummaries(mailbox, set));
  for (VaultBlobItem& item : summaries) {
    LearntMessage message;
    message.blob_id = item.blob_id;
    auto wrap = wraps.find(item.uid);
    if (wrap != wraps.end()) {
      auto data_key = wrap->second.DataKey();
      auto summary = data_key.ok() ? OpenSummary(item.bytes, *data_key,
                                                 SealBinding{device_.profile.account, item.blob_id})
                                   : Result<MessageSummary>(data_key.status());
      if (summary.ok()) {
        message.key = wrap->second.key->id();
        message.wrap = std::move(wrap->second.wrap.sealed_key);
        message.size = summary->size;
        message.device_seal = std::move(summary->device_seal);
      }
    }
    if (!message.key) message.size = UnreadableNotice(item.uid).size();
    learnt.emplace(item.uid, std::move(message));
  }
  return learnt;
}

Status BridgeBackend::PutListed(const std::string& mailbox,
                                const std::vector<VaultMessage>& listed, MailboxIndex& index) {
  constexpr size_t kChunk = 2000;
  for (size_t begin = 0; begin < listed.size(); begin += kChunk) {
    const size_t end = std::min(listed.size(), begin + kChunk);
    std::vector<uint32_t> uids;
    for (size_t i = begin; i < end; ++i) uids.push_back(listed[i].uid);
    MV_ASSIGN_OR_RETURN(auto learnt, Learn(mailbox, index.Unknown(uids)));
    for (size_t i = begin; i < end; ++i) {
      const VaultMessage& m = listed[i];
      auto it = learnt.find(m.uid);
      // Listed but without a summary: expunged meanwhile (the next sync says so).
      index.Put(m.uid, m.modseq, m.internal_date, m.flags, it == learnt.end() ? nullptr : &it->second);
    }
  }
  return Status::Ok();
}

Status BridgeBackend::SyncIndex(const std::string& mailbox, const VaultMailbox& box,
                                MailboxIndex& index) {
  // Another UIDVALIDITY names other messages; a modseq above the vault's is
  // an index of some other vault's past: both are rebuilt.
  if (index.uidvalidity() != box.uidvalidity || index.modseq() > box.highest_modseq) {
    index.Reset(box.uidvalidity);
  }
  if (index.modseq() != 0 && index.modseq() == box.highest_modseq) return Status::Ok();
  if (index.modseq() == 0) {
    // The first sync: the whole listing (flags, modseqs, dates), and every
    // summary opened once.
    std::vector<VaultMessage> listed;
    if (box.messages > 0) {
      MV_ASSIGN_OR_RETURN(listed, vault_->FetchMessages("1:*"));
    }
    MV_RETURN_IF_ERROR(PutListed(mailbox, listed, index));
    std::vector<uint32_t> uids;
    for (const VaultMessage& m : listed) uids.push_back(m.uid);
    index.KeepOnly(uids, box.highest_modseq);
  } else {
    MV_ASSIGN_OR_RETURN(VaultChanges changes,
                        vault_->FetchChangedSince(index.modseq(),
                                                  box.uidnext > 0 ? box.uidnext - 1 : 0));
    MV_RETURN_IF_ERROR(PutListed(mailbox, changes.changed, index));
    index.RemoveWithin(changes.vanished, box.highest_modseq);
  }
  index.SetSynced(box.highest_modseq);
  indexes_.Save(mailbox, index);
  return Status::Ok();
}

Result<imap::MailboxSnapshot> BridgeBackend::Snapshot(const std::string& mailbox) {
  return Retrying([&] { return SnapshotOnce(mailbox); });
}

Result<imap::MailboxSnapshot> BridgeBackend::SnapshotOnce(const std::string& mailbox) {
  MV_ASSIGN_OR_RETURN(VaultMailbox box, Ensure(mailbox));
  auto index = indexes_.Of(mailbox);
  std::lock_guard lock(index->mutex());
  MV_RETURN_IF_ERROR(SyncIndex(mailbox, box, *index));
  return index->Snapshot(ToInfo(box));
}

Result<imap::MailboxStatus> BridgeBackend::StatusOf(const std::string& mailbox, bool with_size) {
  if (with_size) return imap::MailBackend::StatusOf(mailbox, with_size);
  MV_ASSIGN_OR_RETURN(VaultMailbox box, Retrying([&] { return vault_->MailboxStatus(mailbox); }));
  imap::MailboxStatus status;
  status.info = ToInfo(box);
  status.messages = box.messages;
  status.unseen = box.unseen;
  status.deleted = box.deleted;
  // RECENT: what no session of the bridge has claimed yet, and what arrived
  // after the index's last sync (all of it new to the bridge; counted as
  // the vault's messages beyond the index's, exact unless something was
  // also expunged since that sync).
  auto index = indexes_.Of(mailbox);
  std::lock_guard lock(index->mutex());
  if (index->uidvalidity() == box.uidvalidity) {
    const uint32_t indexed = static_cast<uint32_t>(index->size());
    status.recent = index->RecentCount() + (box.messages > indexed ? box.messages - indexed : 0);
  }
  return status;
}

Result<imap::RecentUids> BridgeBackend::ClaimRecent(const std::string& mailbox, bool claim) {
  auto index = indexes_.Of(mailbox);
  std::lock_guard lock(index->mutex());
  return index->ClaimRecent(claim);
}

Result<imap::MailboxChanges> BridgeBackend::ChangesSince(const std::string& mailbox,
                                                         uint64_t modseq) {
  return Retrying([&] { return ChangesSinceOnce(mailbox, modseq); });
}

Result<imap::MailboxChanges> BridgeBackend::ChangesSinceOnce(const std::string& mailbox,
                                                             uint64_t modseq) {
  // A vault connection that is new (reconnected) or on another mailbox, or
  // a mailbox that is another one now (UIDVALIDITY), is selected again.
  std::optional<VaultMailbox> box;
  if (selected_ == mailbox) {
    MV_ASSIGN_OR_RETURN(box, vault_->MailboxStatus(mailbox));
    box->subscribed = true;  // STATUS does not say; the engine's view does not use it
  }
  if (!box || box->uidvalidity != selected_uidvalidity_) {
    MV_ASSIGN_OR_RETURN(box, Ensure(mailbox));
  }
  auto index = indexes_.Of(mailbox);
  std::lock_guard lock(index->mutex());
  MV_RETURN_IF_ERROR(SyncIndex(mailbox, *box, *index));
  return index->ChangesSince(ToInfo(*box), modseq);
}

Result<std::string> BridgeBackend::FetchMessage(const std::string& mailbox,
                                                const imap::MessageMeta& meta) {
  return Retrying([&] { return FetchMessageOnce(mailbox, meta); });
}

Result<std::string> BridgeBackend::FetchMessageOnce(const std::string& mailbox,
                                                    const imap::MessageMeta& meta) {
  if (selected_ != mailbox) MV_RETURN_IF_ERROR(Ensure(mailbox).status());
  auto index = indexes_.Of(mailbox);
  IndexedMessage message;
  std::optional<DeviceSeal> device_seal;
  {
    std::lock_guard lock(index->mutex());
    const IndexedMessage* found =
        index->uidvalidity() == selected_uidvalidity_ ? index->Find(meta.uid) : nullptr;
    if (found == nullptr) {
      return Result<std::string>(ErrorCode::kNotFound, "the message is gone from the vault");
    }
    if (!found->readable) {
      // Another device may have given this one a wrap since: look again.
      MV_ASSIGN_OR_RETURN(auto learnt, Learn(mailbox, {meta.uid}));
      if (learnt.count(meta.uid)) index->SetLearnt(meta.uid, learnt.at(meta.uid));
    }
    message = *found;
    device_seal = index->DeviceSealOf(meta.uid);
  }
  const EncryptionKeyPair* key = message.readable ? KeyOf(message.key) : nullptr;
  if (key == nullptr) return UnreadableNotice(meta.uid);
  const OwnWrap wrap{message.blob_id,
                     Wrap{message.key, std::string(message.wrap.data(), message.wrap.size())}, key};
  MV_ASSIGN_OR_RETURN(SecretBytes data_key, wrap.DataKey());
  std::string sealed_body_hash;
  MV_ASSIGN_OR_RETURN(std::string body,
                      OpenMessageBody(*vault_, device_.profile.cache_dir(), device_.profile.account,
                                      message.blob_id, meta.uid, data_key, &sealed_body_hash));
  Status sealed_by = CheckDeviceSeal(device_seal, message.blob_id, sealed_body_hash);
  if (!sealed_by.ok()) {
    sodium_memzero(body.data(), body.size());
    spdlog::error("bridge: message {} of {}: {}", meta.uid, EscapeForTerminal(mailbox),
                  sealed_by.message());
    return sealed_by;
  }
  // The summary gave the stored size; a message with NULs is served larger
  // (base64 where it had raw NULs). The index learns it now, so later
  // SELECTs answer RFC822.SIZE, SEARCH LARGER and SORT SIZE with it too.
  const uint64_t served_size = imap::mime::ServedMessageSize(body);
  if (served_size != message.size) {
    std::lock_guard lock(index->mutex());
    const IndexedMessage* found =
        index->uidvalidity() == selected_uidvalidity_ ? index->Find(meta.uid) : nullptr;
    if (found != nullptr && found->blob_id == message.blob_id) {
      index->SetServedSize(meta.uid, served_size);
      indexes_.Save(mailbox, *index);
    }
  }
  return body;
}

Status BridgeBackend::CheckDeviceSeal(const std::optional<DeviceSeal>& seal, const BlobId& blob_id,
                                      const std::string& sealed_body_hash) {
  if (!seal) return Status::Ok();
  if (!key_log_ || key_log_->Find(seal->signer) == nullptr) {
    MV_ASSIGN_OR_RETURN(TrustedKeyLog trusted, FetchTrustedKeyLog(*vault_, device_));
    key_log_ = std::move(trusted.state);
  }
  MessageSummary claim;
  claim.device_seal = seal;
  return CheckProvenance(claim, *key_log_, device_.profile.account, blob_id, sealed_body_hash)
      .status();
}

Result<std::vector<imap::AppendOutcome>> BridgeBackend::AppendAll(
    const std::string& mailbox, std::vector<imap::NewMessage> messages) {
  auto wipe_all = [&messages] {
    for (imap::NewMessage& message : messages) {
      sodium_memzero(message.data.data(), message.data.size());
    }
  };
  // Sealed here, to the account's encryption keys the key log proves and
  // this device has pinned: the vault receives Sent and Drafts as it
  // receives deliveries, never in plaintext, and a key the customer never
  // signed receives nothing. A log that does not check is refused (the
  // engine answers NO [UNAVAILABLE]) and logged.
  auto trusted = Retrying([&] { return FetchTrustedKeyLog(*vault_, device_); });
  if (!trusted.ok() && trusted.code() == ErrorCode::kUnavailable) {
    wipe_all();
    return trusted.status();
  }
  if (!trusted.ok()) {
    spdlog::error("bridge: refusing to seal an APPEND: {}", trusted.status().message());
    wipe_all();
    return Status(ErrorCode::kTampered, "the vault's key log does not check; nothing was stored (" +
                                            trusted.status().message() + ")");
  }
  std::vector<SealedMessage> sealed;
  sealed.reserve(messages.size());
  for (const imap::NewMessage& message : messages) {
    auto one = SealMessage(device_.profile.account, RandomBlobId(), message.data,
                           SummarizeMessage(message.data), trusted->SealingKeys(),
                           trusted->DeviceSigner(device_));
    if (!one.ok()) {
      wipe_all();
      return one.status();
    }
    sealed.push_back(std::move(one).value());
  }
  wipe_all();
  std::vector<SealedAppend> uploads;
  for (size_t i = 0; i < sealed.size(); ++i) {
    uploads.push_back(SealedAppend{&sealed[i], messages[i].flags, messages[i].internal_date});
  }
  // One MULTIAPPEND of sealed uploads, which the vault stores in one commit
  // or not at all. Sent again after a lost answer, the same blob ids get
  // ALREADYEXISTS rather than second copies: then the first try stored them
  // all, and the client hears OK (without uids, which the vault did not get
  // to say).
  bool retried = false;
  auto appended = Retrying([&] {
    auto result = vault_->AppendSealedAll(mailbox, uploads);
    if (retried && result.code() == ErrorCode::kAlreadyExists) {
      return Result<VaultAppendAll>(VaultAppendAll{});
    }
    retried = true;
    return result;
  });
  if (!appended.ok()) return appended.status();
  std::vector<imap::AppendOutcome> outcomes(messages.size());
  for (size_t i = 0; i < outcomes.size(); ++i) {
    outcomes[i].uidvalidity = appended->uidvalidity;
    if (appended->uids.size() == outcomes.size()) outcomes[i].uid = appended->uids[i];
  }
  return outcomes;
}

Result<std::vector<imap::MessageMeta>> BridgeBackend::StoreFlags(
    const std::string& mailbox, const std::vector<uint32_t>& uids, imap::FlagChange change,
    const std::vector<std::string>& flags, std::optional<uint64_t> unchanged_since,
    std::vector<uint32_t>& modified) {
  // Setting, adding or removing flags twice is setting them once.
  return Retrying([&]() -> Result<std::vector<imap::MessageMeta>> {
    modified.clear();
    return StoreFlagsOnce(mailbox, uids, change, flags, unchanged_since, modified);
  });
}

Result<std::vector<imap::MessageMeta>> BridgeBackend::StoreFlagsOnce(
    const std::string& mailbox, const std::vector<uint32_t>& uids, imap::FlagChange change,
    const std::vector<std::string>& flags, std::optional<uint64_t> unchanged_since,
    std::vector<uint32_t>& modified) {
  if (selected_ != mailbox) MV_RETURN_IF_ERROR(Ensure(mailbox).status());
  const char* operation = change == imap::FlagChange::kAdd      ? "+FLAGS"
                          : change == imap::FlagChange::kRemove ? "-FLAGS"
                                                                : "FLAGS";
  MV_ASSIGN_OR_RETURN(auto changed,
                      vault_->StoreFlags(uids, operation, flags, unchanged_since, modified));
  // The vault reports only what changed (flags and modseqs); the rest of
  // each message's metadata is the index's, which takes the change too.
  std::vector<imap::MessageMeta> out;
  auto index = indexes_.Of(mailbox);
  std::lock_guard lock(index->mutex());
  if (index->uidvalidity() != selected_uidvalidity_) return out;  // the next sync resets it
  for (const VaultMessage& m : changed) {
    const IndexedMessage* known = index->Find(m.uid);
    if (known == nullptr) continue;
    index->Put(m.uid, m.modseq, known->internal_date, m.flags, nullptr);
    imap::MessageMeta meta = index->MetaOf(*known);
    meta.flags = m.flags;  // as the vault has them, whatever a later sync brought
    meta.modseq = m.modseq;
    out.push_back(std::move(meta));
  }
  return out;
}

Result<imap::CopyOutcome> BridgeBackend::Transfer(const std::string& from,
                                                  const std::vector<uint32_t>& uids,
                                                  const std::string& to, bool move) {
  auto once = [&]() -> Result<VaultCopy> {
    if (selected_ != from) MV_RETURN_IF_ERROR(Ensure(from).status());
    return vault_->Copy(uids, to, move);
  };
  // A MOVE run twice moves what is left (nothing); a COPY would copy twice,
  // so it is not run again: its error stands, and the next call reconnects.
  auto copied = move ? Retrying(once) : once();
  if (!move && copied.code() == ErrorCode::kUnavailable) (void)Reconnect();
  MV_ASSIGN_OR_RETURN(VaultCopy copy, std::move(copied));
  imap::CopyOutcome outcome;
  outcome.uidvalidity = copy.uidvalidity;
  for (const auto& [source, target] : copy.uids) {
    outcome.source_uids.push_back(source);
    outcome.target_uids.push_back(target);
  }
  if (move) ForgetExpunged(from, outcome.source_uids);
  return outcome;
}

Result<imap::CopyOutcome> BridgeBackend::Copy(const std::string& from,
                                              const std::vector<uint32_t>& uids,
                                              const std::string& to) {
  return Transfer(from, uids, to, /*move=*/false);
}

Result<imap::CopyOutcome> BridgeBackend::Move(const std::string& from,
                                              const std::vector<uint32_t>& uids,
                                              const std::string& to) {
  return Transfer(from, uids, to, /*move=*/true);
}

Result<std::vector<uint32_t>> BridgeBackend::Expunge(const std::string& mailbox,
                                                     const std::vector<uint32_t>& uids) {
  auto expunged = Retrying([&]() -> Result<std::vector<uint32_t>> {
    if (selected_ != mailbox) MV_RETURN_IF_ERROR(Ensure(mailbox).status());
    return vault_->Expunge(uids);
  });
  if (expunged.ok()) ForgetExpunged(mailbox, *expunged);
  return expunged;
}

void BridgeBackend::ForgetExpunged(const std::string& mailbox, const std::vector<uint32_t>& uids) {
  // At once rather than at the next sync, so that other sessions on the
  // mailbox hear of it at their next NOOP even before the vault is asked.
  auto index = indexes_.Of(mailbox);
  std::lock_guard lock(index->mutex());
  if (index->uidvalidity() == selected_uidvalidity_) index->Remove(uids, 0);
}

}  // namespace mailvault::client
