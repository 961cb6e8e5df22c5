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

BridgeBackend::BridgeBackend(const Device& device, std::unique_ptr<VaultSession> vault)
    : device_(device), vault_(std::move(vault)), keys_(EncryptionKeysOf(device.keys.keys)) {}

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
  for (const VaultMailbox& box : boxes) out.push_back(ToInfo(box));
  return out;
}

// Run twice after a lost answer, these give ALREADYEXISTS or NONEXISTENT:
// the mail client sees the same as if it had sent the command twice.
Status BridgeBackend::CreateMailbox(const std::string& name) {
  return Retrying([&] { return vault_->CreateMailbox(name); });
}

Status BridgeBackend::DeleteMailbox(const std::string& name) {
  return Retrying([&] {
    if (name == selected_) selected_.clear();  // the vault unselects it
    return vault_->DeleteMailbox(name);
  });
}

Status BridgeBackend::RenameMailbox(const std::string& from, const std::string& to) {
  return Retrying([&] {
    if (from == selected_) selected_.clear();
    return vault_->RenameMailbox(from, to);
  });
}

Status BridgeBackend::SetSubscribed(const std::string& name, bool subscribed) {
  return Retrying([&] { return vault_->Subscribe(name, subscribed); });
}

Result<VaultMailbox> BridgeBackend::Ensure(const std::string& mailbox) {
  MV_ASSIGN_OR_RETURN(VaultMailbox box, vault_->Select(mailbox, /*read_only=*/false));
  selected_ = mailbox;
  selected_uidvalidity_ = box.uidvalidity;
  auto& known = uidvalidity_[mailbox];
  if (known != box.uidvalidity) {
    // A new uidvalidity: the uids name other messages now.
    opened_.erase(opened_.lower_bound({mailbox, 0, 0}),
                  opened_.lower_bound({mailbox + '\0', 0, 0}));
    known = box.uidvalidity;
  }
  return box;
}

Status BridgeBackend::Learn(const std::string& mailbox, uint32_t uidvalidity,
                            const std::vector<uint32_t>& uids) {
  std::vector<uint32_t> unknown;
  for (uint32_t uid : uids) {
    if (!opened_.count({mailbox, uidvalidity, uid})) unknown.push_back(uid);
  }
  if (unknown.empty()) return Status::Ok();
  const std::string set = UidSetOf(unknown);
  MV_ASSIGN_OR_RETURN(auto wraps, FindOwnWraps(*vault_, mailbox, keys_, set));
  MV_ASSIGN_OR_RETURN(auto summaries, vault_->FetchSummaries(mailbox, set));
  for (VaultBlobItem& item : summaries) {
    Opened opened;
    auto wrap = wraps.find(item.uid);
    if (wrap != wraps.end()) {
      auto data_key = wrap->second.DataKey();
      auto summary = data_key.ok() ? OpenSummary(item.bytes, *data_key,
                                                 SealBinding{device_.profile.account, item.blob_id})
                                   : Result<MessageSummary>(data_key.status());
      if (summary.ok()) {
        opened.wrap = std::move(wrap->second);
        opened.size = summary->size;
        opened.device_seal = std::move(summary->device_seal);
      }
    }
    if (!opened.wrap) opened.size = UnreadableNotice(item.uid).size();
    opened_[{mailbox, uidvalidity, item.uid}] = std::move(opened);
  }
  return Status::Ok();
}

imap::MessageMeta BridgeBackend::ToMeta(const std::string& mailbox,
                                        const VaultMessage& message) const {
  imap::MessageMeta meta;
  meta.uid = message.uid;
  meta.internal_date = message.internal_date;
  meta.modseq = message.modseq;
  meta.flags = message.flags;
  auto it = opened_.find({mailbox, uidvalidity_.count(mailbox) ? uidvalidity_.at(mailbox) : 0,
                          message.uid});
  if (it != opened_.end()) meta.size = it->second.size;
  return meta;
}

Result<imap::MailboxSnapshot> BridgeBackend::Snapshot(const std::string& mailbox) {
  return Retrying([&] { return SnapshotOnce(mailbox); });
}

Result<imap::MailboxSnapshot> BridgeBackend::SnapshotOnce(const std::string& mailbox) {
  MV_ASSIGN_OR_RETURN(VaultMailbox box, Ensure(mailbox));
  imap::MailboxSnapshot snapshot;
  snapshot.info = ToInfo(box);
  if (box.messages == 0) return snapshot;
  MV_ASSIGN_OR_RETURN(auto messages, vault_->FetchMessages("1:*"));
  std::vector<uint32_t> uids;
  for (const VaultMessage& m : messages) uids.push_back(m.uid);
  MV_RETURN_IF_ERROR(Learn(mailbox, box.uidvalidity, uids));
  for (const VaultMessage& m : messages) {
    // A uid without a summary was expunged between the two commands.
    if (opened_.count({mailbox, box.uidvalidity, m.uid})) snapshot.messages.push_back(ToMeta(mailbox, m));
  }
  return snapshot;
}

Result<imap::MailboxStatus> BridgeBackend::StatusOf(const std::string& mailbox, bool with_size) {
  if (with_size) return imap::MailBackend::StatusOf(mailbox, with_size);
  MV_ASSIGN_OR_RETURN(VaultMailbox box, Retrying([&] { return vault_->MailboxStatus(mailbox); }));
  imap::MailboxStatus status;
  status.info = ToInfo(box);
  status.messages = box.messages;
  status.unseen = box.unseen;
  status.deleted = box.deleted;
  return status;
}

Result<imap::MailboxChanges> BridgeBackend::ChangesSince(const std::string& mailbox,
                                                         uint64_t modseq) {
  return Retrying([&] { return ChangesSinceOnce(mailbox, modseq); });
}

Result<imap::MailboxChanges> BridgeBackend::ChangesSinceOnce(const std::string& mailbox,
                                                             uint64_t modseq) {
  imap::MailboxChanges changes;
  // A vault connection that is new (reconnected) or on another mailbox, or
  // a mailbox that is another one now (UIDVALIDITY): the whole snapshot.
  auto whole = [&]() -> Result<imap::MailboxChanges> {
    MV_ASSIGN_OR_RETURN(imap::MailboxSnapshot snapshot, SnapshotOnce(mailbox));
    changes.info = snapshot.info;
    changes.snapshot = std::move(snapshot);
    return std::move(changes);
  };
  if (selected_ != mailbox) return whole();
  MV_ASSIGN_OR_RETURN(VaultMailbox box, vault_->MailboxStatus(mailbox));
  if (box.uidvalidity != selected_uidvalidity_) return whole();
  box.subscribed = true;  // STATUS does not say; the engine's view does not use it
  changes.info = ToInfo(box);
  if (box.highest_modseq <= modseq) return changes;
  MV_ASSIGN_OR_RETURN(VaultChanges vault_changes,
                      vault_->FetchChangedSince(modseq, box.uidnext > 0 ? box.uidnext - 1 : 0));
  std::vector<uint32_t> uids;
  for (const VaultMessage& m : vault_changes.changed) uids.push_back(m.uid);
  MV_RETURN_IF_ERROR(Learn(mailbox, box.uidvalidity, uids));
  for (const VaultMessage& m : vault_changes.changed) {
    // Without a summary it was expunged meanwhile: the next sync says so.
    if (opened_.count({mailbox, box.uidvalidity, m.uid})) {
      changes.changed.push_back(ToMeta(mailbox, m));
    }
  }
  changes.expunged = std::move(vault_changes.vanished);
  return changes;
}

Result<std::string> BridgeBackend::FetchMessage(const std::string& mailbox,
                                                const imap::MessageMeta& meta) {
  return Retrying([&] { return FetchMessageOnce(mailbox, meta); });
}

Result<std::string> BridgeBackend::FetchMessageOnce(const std::string& mailbox,
                                                    const imap::MessageMeta& meta) {
  if (selected_ != mailbox) MV_RETURN_IF_ERROR(Ensure(mailbox).status());
  auto it = opened_.find({mailbox, selected_uidvalidity_, meta.uid});
  if (it == opened_.end()) {
    MV_RETURN_IF_ERROR(Learn(mailbox, selected_uidvalidity_, {meta.uid}));
    it = opened_.find({mailbox, selected_uidvalidity_, meta.uid});
    if (it == opened_.end()) {
      return Result<std::string>(ErrorCode::kNotFound, "the message is gone from the vault");
    }
  }
  const Opened& opened = it->second;
  if (!opened.wrap) return UnreadableNotice(meta.uid);
  MV_ASSIGN_OR_RETURN(SecretBytes data_key, opened.wrap->DataKey());
  std::string sealed_body_hash;
  MV_ASSIGN_OR_RETURN(std::string body,
                      OpenMessageBody(*vault_, device_.profile.cache_dir(), device_.profile.account,
                                      opened.wrap->blob_id, meta.uid, data_key, &sealed_body_hash));
  Status sealed_by = CheckDeviceSeal(opened, sealed_body_hash);
  if (!sealed_by.ok()) {
    sodium_memzero(body.data(), body.size());
    spdlog::error("bridge: message {} of {}: {}", meta.uid, EscapeForTerminal(mailbox),
                  sealed_by.message());
    return sealed_by;
  }
  return body;
}

Status BridgeBackend::CheckDeviceSeal(const Opened& opened, const std::string& sealed_body_hash) {
  if (!opened.device_seal) return Status::Ok();
  if (!key_log_ || key_log_->Find(opened.device_seal->signer) == nullptr) {
    MV_ASSIGN_OR_RETURN(TrustedKeyLog trusted, FetchTrustedKeyLog(*vault_, device_));
    key_log_ = std::move(trusted.state);
  }
  MessageSummary claim;
  claim.device_seal = opened.device_seal;
  return CheckProvenance(claim, *key_log_, device_.profile.account, opened.wrap->blob_id,
                         sealed_body_hash)
      .status();
}

Result<imap::AppendOutcome> BridgeBackend::Append(const std::string& mailbox, std::string message,
                                                  const std::vector<std::string>& flags,
                                                  int64_t internal_date) {
  // Sealed here, to the account's encryption keys the key log proves and
  // this device has pinned: the vault receives Sent and Drafts as it
  // receives deliveries, never in plaintext, and a key the customer never
  // signed receives nothing. A log that does not check is refused (the
  // engine answers NO [UNAVAILABLE]) and logged.
  auto trusted = Retrying([&] { return FetchTrustedKeyLog(*vault_, device_); });
  if (!trusted.ok() && trusted.code() == ErrorCode::kUnavailable) {
    sodium_memzero(message.data(), message.size());
    return trusted.status();
  }
  if (!trusted.ok()) {
    spdlog::error("bridge: refusing to seal an APPEND: {}", trusted.status().message());
    sodium_memzero(message.data(), message.size());
    return Result<imap::AppendOutcome>(ErrorCode::kTampered,
                                       "the vault's key log does not check; nothing was stored (" +
                                           trusted.status().message() + ")");
  }
  auto sealed = SealMessage(device_.profile.account, RandomBlobId(), message,
                            SummarizeMessage(message), trusted->SealingKeys(),
                            trusted->DeviceSigner(device_));
  sodium_memzero(message.data(), message.size());
  if (!sealed.ok()) return sealed.status();
  // Sent again after a lost answer, the same blob id gets ALREADYEXISTS
  // rather than a second copy: then the first try stored it, and the client
  // hears OK (without a uid, which the vault did not get to say).
  bool retried = false;
  auto appended = Retrying([&] {
    auto result = vault_->AppendSealed(mailbox, *sealed, flags, internal_date);
    if (retried && result.code() == ErrorCode::kAlreadyExists) return Result<VaultAppend>(VaultAppend{});
    retried = true;
    return result;
  });
  if (!appended.ok()) return appended.status();
  return imap::AppendOutcome{appended->uidvalidity, appended->uid};
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
  // The vault reports only what changed; its internal dates come with a fetch.
  std::vector<imap::MessageMeta> out;
  if (changed.empty()) return out;
  std::vector<uint32_t> changed_uids;
  for (const VaultMessage& m : changed) changed_uids.push_back(m.uid);
  MV_ASSIGN_OR_RETURN(auto current, vault_->FetchMessages(UidSetOf(changed_uids)));
  for (const VaultMessage& m : current) out.push_back(ToMeta(mailbox, m));
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
  return Retrying([&]() -> Result<std::vector<uint32_t>> {
    if (selected_ != mailbox) MV_RETURN_IF_ERROR(Ensure(mailbox).status());
    return vault_->Expunge(uids);
  });
}

}  // namespace mailvault::client
