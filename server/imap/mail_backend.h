// The narrow interface between the IMAP engine and where mail lives.
//
// The engine owns IMAP state (sequence numbers, the selected view, untagged
// updates); a back-end speaks its store's terms: mailboxes by name, messages
// by uid. mailvaultd implements it over a RegionShard (clients see sealed
// wrappers); the customer's bridge implements it over the remote vault plus
// decryption (clients see plaintext). Every call may block: the engine runs
// them on the storage pool, never on a network thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace mailvault::imap {

struct MessageMeta {
  uint32_t uid = 0;
  int64_t internal_date = 0;  // unix seconds
  // RFC822.SIZE: bytes of the message as served, which are FetchMessage's
  // unless they hold NUL (then mime::ServedMessageSize, nul_free_message.h).
  uint64_t size = 0;
  uint64_t modseq = 0;
  std::vector<std::string> flags;  // "\\Seen", keywords
};

struct MailboxInfo {
  std::string name;  // internal form: UTF-8, '/'-separated, "INBOX"
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highest_modseq = 0;
  bool subscribed = false;
  std::string special_use;  // "\\Sent", "\\Drafts", ... or empty
};

struct MailboxSnapshot {
  MailboxInfo info;
  std::vector<MessageMeta> messages;  // ascending uid
};

// What changed in a mailbox since a modseq: the messages added or changed
// (ascending uid, with their current metadata) and the uids expunged.
// A back-end that keeps no change index answers with the whole mailbox in
// `snapshot` instead, and the engine compares it with its view.
struct MailboxChanges {
  MailboxInfo info;
  std::vector<MessageMeta> changed;
  std::vector<uint32_t> expunged;
  std::optional<MailboxSnapshot> snapshot;
};

// What STATUS needs, without the messages themselves.
struct MailboxStatus {
  MailboxInfo info;
  uint32_t messages = 0;
  uint32_t unseen = 0;   // without \Seen
  uint32_t deleted = 0;  // with \Deleted
  uint32_t recent = 0;   // that no session has claimed as \Recent yet
  std::optional<uint64_t> size;  // RFC 8438 STATUS=SIZE: only when asked for
};

struct RecentUids {
  uint32_t first = 1;
  uint32_t last = 0;
};

// One message of an APPEND, as the client sent it (or as CATENATE joined it).
struct NewMessage {
  std::string data;  // RFC 5322 bytes; the back-end wipes what it seals
  std::vector<std::string> flags;
  int64_t internal_date = 0;  // unix seconds
};

struct AppendOutcome {
  uint32_t uidvalidity = 0;
  // 0: stored, but the uid is not known (an answer lost and the append found done).
  uint32_t uid = 0;
};

struct CopyOutcome {
  uint32_t uidvalidity = 0;  // of the target
  std::vector<uint32_t> source_uids;
  std::vector<uint32_t> target_uids;
};

enum class FlagChange { kReplace, kAdd, kRemove };

class MailBackend {
 public:
  virtual ~MailBackend() = default;

  // The account this back-end serves (for change notifications and logs).
  virtual const std::string& account() const = 0;
  // False on the vault, where content is sealed: SEARCH on content gets NO.
  virtual bool CanSearchContent() const = 0;

  virtual Result<std::vector<MailboxInfo>> ListMailboxes() = 0;
  virtual Status CreateMailbox(const std::string& name) = 0;
  virtual Status DeleteMailbox(const std::string& name) = 0;
  virtual Status RenameMailbox(const std::string& from, const std::string& to) = 0;
  // Subscriptions are names apart from the mailboxes (RFC 9051 6.3.7): one
  // may be subscribed that does not exist (any more).
  virtual Status SetSubscribed(const std::string& name, bool subscribed) = 0;
  virtual Result<std::vector<std::string>> ListSubscriptions() = 0;

  // The whole mailbox as the engine needs it to (re)build its view.
  virtual Result<MailboxSnapshot> Snapshot(const std::string& mailbox) = 0;
  // STATUS: by default counted from a snapshot; a back-end that keeps
  // counts answers without reading the mailbox. `with_size` asks for the
  // sum of the messages' sizes too (which only a snapshot gives).
  virtual Result<MailboxStatus> StatusOf(const std::string& mailbox, bool with_size);
  // What changed after `modseq`: the engine's sync after each command, NOOP
  // and IDLE, which so costs the changes rather than the mailbox. By default
  // the whole snapshot (a back-end without a change index).
  virtual Result<MailboxChanges> ChangesSince(const std::string& mailbox, uint64_t /*modseq*/) {
    MV_ASSIGN_OR_RETURN(MailboxSnapshot snapshot, Snapshot(mailbox));
    MailboxChanges changes;
    changes.info = snapshot.info;
    changes.snapshot = std::move(snapshot);
    return changes;
  }
  // RFC 3501's \Recent: the uids of `mailbox` that no session has been told
  // of yet (first..last; empty when first > last). With `claim` the caller's
  // session is the one: no other session will see them as recent. By
  // default nothing is ever recent.
  virtual Result<RecentUids> ClaimRecent(const std::string& /*mailbox*/, bool /*claim*/) {
    return RecentUids{};
  }
  // The message as the client sees it (RFC 5322 bytes).
  virtual Result<std::string> FetchMessage(const std::string& mailbox, const MessageMeta& meta) = 0;

  // APPEND and MULTIAPPEND (RFC 3502): every message stored, in order, in
  // one step, or none of them, whichever message is refused. One outcome
  // per message. A single APPEND is a batch of one.
  virtual Result<std::vector<AppendOutcome>> AppendAll(const std::string& mailbox,
                                                       std::vector<NewMessage> messages) = 0;
  // Changes flags of the given uids; with `unchanged_since`, a message whose
  // modseq is higher is left alone and its uid returned in `modified`
  // (RFC 7162 3.1.3). Returns the changed messages' new metadata.
  virtual Result<std::vector<MessageMeta>> StoreFlags(const std::string& mailbox,
                                                      const std::vector<uint32_t>& uids,
                                                      FlagChange change,
                                                      const std::vector<std::string>& flags,
                                                      std::optional<uint64_t> unchanged_since,
                                                      std::vector<uint32_t>& modified) = 0;
  virtual Result<CopyOutcome> Copy(const std::string& from, const std::vector<uint32_t>& uids,
                                   const std::string& to) = 0;
  virtual Result<CopyOutcome> Move(const std::string& from, const std::vector<uint32_t>& uids,
                                   const std::string& to) = 0;
  // Returns the uids actually removed.
  virtual Result<std::vector<uint32_t>> Expunge(const std::string& mailbox,
                                                const std::vector<uint32_t>& uids) = 0;
};

}  // namespace mailvault::imap
