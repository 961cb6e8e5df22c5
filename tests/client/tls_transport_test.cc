// The vault connection against a real TLS server on loopback that
// vanishes without a FIN or RST, as a vault does when the laptop moves to
// another network: the transport must notice by itself.
#include "client/net/tls_transport.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <thread>

#include "net/self_signed_certificate.h"

namespace mailvault::client {
namespace {

TEST(TlsTransportTest, AVaultThatVanishesIsNoticedWithoutAWrite) {
  char dir_template[] = "/tmp/tls-transport-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir_template), nullptr);
  const std::filesystem::path dir(dir_template);
  const std::string cert = dir / "cert.pem", key = dir / "key.pem";
  ASSERT_TRUE(GenerateSelfSignedCertificate("localhost", cert, key).ok());

  asio::io_context io;
  asio::ssl::context tls(asio::ssl::context::tls_server);
  tls.use_certificate_chain_file(cert);
  tls.use_private_key_file(key, asio::ssl::context::pem);
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const uint16_t port = acceptor.local_endpoint().port();

  std::promise<void> connected;
  std::promise<int> vanished;  // 0, or the errno of TCP repair mode
  std::thread vault([&] {
    asio::ssl::stream<tcp::socket> stream(io, tls);
    boost::system::error_code ec;
    acceptor.accept(stream.lowest_layer(), ec);
    if (!ec) stream.handshake(asio::ssl::stream_base::server, ec);
    connected.get_future().wait();
    const int on = 1;
    const int fd = stream.lowest_layer().native_handle();
    vanished.set_value(::setsockopt(fd, IPPROTO_TCP, TCP_REPAIR, &on, sizeof on) == 0 ? 0 : errno);
    stream.lowest_layer().close(ec);  // in repair mode: nothing is sent
  });

  ServerTrust trust;
  trust.trust_on_first_use = true;
  auto transport = TlsTransport::Connect("127.0.0.1", port, trust, std::chrono::seconds(1));
  // Past the delayed ACK of the vault's last bytes (its session tickets):
  // their retransmission would find the loss, not the keepalive.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  connected.set_value();
  const int repair_error = vanished.get_future().get();
  vault.join();
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(transport.ok()) << transport.status().message();
  if (repair_error == EPERM) GTEST_SKIP() << "TCP repair mode needs CAP_NET_ADMIN";
  ASSERT_EQ(repair_error, 0);

  // An IDLE's wait: nothing to read, no write. With a 1 s operation
  // timeout the keepalive probes start 2 s into the silence; the first
  // meets the RST of a kernel that no longer knows the connection.
  const auto started = std::chrono::steady_clock::now();
  char buffer[256];
  Result<size_t> read = size_t{0};
  while (read.ok() && std::chrono::steady_clock::now() - started < std::chrono::seconds(20)) {
    read = (*transport)->ReadSomeWithin(buffer, sizeof buffer, std::chrono::milliseconds(200));
  }
  ASSERT_FALSE(read.ok()) << "20 s on a vanished vault and the transport still waits";
  EXPECT_EQ(read.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(read.status().message().find("connection lost"), std::string::npos)
      << read.status().message();
}

}  // namespace
}  // namespace mailvault::client
