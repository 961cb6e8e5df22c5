#include "tools/move_between_nodes.h"

#include <iostream>
#include <stdexcept>

namespace mailvault {
namespace {

using json = nlohmann::json;

// Carries the dumped account chunk by chunk from source to target.
void Carry(AdminClient& source, AdminClient& target, const std::string& account, uint64_t size,
           bool show_progress) {
  uint64_t offset = 0;
  int shown_percent = -1;
  do {
    const json chunk = source.Call({{"op", "move.out.read"}, {"account", account},
                                    {"offset", offset}});
    const std::string data = chunk.at("data").get<std::string>();
    target.Call({{"op", "move.in.write"}, {"account", account}, {"offset", offset},
                 {"data", data}});
    // Three base64 characters in four: the bytes this chunk carried.
    const size_t padding = data.ends_with("==") ? 2 : data.ends_with("=") ? 1 : 0;
    offset += data.size() / 4 * 3 - padding;
    const int percent = size == 0 ? 100 : static_cast<int>(offset * 100 / size);
    if (show_progress && percent / 10 != shown_percent / 10) {
      std::cerr << "carried " << offset << " of " << size << " bytes (" << percent << "%)\n";
      shown_percent = percent;
    }
    if (data.empty() && offset < size) throw std::runtime_error("the source sent an empty chunk");
  } while (offset < size);
}

}  // namespace

json MoveBetweenNodes(AdminClient& source, AdminClient& target, const std::string& account,
                      const std::string& to_region, const std::string& consent,
                      bool show_progress) {
  const json begun = source.Send(
      {{"op", "move.out.begin"}, {"account", account}, {"to", to_region}, {"consent", consent}});
  if (!begun.value("ok", false)) {
    // Run again after a move whose last step did not happen: the directory
    // names the target already, and only the old copy is left to shred.
    if (begun.value("code", "") == "wrong_region" && begun.value("error", "") == to_region) {
      return source.Call({{"op", "move.out.finish"}, {"account", account}});
    }
    throw std::runtime_error(begun.value("error", std::string("move refused")));
  }
  json accepted;
  try {
    Carry(source, target, account, begun.at("size").get<uint64_t>(), show_progress);
    accepted = target.Send({{"op", "move.in.accept"},
                            {"account", account},
                            {"from", begun.at("from")},
                            {"consent", consent},
                            {"suspended", begun.at("was_suspended")}});
  } catch (const std::exception& e) {
    accepted = {{"ok", false}, {"error", e.what()}};
  }
  if (!accepted.value("ok", false)) {
    // The directory still names the source unless the target re-homed the
    // account and its answer was lost: then the move is done after all.
    const json aborted = source.Send({{"op", "move.out.abort"}, {"account", account}});
    if (aborted.value("code", "") != "wrong_region") {
      throw std::runtime_error("move refused by the target node: " +
                               accepted.value("error", std::string("no answer")) +
                               "; the account stays where it was");
    }
  }
  return source.Call({{"op", "move.out.finish"}, {"account", account}});
}

}  // namespace mailvault
