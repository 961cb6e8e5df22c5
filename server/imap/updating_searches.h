// RFC 5267 4.3: the searches and sorts a client follows with RETURN
// (UPDATE) while its mailbox stays selected. Each keeps its current results;
// as the view reports expunges, flag changes and new messages, the session
// re-evaluates the touched messages and this class writes the ADDTO and
// REMOVEFROM lines that keep the client's copy of the results right.
//
// SEARCH results are in mailbox order and updated with position 0; SORT
// results keep the sort order and are updated at their positions (RFC 5267
// 4.3.3, 4.3.4). Results are kept as uids, so sequence numbers are written
// as the view has them when the line is sent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/imap/search_args.h"
#include "common/imap/sort_args.h"
#include "server/imap/message_summary.h"
#include "server/imap/selected_mailbox.h"

namespace mailvault::imap {

struct UpdatingSearch {
  std::string tag;
  bool uid = false;  // results are UIDs (UID SEARCH, UID SORT), else sequence numbers
  SearchArgs args;   // the program the touched messages are run through again
  // Empty for a SEARCH; a SORT's criteria otherwise.
  std::vector<SortCriterion> sort;
  // SEARCH: the matching uids, ascending. SORT: the matching messages in
  // sort order (their sort keys are what places a new one).
  std::vector<uint32_t> uids;
  std::vector<MessageSummary> sorted;
  // RFC 5465 7: what to FETCH of a new message that joins the results, and
  // the highest uid the search has seen (above it a message is new).
  std::optional<ImapToken> fetch_attributes;
  uint32_t seen_max_uid = 0;

  bool is_sort() const { return !sort.empty(); }
  bool Contains(uint32_t uid) const;
};

// One touched message after the program ran again: its summary when it
// matches now, nothing when it does not.
struct Reevaluated {
  uint32_t uid = 0;
  std::optional<MessageSummary> match;
};

class UpdatingSearches : public ViewListener {
 public:
  // RFC 5267 4.3.1: at least one per client; more are refused with
  // NOUPDATE. Each holds its results, so the bound is the session's memory.
  static constexpr size_t kLimit = 8;

  bool empty() const { return searches_.empty(); }
  bool full() const { return searches_.size() >= kLimit; }
  bool HasTag(std::string_view tag) const;
  void Add(UpdatingSearch search);
  // False when no updating search has that tag.
  bool Cancel(std::string_view tag);
  // The mailbox is no longer selected: updates cease (RFC 5267 4.3).
  void Clear();
  std::vector<UpdatingSearch>& searches() { return searches_; }

  // The uids touched since the last call, ascending and once each.
  std::vector<uint32_t> TakeTouched();

  // Brings `search` up to date with the touched messages, re-evaluated in
  // ascending uid order, and returns its ESEARCH line without "* " ("" when
  // its results did not change). Sequence numbers are `view`'s. `added`,
  // when given, receives the uids that joined the results.
  static std::string Reconcile(UpdatingSearch& search, const std::vector<Reevaluated>& touched,
                               const SelectedMailbox& view,
                               std::vector<uint32_t>* added_uids = nullptr);

  // ViewListener.
  void BeforeRemove(const SelectedMailbox& view, const std::vector<uint32_t>& uids,
                    std::string& out) override;
  void Touched(uint32_t uid) override;

 private:
  std::vector<UpdatingSearch> searches_;
  std::vector<uint32_t> touched_;
};

}  // namespace mailvault::imap
