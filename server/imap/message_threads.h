// THREAD (RFC 5256 section 3): ORDEREDSUBJECT and REFERENCES over message
// summaries, and the THREAD response's nested lists.
//
// Threads are a flat forest of indices, not nested values: a chain of
// replies is as deep as it is long and its length is up to whoever sends
// mail, so nothing here recurses along it (building, pruning, sorting and
// writing all use explicit stacks or a post-order list).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/imap/message_summary.h"

namespace mailvault::imap {

struct ThreadForest {
  struct Node {
    const MessageSummary* message = nullptr;  // nullptr: a dummy (a missing parent)
    std::vector<uint32_t> children;           // indices into `nodes`, in thread order
  };
  std::vector<Node> nodes;
  std::vector<uint32_t> roots;  // in thread order
};

// The summaries must outlive the forest and carry their content fields.
// `messages` is in any order; ties are broken by sequence number.
ThreadForest ThreadByOrderedSubject(const std::vector<MessageSummary>& messages);
ThreadForest ThreadByReferences(const std::vector<MessageSummary>& messages);

// "(1 2 (3)(4 5))(6)": thread-list per root (RFC 5256 section 4), with uids
// or sequence numbers. Empty for an empty forest.
std::string FormatThreads(const ThreadForest& forest, bool uid);

}  // namespace mailvault::imap
