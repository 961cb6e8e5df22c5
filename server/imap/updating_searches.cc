#include "server/imap/updating_searches.h"

#include <algorithm>

#include "common/imap/sequence_set.h"
#include "server/imap/message_sort.h"

namespace mailvault::imap {
namespace {

// What a result is written as: its uid, or its sequence number in the view.
uint32_t Number(const UpdatingSearch& search, const SelectedMailbox& view, uint32_t uid) {
  if (search.uid) return uid;
  return view.SeqOf(uid).value_or(0);
}

std::string LineStart(const UpdatingSearch& search) {
  return "ESEARCH (TAG \"" + search.tag + "\")" + (search.uid ? " UID" : "");
}

// " REMOVEFROM (0 2:3,7)" for a SEARCH's results, which are unordered by
// position (RFC 5267 4.3.3: position 0, in mailbox order).
std::string UnpositionedItem(std::string_view name, const std::vector<uint32_t>& numbers) {
  if (numbers.empty()) return "";
  return " " + std::string(name) + " (0 " + NumberSet::FromNumbers(numbers).ToString() + ")";
}

// " ADDTO (3 17 5 21)": each pair is applied in turn, so each position is
// the one it has after the pairs before it.
std::string PositionedItem(std::string_view name, const std::vector<std::string>& pairs) {
  if (pairs.empty()) return "";
  std::string item = " " + std::string(name) + " (";
  for (size_t i = 0; i < pairs.size(); ++i) item += (i == 0 ? "" : " ") + pairs[i];
  return item + ")";
}

size_t SortedIndexOf(const UpdatingSearch& search, uint32_t uid) {
  const auto it = std::find_if(search.sorted.begin(), search.sorted.end(),
                               [uid](const MessageSummary& m) { return m.uid == uid; });
  return static_cast<size_t>(it - search.sorted.begin());
}

}  // namespace

bool UpdatingSearch::Contains(uint32_t uid) const {
  if (!is_sort()) return std::binary_search(uids.begin(), uids.end(), uid);
  return SortedIndexOf(*this, uid) < sorted.size();
}

bool UpdatingSearches::HasTag(std::string_view tag) const {
  return std::any_of(searches_.begin(), searches_.end(),
                     [tag](const UpdatingSearch& s) { return s.tag == tag; });
}

void UpdatingSearches::Add(UpdatingSearch search) { searches_.push_back(std::move(search)); }

bool UpdatingSearches::Cancel(std::string_view tag) {
  const auto it = std::find_if(searches_.begin(), searches_.end(),
                               [tag](const UpdatingSearch& s) { return s.tag == tag; });
  if (it == searches_.end()) return false;
  searches_.erase(it);
  if (searches_.empty()) touched_.clear();
  return true;
}

void UpdatingSearches::Clear() {
  searches_.clear();
  touched_.clear();
}

std::vector<uint32_t> UpdatingSearches::TakeTouched() {
  std::vector<uint32_t> touched = std::move(touched_);
  touched_.clear();
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  return touched;
}

void UpdatingSearches::Touched(uint32_t uid) {
  if (!searches_.empty()) touched_.push_back(uid);
}

void UpdatingSearches::BeforeRemove(const SelectedMailbox& view,
                                    const std::vector<uint32_t>& uids, std::string& out) {
  for (UpdatingSearch& search : searches_) {
    std::string item;
    if (!search.is_sort()) {
      std::vector<uint32_t> removed;
      for (uint32_t uid : uids) {
        const auto it = std::lower_bound(search.uids.begin(), search.uids.end(), uid);
        if (it == search.uids.end() || *it != uid) continue;
        removed.push_back(Number(search, view, uid));
        search.uids.erase(it);
      }
      item = UnpositionedItem("REMOVEFROM", removed);
    } else {
      std::vector<std::string> pairs;
      for (uint32_t uid : uids) {
        const size_t index = SortedIndexOf(search, uid);
        if (index == search.sorted.size()) continue;
        pairs.push_back(std::to_string(index + 1) + " " +
                        std::to_string(Number(search, view, uid)));
        search.sorted.erase(search.sorted.begin() + static_cast<std::ptrdiff_t>(index));
      }
      item = PositionedItem("REMOVEFROM", pairs);
    }
    if (!item.empty()) out += "* " + LineStart(search) + item + "\r\n";
  }
}

std::string UpdatingSearches::Reconcile(UpdatingSearch& search,
                                        const std::vector<Reevaluated>& touched,
                                        const SelectedMailbox& view,
                                        std::vector<uint32_t>* added_uids) {
  std::string items;
  if (!search.is_sort()) {
    std::vector<uint32_t> removed;
    std::vector<uint32_t> added;
    for (const Reevaluated& message : touched) {
      const auto it = std::lower_bound(search.uids.begin(), search.uids.end(), message.uid);
      const bool was = it != search.uids.end() && *it == message.uid;
      if (was && !message.match) {
        removed.push_back(Number(search, view, message.uid));
        search.uids.erase(it);
      } else if (!was && message.match) {
        added.push_back(Number(search, view, message.uid));
        search.uids.insert(it, message.uid);
        if (added_uids != nullptr) added_uids->push_back(message.uid);
      }
    }
    items = UnpositionedItem("REMOVEFROM", removed) + UnpositionedItem("ADDTO", added);
  } else {
    // Sort keys do not change with flags, so a message that still matches
    // keeps its place: only those that leave or join move.
    std::vector<std::string> removed;
    for (const Reevaluated& message : touched) {
      if (message.match) continue;
      const size_t index = SortedIndexOf(search, message.uid);
      if (index == search.sorted.size()) continue;
      removed.push_back(std::to_string(index + 1) + " " +
                        std::to_string(Number(search, view, message.uid)));
      search.sorted.erase(search.sorted.begin() + static_cast<std::ptrdiff_t>(index));
    }
    std::vector<std::string> added;
    for (const Reevaluated& message : touched) {
      if (!message.match || search.Contains(message.uid)) continue;
      const auto at = std::upper_bound(
          search.sorted.begin(), search.sorted.end(), *message.match,
          [&](const MessageSummary& a, const MessageSummary& b) {
            return SortsBefore(a, b, search.sort);
          });
      const size_t index = static_cast<size_t>(at - search.sorted.begin());
      search.sorted.insert(at, *message.match);
      if (added_uids != nullptr) added_uids->push_back(message.uid);
      added.push_back(std::to_string(index + 1) + " " +
                      std::to_string(Number(search, view, message.uid)));
    }
    items = PositionedItem("REMOVEFROM", removed) + PositionedItem("ADDTO", added);
  }
  return items.empty() ? "" : LineStart(search) + items;
}

}  // namespace mailvault::imap
