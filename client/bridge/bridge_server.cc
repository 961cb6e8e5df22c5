#include "client/bridge/bridge_server.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>

#include "client/bridge/bridge_backend.h"
#include "client/bridge/inbox_watcher.h"
#include "client/cli/terminal_text.h"
#include "client/device/trusted_key_log.h"
#include "common/crypto/subkeys.h"
#include "common/mail/account_id.h"
#include "server/imap/engine.h"
#include "net/io_context_pool.h"
#include "net/listener.h"
#include "net/self_signed_certificate.h"
#include "net/tls_context.h"

namespace mailvault::client {
namespace {

class BridgeAuthenticator : public imap::Authenticator {
 public:
  BridgeAuthenticator(const Device& device, IndexStore& indexes)
      : device_(device), indexes_(indexes), password_(BridgePassword(device)) {}

  imap::LoginResult Login(std::string_view user, std::string_view password) override {
    const bool user_ok = NormalizeAccountId(user) == device_.profile.account;
    const bool password_ok = password.size() == password_.size() &&
                             sodium_memcmp(password.data(), password_.data(), password_.size()) == 0;
    if (!user_ok || !password_ok) return {nullptr, "AUTHENTICATIONFAILED", "Invalid credentials"};
    auto vault = OpenVault(device_);
    if (!vault.ok()) {
      spdlog::warn("bridge: the vault refused or is unreachable: {}",
                   EscapeForTerminal(vault.status().message()));
      return {nullptr, "UNAVAILABLE", "The vault cannot be reached; try again"};
    }
    return {std::make_unique<BridgeBackend>(device_, indexes_, std::move(vault).value()), "", ""};
  }

 private:
  const Device& device_;
  IndexStore& indexes_;
  const std::string password_;
};

Status PrepareCertificate(const Profile& profile, std::string& cert, std::string& key) {
  cert = profile.dir + "/bridge-cert.pem";
  key = profile.dir + "/bridge-key.pem";
  if (::access(cert.c_str(), R_OK) == 0 && ::access(key.c_str(), R_OK) == 0) return Status::Ok();
  return GenerateSelfSignedCertificate("localhost", cert, key);
}

bool IsLoopback(const std::string& host) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  return !ec && address.is_loopback();
}

}  // namespace

std::string BridgePassword(const Device& device) {
  unsigned char derived[kSubkeySize];
  DeriveSubkey(device.current().encryption.secret_key, 2, "MVbridge", derived);
  char hex[2 * 12 + 1];
  sodium_bin2hex(hex, sizeof hex, derived, 12);
  sodium_memzero(derived, sizeof derived);
  return hex;
}

Status RunBridge(const Device& device, const BridgeOptions& options,
                 const std::function<void(const BridgeReady&)>& on_ready) {
  // Plaintext goes to whoever connects: loopback only, never the network.
  if (!IsLoopback(options.host)) {
    return Status(ErrorCode::kInvalidArgument,
                  "the bridge listens on loopback only (127.0.0.1 or ::1), not " + options.host);
  }
  std::string cert_path, key_path;
  MV_RETURN_IF_ERROR(PrepareCertificate(device.profile, cert_path, key_path));
  MV_ASSIGN_OR_RETURN(auto tls, MakeServerTlsContext(cert_path, key_path));
  MV_ASSIGN_OR_RETURN(std::string fingerprint, CertificateFingerprint(cert_path));
  // Fail now, not at the first client, if the vault is unreachable or
  // serves a key log this device cannot trust.
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device));
  MV_RETURN_IF_ERROR(FetchTrustedKeyLog(*vault, device).status());
  vault.reset();

  StoragePool pool(4);
  imap::MailboxEvents events;
  IndexStore indexes(device);
  BridgeAuthenticator authenticator(device, indexes);
  PerKeyLimit per_address(64);
  PerKeyLimit account_sessions(16);
  imap::LoginThrottle throttle(std::chrono::milliseconds(500));
  imap::EngineOptions engine_options;
  engine_options.greeting_name = "mailvault bridge";
  engine_options.login_without_tls = true;
  engine_options.max_line_pre_auth = options.max_line_pre_auth;
  engine_options.max_line = options.max_line;
  engine_options.max_literal = options.max_message;
  engine_options.content_visible = true;  // plaintext: SORT by headers, THREAD
  imap::SharedViews views;
  imap::EngineContext context{engine_options, authenticator, pool,  events,
                              account_sessions, throttle,     views, nullptr};
  InboxWatcher watcher(device, events);

  IoContextPool contexts(2);
  asio::io_context& io = contexts.main();
  MV_ASSIGN_OR_RETURN(auto acceptor, BindListener(io, Endpoint{options.host, options.port}));
  asio::co_spawn(io,
                 AcceptLoop(*acceptor, contexts, per_address, "* BYE Too many connections\r\n",
                            /*dead_peer_after=*/std::chrono::seconds(0),  // loopback only
                            [&](tcp::socket socket) {
                              return imap::RunImapSession(imap::Connection(std::move(socket), tls),
                                                          /*implicit_tls=*/false, context);
                            }),
                 asio::detached);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    boost::system::error_code ignored;
    acceptor->close(ignored);
    contexts.Stop();
  });
  watcher.Start();
  on_ready(BridgeReady{acceptor->local_endpoint().port(), device.profile.account,
                       BridgePassword(device), fingerprint});
  contexts.Run();
  watcher.Stop();
  pool.Stop();
  indexes.SaveAll();
  return Status::Ok();
}

}  // namespace mailvault::client
