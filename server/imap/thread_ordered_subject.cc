// THREAD=ORDEREDSUBJECT (RFC 5256 section 3): messages sorted by base
// subject and sent date, one thread per base subject whose first message is
// the parent of all the others, threads ordered by their first message's
// sent date.
#include <algorithm>
#include <tuple>

#include "server/imap/message_threads.h"

namespace mailvault::imap {

ThreadForest ThreadByOrderedSubject(const std::vector<MessageSummary>& messages) {
  std::vector<const MessageSummary*> sorted;
  for (const MessageSummary& m : messages) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(), [](const MessageSummary* a, const MessageSummary* b) {
    return std::tie(a->subject, a->sent_date, a->seq) < std::tie(b->subject, b->sent_date, b->seq);
  });
  ThreadForest forest;
  forest.nodes.reserve(sorted.size());
  for (size_t i = 0; i < sorted.size(); ++i) {
    const auto index = static_cast<uint32_t>(forest.nodes.size());
    forest.nodes.push_back({sorted[i], {}});
    if (i > 0 && sorted[i]->subject == sorted[i - 1]->subject) {
      forest.nodes[forest.roots.back()].children.push_back(index);
    } else {
      forest.roots.push_back(index);
    }
  }
  std::stable_sort(forest.roots.begin(), forest.roots.end(), [&](uint32_t a, uint32_t b) {
    const MessageSummary* x = forest.nodes[a].message;
    const MessageSummary* y = forest.nodes[b].message;
    return std::tie(x->sent_date, x->seq) < std::tie(y->sent_date, y->seq);
  });
  return forest;
}

}  // namespace mailvault::imap
