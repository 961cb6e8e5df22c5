// THREAD and UID THREAD (RFC 5256): ORDEREDSUBJECT and REFERENCES. Both
// need headers, so the vault, which sees only sealed messages, refuses them.
#include "common/imap/thread_args.h"
#include "server/imap/message_threads.h"
#include "server/imap/session.h"

namespace mailvault::imap {

asio::awaitable<Session::Reply> Session::Thread(ImapCommand& command) {
  auto args = ParseThreadArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (auto refused = RefuseSearch(args->search)) co_return *refused;
  if (!backend_->CanSearchContent()) {
    co_return Reply{"NO", "CANNOT",
                    "Threading needs the message headers (Subject, Message-ID, References), "
                    "which are sealed on the vault: thread through the local bridge"};
  }
  const std::vector<MessageSummary> matched = co_await MatchMessages(args->search, true);
  const ThreadForest forest = args->algorithm == ThreadAlgorithm::kOrderedSubject
                                  ? ThreadByOrderedSubject(matched)
                                  : ThreadByReferences(matched);
  const std::string threads = FormatThreads(forest, command.uid);
  Untagged(threads.empty() ? "THREAD" : "THREAD " + threads);
  co_return Reply{"OK", "", "THREAD completed"};
}

}  // namespace mailvault::imap
