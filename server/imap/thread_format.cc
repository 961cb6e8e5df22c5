// The THREAD response (RFC 5256 section 4): a message with one child is
// followed by it ("1 2"); two or more children are each a parenthesised
// list ("1 (2)(3)"), since thread-nested needs at least two.
#include <string_view>
#include <variant>

#include "server/imap/message_threads.h"

namespace mailvault::imap {

std::string FormatThreads(const ThreadForest& forest, bool uid) {
  std::string out;
  // Work left to do, last first: a node's members or text to append.
  std::vector<std::variant<uint32_t, std::string_view>> work;
  for (uint32_t root : forest.roots) {
    out += '(';
    work.push_back(root);
    while (!work.empty()) {
      const auto item = work.back();
      work.pop_back();
      if (const auto* text = std::get_if<std::string_view>(&item)) {
        out += *text;
        continue;
      }
      const ThreadForest::Node& node = forest.nodes[std::get<uint32_t>(item)];
      bool wrote = false;
      if (node.message != nullptr) {
        out += std::to_string(uid ? node.message->uid : node.message->seq);
        wrote = true;
      }
      if (node.children.empty()) continue;
      if (wrote) out += ' ';
      if (node.children.size() == 1) {
        work.push_back(node.children.front());
        continue;
      }
      for (auto it = node.children.rbegin(); it != node.children.rend(); ++it) {
        work.push_back(std::string_view(")"));
        work.push_back(*it);
        work.push_back(std::string_view("("));
      }
    }
    out += ')';
  }
  return out;
}

}  // namespace mailvault::imap
