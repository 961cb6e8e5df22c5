#include "client/vault/rewrap.h"

#include <map>
#include <set>

#include "client/vault/opened_mailbox.h"
#include "common/crypto/key_wrap.h"

namespace mailvault::client {
namespace {

// Wraps stored per round (VaultSession splits them into commands): small
// enough that an interruption loses little work.
constexpr size_t kBatch = 2000;

}  // namespace

Result<uint64_t> CountMessages(VaultSession& vault) {
  MV_ASSIGN_OR_RETURN(auto mailboxes, vault.ListMailboxes());
  uint64_t total = 0;
  for (const VaultMailbox& box : mailboxes) total += box.messages;
  return total;
}

Result<RewrapReport> RewrapAll(VaultSession& vault, const KeyRing& readers,
                               std::string_view target_public_key,
                               const std::function<void(uint64_t messages)>& on_progress) {
  const KeyId target = KeyIdOf(target_public_key);
  RewrapReport report;
  std::set<BlobId> done;  // a blob copied to several mailboxes is wrapped once
  MV_ASSIGN_OR_RETURN(auto mailboxes, vault.ListMailboxes());
  for (const VaultMailbox& box : mailboxes) {
    if (!box.selectable || box.messages == 0) continue;
    report.messages += box.messages;
    MV_ASSIGN_OR_RETURN(auto existing, vault.FetchWraps(box.name, target, "1:*"));
    for (const VaultBlobItem& item : existing) done.insert(item.blob_id);
    MV_ASSIGN_OR_RETURN(auto wraps,
                        FindOwnWraps(vault, box.name, readers, "1:*", WrapCheck::kPresent));
    report.unreadable += box.messages - std::min<uint64_t>(box.messages, wraps.size());
    std::vector<std::pair<BlobId, std::string>> batch;
    auto flush = [&]() -> Status {
      MV_RETURN_IF_ERROR(vault.PutWraps(target, batch));
      report.written += batch.size();
      if (on_progress) on_progress(batch.size());
      batch.clear();
      return Status::Ok();
    };
    for (const auto& [uid, own] : wraps) {
      const BlobId& blob = own.blob_id;
      if (!done.insert(blob).second) {
        ++report.had_wrap;
        if (on_progress) on_progress(1);
        continue;
      }
      auto data_key = own.DataKey();
      if (!data_key.ok()) {  // a wrap that does not open: nothing to pass on
        ++report.unreadable;
        continue;
      }
      MV_ASSIGN_OR_RETURN(Wrap wrap, WrapDataKey(*data_key, target_public_key));
      batch.emplace_back(blob, std::move(wrap.sealed_key));
      if (batch.size() == kBatch) MV_RETURN_IF_ERROR(flush());
    }
    if (!batch.empty()) MV_RETURN_IF_ERROR(flush());
  }
  return report;
}

Result<uint64_t> CountNotReadableBy(VaultSession& vault, const KeyRing& readers,
                                    const EncryptionKeyPair& target) {
  MV_ASSIGN_OR_RETURN(auto mailboxes, vault.ListMailboxes());
  uint64_t missing = 0;
  for (const VaultMailbox& box : mailboxes) {
    if (!box.selectable || box.messages == 0) continue;
    // The readers' wraps are tried only where the target has none.
    MV_ASSIGN_OR_RETURN(auto readable,
                        FindOwnWraps(vault, box.name, readers, "1:*", WrapCheck::kPresent));
    MV_ASSIGN_OR_RETURN(auto by_target, FindOwnWraps(vault, box.name, KeyRing{&target}, "1:*"));
    for (const auto& [uid, own] : readable) {
      if (!by_target.count(uid) && own.DataKey().ok()) ++missing;
    }
  }
  return missing;
}

}  // namespace mailvault::client
