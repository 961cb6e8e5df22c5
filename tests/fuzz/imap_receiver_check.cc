// imap_receiver: bytes from a client through ImapReceiver as a session
// drives it (IDLE, AUTHENTICATE and LOGIN switch modes and limits), every
// command through its argument parser.
#include <string>
#include <variant>
#include <vector>

#include "common/imap/receiver.h"
#include "tests/common/imap/receiver_driver.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

using imap::ReceiverLimits;
using imap::testing::DriveReceiver;

std::string Join(const std::vector<std::string>& events) {
  std::string out;
  for (const std::string& event : events) out += event + "\n";
  return out;
}

// What goes back to the client must stay on one line.
std::string CheckReplies(std::string_view input, const ReceiverLimits& limits) {
  imap::ImapReceiver receiver(limits);
  for (const imap::ReceiverEvent& event : imap::testing::ReceiveAll(receiver, input)) {
    if (const auto* error = std::get_if<imap::ReceiverError>(&event)) {
      if (!IsOneLine(error->message) || !IsOneLine(error->tag) ||
          !IsOneLine(error->response_code)) {
        return "an error reply is not one line: " + Printable(error->message);
      }
    }
  }
  return "";
}

}  // namespace

// Whole, byte by byte and in pseudo-random splits the events (argument
// parser results included) are the same, under both limit sets.
std::string CheckImapReceiver(std::string_view input) {
  for (const ReceiverLimits& limits : {ReceiverLimits::PreAuth(), ReceiverLimits::PostAuth()}) {
    const std::string whole = Join(DriveReceiver(input, {}, limits));
    const std::vector<size_t> chunks = SplitsFor(input);
    if (Join(DriveReceiver(input, chunks, limits)) != whole) {
      return "random split changed the events; whole input gave:\n" + whole;
    }
    if (input.size() <= 4096) {
      const size_t one[] = {1};
      if (Join(DriveReceiver(input, one, limits)) != whole) {
        return "byte-by-byte feeding changed the events; whole input gave:\n" + whole;
      }
    }
    std::string failure = CheckReplies(input, limits);
    if (!failure.empty()) return failure;
  }
  return "";
}

}  // namespace mailvault::fuzz
