// IDLE (RFC 2177, RFC 9051 6.3.13): report changes as they happen until the
// client sends DONE.
#include "common/imap/simple_args.h"
#include "server/imap/session.h"

namespace mailvault::imap {

asio::awaitable<Session::Reply> Session::Idle(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  out_ += "+ idling\r\n";
  receiver_.SetMode(ReceiverMode::kIdle);

  std::optional<Reply> result;
  while (!result) {
    // First what the receiver already holds (DONE may have come with IDLE).
    ReceiverEvent event = receiver_.Next();
    if (std::holds_alternative<IdleDone>(event)) {
      result = Reply{"OK", "", "IDLE terminated"};
      break;
    }
    if (std::holds_alternative<ReceiverError>(event)) {
      result = Reply{"BAD", "", "Expected DONE"};
      break;
    }
    if (wake_->pending && state_ == SessionState::kSelected) co_await SyncSelected();
    co_await DeliverNotifications(false);
    if (wake_->shutting_down) {
      // RFC 9051 7.1.5: BYE may come at any time; no tagged answer follows.
      SayGoodbyeForShutdown();
      co_await Flush();
      state_ = SessionState::kLogout;
      result = Reply{"", "", ""};
      break;
    }
    if (!co_await Flush()) {
      state_ = SessionState::kLogout;
      result = Reply{"", "", ""};
      break;
    }
    StartRead();
    co_await WaitForReadOrWake(state_ == SessionState::kSelected);
    boost::system::error_code ec;
    if (TakeRead(ec) && ec) {
      state_ = SessionState::kLogout;
      result = Reply{"", "", ""};
      break;
    }
  }
  // Only on the way out of a dead connection or a shutdown.
  if (read_->in_flight) co_await DrainRead();
  co_return *result;
}

}  // namespace mailvault::imap
