// IDLE (RFC 2177, RFC 9051 6.3.13): report changes as they happen until the
// client sends DONE.
#include "common/imap/simple_args.h"
#include "server/imap/session.h"

namespace mailvault::imap {

asio::awaitable<Session::Reply> Session::Idle(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  out_ += "+ idling\r\n";
  receiver_.SetMode(ReceiverMode::kIdle);

  // One read is kept in flight with a completion handler while the
  // coroutine waits on the wake timer: a change notification or the read
  // completing cancels the timer. (Asio 1.74 has no awaitable operator||.)
  struct PendingRead {
    bool done = false;
    boost::system::error_code ec;
    size_t bytes = 0;
  };
  auto read = std::make_shared<PendingRead>();
  bool read_in_flight = false;
  std::shared_ptr<WakeState> wake = wake_;
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
    if (wake->pending && state_ == SessionState::kSelected) co_await SyncSelected();
    if (wake->shutting_down) {
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
    if (!read_in_flight) {
      read_in_flight = true;
      read->done = false;
      deadline_.ExpireAfter(context_.options.idle_authenticated);
      connection_.AsyncReadSome(asio::buffer(read_buffer_),
                                [read, wake](const boost::system::error_code& ec, size_t n) {
                                  read->done = true;
                                  read->ec = ec;
                                  read->bytes = n;
                                  wake->timer.cancel();
                                });
    }
    // Both signals are set on this strand, so checking before waiting
    // cannot miss one that came while we were busy.
    if (!read->done && !wake->pending && !wake->shutting_down) {
      boost::system::error_code ignored;
      co_await wake->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
    if (read->done) {
      read_in_flight = false;
      if (read->ec) {
        state_ = SessionState::kLogout;
        result = Reply{"", "", ""};
        break;
      }
      receiver_.Feed(std::string_view(read_buffer_.data(), read->bytes));
    }
  }
  if (read_in_flight) {
    // Only on the way out of a dead connection: let the read finish before
    // the buffer it writes to can go away.
    connection_.Close();
    while (!read->done) {
      boost::system::error_code ignored;
      co_await wake->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
    }
  }
  co_return *result;
}

}  // namespace mailvault::imap
