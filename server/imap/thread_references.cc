// THREAD=REFERENCES (RFC 5256 section 3), step by step as the RFC numbers
// them: (1) link messages by Message-ID, References and In-Reply-To, (2)
// gather the roots, (3) prune dummies, (4) sort the roots, (5) merge roots
// with the same base subject, (6) sort every set of siblings by sent date.
#include <algorithm>
#include <tuple>
#include <unordered_map>

#include "server/imap/message_threads.h"

namespace mailvault::imap {
namespace {

constexpr uint32_t kNone = UINT32_MAX;

class ReferenceThreader {
 public:
  explicit ReferenceThreader(const std::vector<MessageSummary>& messages) {
    for (const MessageSummary& m : messages) by_seq_.push_back(&m);
    std::sort(by_seq_.begin(), by_seq_.end(),
              [](const MessageSummary* a, const MessageSummary* b) { return a->seq < b->seq; });
  }

  ThreadForest Run() {
    for (const MessageSummary* m : by_seq_) Link(*m);  // (1)
    for (uint32_t i = 0; i < nodes_.size(); ++i) {     // (2)
      if (parent_[i] == kNone) forest_.roots.push_back(i);
    }
    Prune();           // (3)
    SortRoots();       // (4)
    GatherSubjects();  // (5)
    SortSiblings();    // (6)
    forest_.nodes = std::move(nodes_);
    return std::move(forest_);
  }

 private:
  uint32_t NewNode(const MessageSummary* message) {
    nodes_.push_back({message, {}});
    parent_.push_back(kNone);
    return static_cast<uint32_t>(nodes_.size() - 1);
  }

  // The container of a referenced id, a dummy until its message is seen.
  uint32_t NodeFor(const std::string& id) {
    auto [it, inserted] = by_id_.try_emplace(id, 0);
    if (inserted) it->second = NewNode(nullptr);
    return it->second;
  }

  // Making `parent` the parent of `child` must not make a loop: `parent`
  // may not be `child` nor one of its descendants.
  // Walking up costs the depth, so a childless `child` (every message of a
  // chain delivered in order) is settled at once: it is nobody's ancestor.
  bool WouldLoop(uint32_t parent, uint32_t child) const {
    if (nodes_[child].children.empty()) return parent == child;
    for (uint32_t n = parent; n != kNone; n = parent_[n]) {
      if (n == child) return true;
    }
    return false;
  }

  void SetParent(uint32_t child, uint32_t parent) {
    parent_[child] = parent;
    nodes_[parent].children.push_back(child);
  }

  void Unlink(uint32_t child) {
    std::vector<uint32_t>& siblings = nodes_[parent_[child]].children;
    siblings.erase(std::find(siblings.begin(), siblings.end(), child));
    parent_[child] = kNone;
  }

  void Link(const MessageSummary& m) {
    // A missing id, or one an earlier message has (the first keeps it):
    // a container of its own that nothing can reference.
    uint32_t self;
    auto found = m.message_id.empty() ? by_id_.end() : by_id_.find(m.message_id);
    if (found != by_id_.end() && nodes_[found->second].message == nullptr) {
      self = found->second;
      nodes_[self].message = &m;
    } else if (found == by_id_.end() && !m.message_id.empty()) {
      self = NewNode(&m);
      by_id_.emplace(m.message_id, self);
    } else {
      self = NewNode(&m);
    }
    // (1)(A): each reference the parent of the next, unless the next has a
    // parent already (References may be truncated or out of order).
    uint32_t previous = kNone;
    for (const std::string& id : m.references) {
      const uint32_t node = NodeFor(id);
      if (previous != kNone && parent_[node] == kNone && !WouldLoop(previous, node)) {
        SetParent(node, previous);
      }
      previous = node;
    }
    // (1)(B): the last reference is the parent, overriding (A); none means
    // no parent at all.
    if (parent_[self] != kNone) Unlink(self);
    if (previous != kNone && !WouldLoop(previous, self)) SetParent(self, previous);
  }

  // Children before parents, so that pruning and sorting see a node's
  // children finished. Iterative: chains of replies are arbitrarily deep.
  std::vector<uint32_t> PostOrder(const std::vector<uint32_t>& roots) const {
    std::vector<uint32_t> order;
    std::vector<std::pair<uint32_t, size_t>> stack;
    for (uint32_t root : roots) {
      stack.push_back({root, 0});
      while (!stack.empty()) {
        auto& [node, next] = stack.back();
        if (next < nodes_[node].children.size()) {
          const uint32_t child = nodes_[node].children[next++];
          stack.push_back({child, 0});
        } else {
          order.push_back(node);
          stack.pop_back();
        }
      }
    }
    return order;
  }

  // (3): a dummy without children goes; one with children gives them to its
  // parent, except at the top, where only a single child is promoted.
  void Prune() {
    for (uint32_t node : PostOrder(forest_.roots)) {
      nodes_[node].children = PrunedList(nodes_[node].children, node, false);
    }
    forest_.roots = PrunedList(forest_.roots, kNone, true);
  }

  std::vector<uint32_t> PrunedList(const std::vector<uint32_t>& list, uint32_t parent, bool top) {
    std::vector<uint32_t> out;
    for (uint32_t n : list) {
      const ThreadForest::Node& node = nodes_[n];
      if (node.message != nullptr) {
        out.push_back(n);
      } else if (!node.children.empty()) {
        if (top && node.children.size() > 1) {
          out.push_back(n);
          continue;
        }
        for (uint32_t child : node.children) {
          parent_[child] = parent;
          out.push_back(child);
        }
      }
    }
    return out;
  }

  // What a node sorts by: its message, or for a dummy its first child's.
  const MessageSummary* SortMessage(uint32_t n) const {
    while (nodes_[n].message == nullptr && !nodes_[n].children.empty()) {
      n = nodes_[n].children.front();
    }
    return nodes_[n].message;
  }

  void SortByDate(std::vector<uint32_t>& list) {
    std::stable_sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) {
      const MessageSummary* x = SortMessage(a);
      const MessageSummary* y = SortMessage(b);
      if (x == nullptr || y == nullptr) return x != nullptr;
      return std::tie(x->sent_date, x->seq) < std::tie(y->sent_date, y->seq);
    });
  }

  // (4): the roots by sent date, a dummy's children first sorted so that it
  // goes by its earliest.
  void SortRoots() {
    for (uint32_t root : forest_.roots) {
      if (nodes_[root].message == nullptr) SortByDate(nodes_[root].children);
    }
    SortByDate(forest_.roots);
  }

  bool IsDummy(uint32_t n) const { return nodes_[n].message == nullptr; }

  // (5)(B)(i): the message's base subject, or its first child's for a dummy.
  const MessageSummary* SubjectMessage(uint32_t n) const {
    return IsDummy(n)
               ? (nodes_[n].children.empty() ? nullptr : nodes_[nodes_[n].children.front()].message)
               : nodes_[n].message;
  }

  void GatherSubjects() {
    std::unordered_map<std::string, uint32_t> table;
    // (5)(B): one root per base subject, preferring a dummy, then one that
    // is not a reply or forward.
    for (uint32_t root : forest_.roots) {
      const MessageSummary* m = SubjectMessage(root);
      if (m == nullptr || m->subject.empty()) continue;
      auto [it, inserted] = table.try_emplace(m->subject, root);
      if (inserted || IsDummy(it->second)) continue;
      if (IsDummy(root) || (nodes_[it->second].message->reply_or_forward && !m->reply_or_forward)) {
        it->second = root;
      }
    }
    // (5)(C): every other root with that subject joins the table's.
    std::vector<uint32_t> roots = forest_.roots;
    std::vector<bool> gone(nodes_.size(), false);
    for (uint32_t root : forest_.roots) {
      const MessageSummary* m = SubjectMessage(root);
      if (m == nullptr || m->subject.empty()) continue;
      uint32_t& held = table.at(m->subject);
      if (held == root) continue;
      if (IsDummy(held) && IsDummy(root)) {
        for (uint32_t child : nodes_[root].children) SetParent(child, held);
        nodes_[root].children.clear();
      } else if (IsDummy(held) || (!IsDummy(root) && m->reply_or_forward &&
                                   !nodes_[held].message->reply_or_forward)) {
        SetParent(root, held);
      } else {
        const uint32_t dummy = NewNode(nullptr);
        gone.push_back(false);
        std::replace(roots.begin(), roots.end(), held, dummy);
        SetParent(held, dummy);
        SetParent(root, dummy);
        held = dummy;
      }
      gone[root] = true;
    }
    forest_.roots.clear();
    for (uint32_t root : roots) {
      if (!gone[root]) forest_.roots.push_back(root);
    }
  }

  // (6): every set of siblings by sent date, the deepest first, so a dummy
  // sorts by the earliest of its (sorted) children.
  void SortSiblings() {
    for (uint32_t node : PostOrder(forest_.roots)) SortByDate(nodes_[node].children);
    SortByDate(forest_.roots);
  }

  std::vector<const MessageSummary*> by_seq_;
  std::vector<ThreadForest::Node> nodes_;
  std::vector<uint32_t> parent_;
  std::unordered_map<std::string, uint32_t> by_id_;
  ThreadForest forest_;
};

}  // namespace

ThreadForest ThreadByReferences(const std::vector<MessageSummary>& messages) {
  return ReferenceThreader(messages).Run();
}

}  // namespace mailvault::imap
