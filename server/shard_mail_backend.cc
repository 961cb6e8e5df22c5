#include "server/shard_mail_backend.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <limits>

#include "common/crypto/sealed_message.h"
#include "common/crypto/sealed_body_format.h"
#include "common/crypto/sealed_upload.h"
#include "common/mail/header_summary.h"
#include "server/imap/mime/message_structure.h"
#include "server/vault_view.h"
#include "server/sealing_keys.h"

namespace mailvault {
namespace {

// RFC 6154 attributes of the mailboxes every account gets at creation.
std::string SpecialUseOf(std::string_view name) {
  for (std::string_view use : {"Sent", "Drafts", "Trash", "Junk", "Archive"}) {
    if (name == use) return "\\" + std::string(use);
  }
  return "";
}

imap::CopyOutcome ToOutcome(const CopyResult& result) {
  return {result.uidvalidity, result.source_uids, result.target_uids};
}

}  // namespace

imap::MessageMeta ShardMailBackend::ToMeta(const MessageEntry& entry) const {
  const VaultViewParams params{hostname_, account_, entry.blob_id, entry.internal_date};
  return {entry.uid, entry.internal_date, VaultViewSize(params, entry.sealed_size), entry.modseq,
          entry.flags};
}

imap::MailboxInfo ShardMailBackend::ToInfo(const mailvault::MailboxInfo& info) const {
  return {info.name, info.uidvalidity, info.uidnext, info.highest_modseq, info.subscribed,
          SpecialUseOf(info.name)};
}

Result<std::vector<imap::MailboxInfo>> ShardMailBackend::ListMailboxes() {
  MV_ASSIGN_OR_RETURN(auto mailboxes, shard_.ListMailboxes(account_));
  std::vector<imap::MailboxInfo> out;
  for (const auto& m : mailboxes) out.push_back(ToInfo(m));
  return out;
}

Status ShardMailBackend::CreateMailbox(const std::string& name) {
  return shard_.CreateMailbox(account_, name);
}

Status ShardMailBackend::DeleteMailbox(const std::string& name) {
  return shard_.DeleteMailbox(account_, name);
}

Status ShardMailBackend::RenameMailbox(const std::string& from, const std::string& to) {
  return shard_.RenameMailbox(account_, from, to);
}

Status ShardMailBackend::SetSubscribed(const std::string& name, bool subscribed) {
  return shard_.SetSubscribed(account_, name, subscribed);
}

Result<std::vector<std::string>> ShardMailBackend::ListSubscriptions() {
  return shard_.ListSubscriptions(account_);
}

Result<imap::MailboxSnapshot> ShardMailBackend::Snapshot(const std::string& mailbox) {
  MV_ASSIGN_OR_RETURN(auto info, shard_.GetMailbox(account_, mailbox));
  MV_ASSIGN_OR_RETURN(auto entries, shard_.ListMessages(account_, mailbox, 1,
                                                        std::numeric_limits<uint32_t>::max()));
  imap::MailboxSnapshot snapshot;
  snapshot.info = ToInfo(info);
  snapshot.messages.reserve(entries.size());
  for (const MessageEntry& entry : entries) snapshot.messages.push_back(ToMeta(entry));
  return snapshot;
}

Result<imap::MailboxStatus> ShardMailBackend::StatusOf(const std::string& mailbox,
                                                       bool with_size) {
  // SIZE is of the messages as clients see them (the sealed wrapper), which
  // only a walk of the entries gives.
  if (with_size) return imap::MailBackend::StatusOf(mailbox, with_size);
  MV_ASSIGN_OR_RETURN(mailvault::MailboxInfo info, shard_.GetMailbox(account_, mailbox));
  imap::MailboxStatus status;
  status.info = ToInfo(info);
  status.messages = info.messages;
  status.unseen = info.unseen;
  status.deleted = info.deleted;
  if (info.recent_from < info.uidnext) {  // what arrived since a session last claimed
    MV_ASSIGN_OR_RETURN(auto recent,
                        shard_.ListMessages(account_, mailbox, info.recent_from, info.uidnext - 1));
    status.recent = static_cast<uint32_t>(recent.size());
  }
  return status;
}

Result<imap::RecentUids> ShardMailBackend::ClaimRecent(const std::string& mailbox, bool claim) {
  MV_ASSIGN_OR_RETURN(mailvault::MailboxInfo info, claim ? shard_.ClaimRecent(account_, mailbox)
                                                         : shard_.GetMailbox(account_, mailbox));
  return imap::RecentUids{info.recent_from, info.uidnext - 1};
}

Result<imap::MailboxChanges> ShardMailBackend::ChangesSince(const std::string& mailbox,
                                                           uint64_t modseq) {
  MV_ASSIGN_OR_RETURN(MailboxChanges stored, shard_.ChangesSince(account_, mailbox, modseq));
  imap::MailboxChanges changes;
  if (stored.resync_required) {
    // Below the vanished floor: which uids went is no longer recorded, so
    // the engine gets the whole mailbox and finds them by comparison.
    MV_ASSIGN_OR_RETURN(imap::MailboxSnapshot snapshot, Snapshot(mailbox));
    changes.info = snapshot.info;
    changes.snapshot = std::move(snapshot);
    return changes;
  }
  changes.info = ToInfo(stored.mailbox);
  changes.changed.reserve(stored.changed.size());
  for (const MessageEntry& entry : stored.changed) changes.changed.push_back(ToMeta(entry));
  changes.expunged = std::move(stored.expunged);
  return changes;
}

Result<std::string> ShardMailBackend::FetchMessage(const std::string& mailbox,
                                                   const imap::MessageMeta& meta) {
  MV_ASSIGN_OR_RETURN(MessageEntry entry, shard_.GetMessage(account_, mailbox, meta.uid));
  MV_ASSIGN_OR_RETURN(std::string body, shard_.FetchBody(account_, entry.blob_id));
  return RenderVaultView({hostname_, account_, entry.blob_id, entry.internal_date}, body);
}

namespace {

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

// The payload of a message whose Content-Type is the vault's sealed type,
// transfer encoding removed; nullopt for any other message.
std::optional<std::string> SealedPayload(std::string_view message) {
  // A cheap first look at the header section, so that ordinary plaintext
  // is not parsed (and copied) once more before it is sealed.
  const std::string_view header = message.substr(0, message.find("\n\n") != std::string_view::npos
                                                       ? message.find("\n\n")
                                                       : message.find("\r\n\r\n"));
  const auto named = std::search(header.begin(), header.end(), kSealedContentType.begin(),
                                 kSealedContentType.end(), [](char a, char b) {
                                   return std::tolower(static_cast<unsigned char>(a)) == b;
                                 });
  if (named == header.end()) return std::nullopt;
  auto structure = imap::MessageStructure::Parse(message);
  if (!structure.ok()) return std::nullopt;
  const auto types = structure->HeaderValues("Content-Type");
  if (types.empty() || !StartsWithNoCase(types.front(), kSealedContentType)) return std::nullopt;
  auto payload = structure->Binary({1});
  if (!payload.ok()) return std::string();
  return std::move(payload).value();
}

}  // namespace

Result<std::vector<imap::AppendOutcome>> ShardMailBackend::AppendAll(
    const std::string& mailbox, std::vector<imap::NewMessage> messages) {
  // Every plaintext is wiped however this returns (also the messages after
  // a refused one, which are never sealed).
  struct Wipe {
    std::vector<imap::NewMessage>& messages;
    ~Wipe() {
      for (imap::NewMessage& message : messages) {
        sodium_memzero(message.data.data(), message.data.size());
      }
    }
  } wipe{messages};
  bool any_upload = false;
  Result<std::vector<AppendResult>> appended = Status(ErrorCode::kKeyNotActive, "");
  // The keys are read before the shard takes the account's lock: a key the
  // customer's rotation revokes in between refuses the append with
  // kKeyNotActive. Sealed again to the keys as they are then, it goes
  // through (a client's own sealed upload is not re-sealed: refused below).
  for (int attempt = 0; attempt < 3 && appended.code() == ErrorCode::kKeyNotActive &&
                        !any_upload;
       ++attempt) {
    std::vector<AppendRequest> requests;
    requests.reserve(messages.size());
    std::optional<std::vector<std::string>> recipients;
    for (imap::NewMessage& message : messages) {
      auto request = ToAppendRequest(mailbox, message, recipients, any_upload);
      if (!request.ok()) return request.status();
      requests.push_back(std::move(request).value());
    }
    appended = shard_.AppendAll(account_, std::move(requests));
  }
  if (!appended.ok()) {
    const ErrorCode code = appended.code();
    if (any_upload && (code == ErrorCode::kKeyNotActive || code == ErrorCode::kAlreadyExists)) {
      // ALREADYEXISTS tells an importer that runs again that it stored this one before.
      return Status(code == ErrorCode::kAlreadyExists ? code : ErrorCode::kInvalidArgument,
                    "Sealed upload refused: " + appended.status().message());
    }
    return appended.status();
  }
  std::vector<imap::AppendOutcome> outcomes;
  for (const AppendResult& result : *appended) outcomes.push_back({result.uidvalidity, result.uid});
  return outcomes;
}

Result<AppendRequest> ShardMailBackend::ToAppendRequest(
    const std::string& mailbox, imap::NewMessage& message,
    std::optional<std::vector<std::string>>& recipients, bool& sealed_upload) {
  if (auto payload = SealedPayload(message.data)) {
    sealed_upload = true;
    return UploadRequest(mailbox, *payload, message);
  }
  if (!recipients) {
    MV_ASSIGN_OR_RETURN(recipients, SealingKeys(shard_, account_));
  }
  if (recipients->empty()) {
    return Status(
        ErrorCode::kKeyNotActive,
        "The account has no registered key yet: nothing can be stored until it is enrolled");
  }
  MV_ASSIGN_OR_RETURN(SealedMessage sealed,
                      SealMessage(account_, RandomBlobId(), message.data,
                                  SummarizeMessage(message.data), *recipients));
  return AppendRequest::FromSealed(mailbox, std::move(sealed), message.flags,
                                   message.internal_date);
}

// A message the client sealed itself (docs/FORMAT.md, "Sealed upload"):
// checked for structure, stored as it is; the vault never re-seals it.
Result<AppendRequest> ShardMailBackend::UploadRequest(const std::string& mailbox,
                                                      std::string_view payload,
                                                      const imap::NewMessage& message) {
  if (payload.substr(0, sealed_body::kMagic.size()) == sealed_body::kMagic) {
    return Status(ErrorCode::kInvalidArgument,
                  "A sealed body alone cannot be stored: it has no wraps. Upload a sealed "
                  "container (mailvault import does)");
  }
  auto upload = ParseSealedUpload(payload, account_);
  if (!upload.ok()) {
    return Status(ErrorCode::kInvalidArgument,
                  "Sealed upload refused: " + upload.status().message());
  }
  return AppendRequest::FromSealed(mailbox, std::move(upload).value(), message.flags,
                                   message.internal_date);
}

Result<std::vector<imap::MessageMeta>> ShardMailBackend::StoreFlags(
    const std::string& mailbox, const std::vector<uint32_t>& uids, imap::FlagChange change,
    const std::vector<std::string>& flags, std::optional<uint64_t> unchanged_since,
    std::vector<uint32_t>& modified) {
  const FlagOp op = change == imap::FlagChange::kAdd      ? FlagOp::kAdd
                    : change == imap::FlagChange::kRemove ? FlagOp::kRemove
                                                          : FlagOp::kSet;
  MV_ASSIGN_OR_RETURN(auto entries, shard_.StoreFlags(account_, mailbox, uids, op, flags,
                                                      unchanged_since, &modified));
  std::vector<imap::MessageMeta> out;
  for (const MessageEntry& entry : entries) out.push_back(ToMeta(entry));
  return out;
}

Result<imap::CopyOutcome> ShardMailBackend::Copy(const std::string& from,
                                                 const std::vector<uint32_t>& uids,
                                                 const std::string& to) {
  MV_ASSIGN_OR_RETURN(CopyResult result, shard_.Copy(account_, from, uids, to));
  return ToOutcome(result);
}

Result<imap::CopyOutcome> ShardMailBackend::Move(const std::string& from,
                                                 const std::vector<uint32_t>& uids,
                                                 const std::string& to) {
  MV_ASSIGN_OR_RETURN(CopyResult result, shard_.Move(account_, from, uids, to));
  return ToOutcome(result);
}

Result<std::vector<uint32_t>> ShardMailBackend::Expunge(const std::string& mailbox,
                                                        const std::vector<uint32_t>& uids) {
  return shard_.Expunge(account_, mailbox, uids);
}

}  // namespace mailvault
