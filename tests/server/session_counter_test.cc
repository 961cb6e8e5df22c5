#include "server/session_counter.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>

namespace mailvault {
namespace {

asio::awaitable<void> NoteLiveSessions(const SessionCounter& counter, int& live_seen) {
  live_seen = counter.live();
  co_return;
}

TEST(SessionCounterTest, CountsASessionWhileItRuns) {
  SessionCounter counter;
  Metrics::Listener metrics;
  int live_seen = -1;
  auto wrapped = counter.Wrap<int>(
      metrics, [&](int) { return NoteLiveSessions(counter, live_seen); });
  asio::io_context io;
  asio::co_spawn(io, wrapped(1), asio::detached);
  asio::co_spawn(io, wrapped(2), asio::detached);
  io.run();
  EXPECT_EQ(live_seen, 1);  // each ran alone: a session is counted only while it runs
  EXPECT_EQ(counter.live(), 0);
  EXPECT_EQ(metrics.connections_total.load(), 2u);
  EXPECT_EQ(metrics.connections_open.load(), 0);
}

// At SIGTERM an accept loop ends and frees the function it made sessions
// with, while a session it accepted last may not have started yet on its
// own thread. That session must not refer to the function (it did, through
// a lambda coroutine's captures: a heap-use-after-free under ASan).
TEST(SessionCounterTest, ASessionStartsAfterItsFactoryIsGone) {
  SessionCounter counter;
  Metrics::Listener metrics;
  int live_seen = -1;
  auto factory = std::make_unique<std::function<asio::awaitable<void>(int)>>(counter.Wrap<int>(
      metrics, [&](int) { return NoteLiveSessions(counter, live_seen); }));
  asio::awaitable<void> session = (*factory)(1);
  factory.reset();  // the accept loop has ended
  asio::io_context io;
  asio::co_spawn(io, std::move(session), asio::detached);
  io.run();
  EXPECT_EQ(live_seen, 1);
  EXPECT_EQ(counter.live(), 0);
  EXPECT_EQ(metrics.connections_total.load(), 1u);
}

}  // namespace
}  // namespace mailvault
