// The selected mailbox as one session sees it: sequence numbers map to uids
// in this view, which changes only when the session reports the change to
// its client (RFC 9051 7.5: EXISTS, EXPUNGE, FETCH FLAGS).
//
// The messages are a base snapshot, which the sessions that select the same
// mailbox share (shared_views.h), and this session's differences from it:
// the base's messages it no longer shows, those whose flags changed, and
// those that arrived since. So a session on a 100,000-message mailbox costs
// memory for what changed while it was selected, not for the mailbox.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/imap/sequence_set.h"
#include "server/imap/mail_backend.h"

namespace mailvault::imap {

// The uids of `candidates` that are not in `present` (ascending by uid):
// what VANISHED (EARLIER) reports when the back-end keeps no tombstones.
NumberSet AbsentUids(const NumberSet& candidates, const std::vector<MessageMeta>& present);

class SelectedMailbox;

// Told of what a view reports as it reports it: the searches a client
// follows with RETURN (UPDATE) (RFC 5267 4.3, updating_searches.h).
class ViewListener {
 public:
  virtual ~ViewListener() = default;
  // Before the view reports `uids` expunged: their sequence numbers in
  // `view` still hold, as REMOVEFROM needs (RFC 5267 4.3.4).
  virtual void BeforeRemove(const SelectedMailbox& view, const std::vector<uint32_t>& uids,
                            std::string& out) = 0;
  // A message whose flags changed, or a new one (after its EXISTS).
  virtual void Touched(uint32_t uid) = 0;
};

class SelectedMailbox {
 public:
  // A view of its own (a back-end's fresh snapshot).
  SelectedMailbox(bool read_only, MailboxSnapshot snapshot);
  // A shared base brought up to date with what changed since it was read
  // (nothing is reported: the client has seen nothing yet).
  SelectedMailbox(bool read_only, std::shared_ptr<const MailboxSnapshot> base,
                  MailboxChanges since_base);

  const std::string& name() const { return info_.name; }
  bool read_only() const { return read_only_; }
  const MailboxInfo& info() const { return info_; }
  // The back-end's HIGHESTMODSEQ when the view was last brought up to date:
  // the next sync asks for the changes after it. (info().highest_modseq may
  // be higher after the session's own STORE, which says nothing of other
  // sessions' changes below it.)
  uint64_t synced_modseq() const { return synced_modseq_; }
  uint32_t count() const { return LiveBase() + static_cast<uint32_t>(added_.size()); }
  // 1-based sequence number, 1 <= seq <= count().
  const MessageMeta& at(uint32_t seq) const;
  std::optional<uint32_t> SeqOf(uint32_t uid) const;
  uint32_t MaxUid() const;
  // The uids of `candidates` not in this view.
  NumberSet AbsentFrom(const NumberSet& candidates) const;

  // The sequence numbers a set names, ascending. Sequence numbers above the
  // message count are an error (BAD text in the Status) for non-UID sets;
  // unknown uids are skipped, as RFC 9051 asks for UID commands.
  Result<std::vector<uint32_t>> Resolve(const SequenceSet& set, bool uid) const;

  // RFC 3501's \Recent, for IMAP4rev1 clients (IMAP4rev2 dropped it): the
  // uids this session claimed, which its flag lists carry.
  void AddRecent(const RecentUids& claimed);
  bool IsRecent(uint32_t uid) const { return recent_.Contains(uid); }
  uint32_t RecentCount() const;
  void set_report_recent(bool recent) { report_recent_ = recent; }
  // A message's flags as this session reports them: "(\Seen \Recent)".
  void AppendFlags(std::string& out, const MessageMeta& meta) const;

  // After ENABLE QRESYNC, expunges are reported as "* VANISHED uids"
  // (RFC 7162 3.2.10) instead of "* n EXPUNGE".
  void set_report_vanished(bool vanished) { report_vanished_ = vanished; }

  // At most one; it must outlive the view or be replaced first.
  void set_listener(ViewListener* listener) { listener_ = listener; }

  // Replaces metadata after the session's own STORE.
  void Update(const MessageMeta& meta);
  // Removes the uids and appends "* n EXPUNGE" lines (or one VANISHED) for them.
  void Remove(const std::vector<uint32_t>& uids, std::string& out);
  // Brings the view up to `fresh` and appends what changed: EXPUNGE for
  // messages gone, EXISTS for new ones, FETCH FLAGS (and MODSEQ with
  // CONDSTORE) for changed flags.
  void Sync(MailboxSnapshot fresh, bool condstore, std::string& out);
  // The same from the changes since synced_modseq(), at the cost of the
  // changes: the view is never compared whole.
  void Apply(MailboxChanges changes, bool condstore, std::string& out);

 private:
  const std::vector<MessageMeta>& base() const { return base_->messages; }
  uint32_t LiveBase() const {
    return static_cast<uint32_t>(base().size() - removed_.size());
  }
  // The base position of the i-th (0-based) message the view still shows
  // from the base (i < LiveBase()).
  size_t BasePosition(uint32_t i) const;
  // The first sequence number whose uid is at least `uid` (count() + 1: none).
  uint32_t FirstSeqFrom(uint32_t uid) const;
  void Set(uint32_t seq, const MessageMeta& meta);
  // Drops the messages at `seqs` (any order) in one pass.
  void Erase(std::vector<uint32_t> seqs);
  void AppendFetchFlags(std::string& out, uint32_t seq, const MessageMeta& meta,
                        bool condstore) const;
  // EXISTS for what `fresh` adds above the view's highest uid.
  void AddNew(const std::vector<MessageMeta>& fresh, std::string& out);

  bool read_only_;
  ViewListener* listener_ = nullptr;
  bool report_vanished_ = false;
  bool report_recent_ = false;
  NumberSet recent_;
  MailboxInfo info_;
  uint64_t synced_modseq_ = 0;
  std::shared_ptr<const MailboxSnapshot> base_;  // ascending uid
  std::vector<size_t> removed_;                  // base positions no longer shown, ascending
  std::map<size_t, MessageMeta> changed_;        // base position -> its metadata now
  std::vector<MessageMeta> added_;               // above the base's highest uid, ascending
};

}  // namespace mailvault::imap
