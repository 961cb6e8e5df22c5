// IDLE (RFC 2177, RFC 9051 6.3.13): report changes as they happen until the
// client sends DONE. An untagged OK every idle_keepalive keeps NAT and
// firewalls from dropping the connection and moves the inactivity timeout,
// so an IDLE lasts as long as the client likes: RFC 9051 5.4 allows logging
// out after 30 minutes, but clients that forget to re-issue IDLE every 29
// minutes would then miss mail. A peer that is gone makes a keep-alive
// write fail, which ends the session.
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
    wake_->timer.expires_after(context_.options.idle_keepalive);
    co_await WaitForReadOrWake(state_ == SessionState::kSelected);
    // Woken by the keep-alive time, not by a read or an event (a wake
    // cancels the timer before it expires).
    if (wake_->timer.expiry() <= std::chrono::steady_clock::now()) out_ += "* OK Still here\r\n";
    wake_->timer.expires_at(std::chrono::steady_clock::time_point::max());
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
