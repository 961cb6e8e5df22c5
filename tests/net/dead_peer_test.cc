#include "net/dead_peer.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <string>

namespace mailvault {
namespace {

int Option(tcp::socket& socket, int level, int name) {
  int value = -1;
  socklen_t size = sizeof value;
  EXPECT_EQ(::getsockopt(socket.native_handle(), level, name, &value, &size), 0);
  return value;
}

// A connected socket on loopback, as the accept loop has one.
class DeadPeerTest : public ::testing::Test {
 protected:
  DeadPeerTest() : acceptor_(io_, tcp::endpoint(asio::ip::address_v4::loopback(), 0)) {
    client_.connect(acceptor_.local_endpoint());
    acceptor_.accept(server_);
  }

  // Sets the options on the accepted side: "", or what went wrong.
  std::string Detect(std::chrono::seconds within) {
    boost::system::error_code ec;
    DetectDeadPeer(server_, within, ec);
    return ec ? ec.message() : "";
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  tcp::socket client_{io_};
  tcp::socket server_{io_};
};

TEST_F(DeadPeerTest, GivesUpOnASilentPeerWithinTheTimeAsked) {
  ASSERT_EQ(Detect(std::chrono::seconds(120)), "");
  EXPECT_EQ(Option(server_, SOL_SOCKET, SO_KEEPALIVE), 1);
  const int idle = Option(server_, IPPROTO_TCP, TCP_KEEPIDLE);
  const int interval = Option(server_, IPPROTO_TCP, TCP_KEEPINTVL);
  const int probes = Option(server_, IPPROTO_TCP, TCP_KEEPCNT);
  EXPECT_EQ(idle, 60);
  EXPECT_LE(idle + interval * probes, 120);  // silence, then every probe unanswered
  EXPECT_GE(probes, 3);                      // a lost probe or two is not a dead peer
  EXPECT_EQ(Option(server_, IPPROTO_TCP, TCP_USER_TIMEOUT), 120'000);  // unacknowledged data
}

TEST_F(DeadPeerTest, AShortTimeStillProbes) {
  ASSERT_EQ(Detect(std::chrono::seconds(1)), "");
  EXPECT_EQ(Option(server_, IPPROTO_TCP, TCP_KEEPIDLE), 1);
  EXPECT_EQ(Option(server_, IPPROTO_TCP, TCP_KEEPINTVL), 1);
  EXPECT_EQ(Option(server_, IPPROTO_TCP, TCP_USER_TIMEOUT), 1000);
}

TEST_F(DeadPeerTest, ZeroLeavesTheSocketAlone) {
  ASSERT_EQ(Detect(std::chrono::seconds(0)), "");
  EXPECT_EQ(Option(server_, SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ(Option(server_, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);
}

TEST_F(DeadPeerTest, AYearIsHeldToWhatLinuxTakes) {
  ASSERT_EQ(Detect(std::chrono::hours(24 * 366)), "");  // the config's largest
  EXPECT_EQ(Option(server_, IPPROTO_TCP, TCP_KEEPIDLE), 32'767);  // MAX_TCP_KEEPIDLE
  EXPECT_EQ(Option(server_, IPPROTO_TCP, TCP_USER_TIMEOUT), 65'534'000);
}

}  // namespace
}  // namespace mailvault
