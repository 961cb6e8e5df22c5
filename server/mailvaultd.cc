#include "server/mailvaultd.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>
#include <vector>

#include "server/accounts.h"
#include "server/admin/admin_server.h"
#include "server/delivery.h"
#include "server/imap/engine.h"
#include "server/lmtp/lmtp_session.h"
#include "server/metrics/metrics_server.h"
#include "net/bounded_pool.h"
#include "net/endpoint.h"
#include "net/listener.h"
#include "net/self_signed_certificate.h"
#include "net/storage_pool.h"
#include "net/tls_context.h"
#include "net/unix_listener.h"
#include "server/region_shards.h"
#include "server/session_counter.h"
#include "server/vault_authenticator.h"
#include "server/vault_commands.h"

namespace mailvault {
namespace {

constexpr auto kShutdownGrace = std::chrono::seconds(10);
constexpr auto kPurgeInterval = std::chrono::hours(1);
constexpr size_t kPurgeRows = 1000;

Status PrepareCertificate(const Config& config) {
  const std::string cert = config.CertificatePath();
  const std::string key = config.PrivateKeyPath();
  if (std::filesystem::exists(cert) && std::filesystem::exists(key)) return Status::Ok();
  if (!config.generate_self_signed) {
    return Status(ErrorCode::kNotFound, "TLS certificate " + cert + " or key " + key + " missing");
  }
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(cert).parent_path(), ec);
  std::filesystem::create_directories(std::filesystem::path(key).parent_path(), ec);
  MV_RETURN_IF_ERROR(GenerateSelfSignedCertificate(config.hostname, cert, key));
  spdlog::info("generated a self-signed certificate: {}", cert);
  return Status::Ok();
}

imap::EngineOptions ImapOptions(const Config& config) {
  imap::EngineOptions options;
  options.greeting_name = "mailvault " + config.hostname;
  options.max_line_pre_auth = config.limits.max_line_pre_auth;
  options.max_line = config.limits.max_line;
  options.max_literal = config.limits.max_message;
  options.max_nesting = config.limits.max_nesting;
  options.max_bad_commands_pre_auth = config.limits.max_bad_commands_pre_auth;
  options.max_bad_commands = config.limits.max_bad_commands;
  options.idle_pre_auth = config.limits.idle_pre_auth;
  options.idle_authenticated = config.limits.idle_authenticated;
  options.idle_keepalive = config.limits.idle_keepalive;
  return options;
}

void PrintWelcome(const Config& config, const std::string& fingerprint) {
  std::cout << "mailvaultd is running (embedded default configuration)\n"
            << "  IMAPS  " << config.imaps.host << ":" << config.imaps.port << "  (implicit TLS)\n"
            << "  LMTP   " << config.lmtp.host << ":" << config.lmtp.port << "\n"
            << "  admin  " << config.admin_socket << "\n"
            << "  metrics http://" << config.metrics.host << ":" << config.metrics.port
            << "/metrics and /healthz\n"
            << "  data   " << config.state_dir << "  (region \"" << config.regions[0].name
            << "\")\n"
            << "  certificate " << config.CertificatePath() << "\n"
            << "  SHA-256 fingerprint " << fingerprint << "\n"
            << "Create a first account with:\n"
            << "  ./build/tools/mailvault-admin account create you@localhost --region "
            << config.regions[0].name << "\n"
            << "and set up your device with the token it prints:\n"
            << "  ./build/client/mailvault init --server " << FormatEndpoint(config.imaps)
            << " --account you@localhost --token TOKEN\n"
            << "Stop with Ctrl-C.\n"
            << std::flush;
}

}  // namespace

Status RunMailvaultd(const Config& config, bool print_welcome) {
  if (auto level = spdlog::level::from_str(config.log_level); level != spdlog::level::off ||
                                                               config.log_level == "off") {
    spdlog::set_level(level);
  }
  MV_ASSIGN_OR_RETURN(auto shards, RegionShards::Open(config));
  MV_RETURN_IF_ERROR(PrepareCertificate(config));
  TlsContextHolder tls(config.CertificatePath(), config.PrivateKeyPath());
  MV_RETURN_IF_ERROR(tls.Reload());
  MV_ASSIGN_OR_RETURN(std::string fingerprint, CertificateFingerprint(config.CertificatePath()));

  const unsigned threads =
      config.threads != 0 ? config.threads : std::max(1u, std::thread::hardware_concurrency());
  StoragePool pool(std::max(2u, threads));
  imap::MailboxEvents events;
  Metrics metrics;
  Deliverer deliverer(*shards, &events, &metrics);
  PerKeyLimit limiter(config.limits.max_connections_per_address);  // per peer address
  SessionCounter sessions;
  Accounts accounts(*shards);
  VaultAuthenticator authenticator(*shards, accounts, config.hostname);
  VaultCommands vault_commands(accounts);
  PerKeyLimit account_sessions(config.limits.max_sessions_per_account);
  metrics.imap_sessions = &account_sessions;
  imap::LoginThrottle login_throttle(std::chrono::milliseconds(1500));
  BoundedPool login_pool(config.limits.login_threads,
                         size_t{config.limits.login_threads} + config.limits.max_logins_queued);
  imap::SharedViews views;
  imap::ShutdownNotice shutdown_notice;
  imap::EngineContext imap_context{ImapOptions(config), authenticator,    pool,
                                   events,              account_sessions, login_throttle,
                                   views,               &vault_commands,  &login_pool,
                                   &shutdown_notice};
  LmtpContext lmtp_context{config, deliverer, pool, &shutdown_notice};

  // Declared after everything a session refers to: sessions still open when
  // the contexts stop are destroyed with them, before what they use.
  IoContextPool contexts(threads);
  asio::io_context& io = contexts.main();
  // The transport map names this node's LMTP listener (by host name when it
  // listens on every address): MTAs usually run on other hosts.
  const bool any_address = config.lmtp.host == "0.0.0.0" || config.lmtp.host == "::";
  AdminContext admin_context{
      accounts,
      *shards,
      LmtpTransport(any_address ? config.hostname : config.lmtp.host, config.lmtp.port),
      FormatEndpoint(config.imaps),
      {}};
  MV_ASSIGN_OR_RETURN(auto admin,
                      AdminServer::Bind(io, config.admin_socket, admin_context, pool));
  asio::co_spawn(io, admin->AcceptLoop(), asio::detached);
  MV_ASSIGN_OR_RETURN(auto imaps_acceptor, BindListener(io, config.imaps));
  asio::co_spawn(io,
                 AcceptLoop(*imaps_acceptor, contexts, limiter, /*refusal=*/"",
                            config.limits.dead_peer,
                            sessions.Wrap<tcp::socket>(metrics.imap, [&](tcp::socket s) {
                              return imap::RunImapSession(
                                  imap::Connection(std::move(s), tls.current()),
                                  /*implicit_tls=*/true, imap_context);
                            })),
                 asio::detached);
  std::vector<std::unique_ptr<tcp::acceptor>> starttls_acceptors;
  for (const Endpoint& endpoint : config.imap_starttls) {
    MV_ASSIGN_OR_RETURN(auto acceptor, BindListener(io, endpoint));
    asio::co_spawn(io,
                   AcceptLoop(*acceptor, contexts, limiter, "* BYE Too many connections\r\n",
                              config.limits.dead_peer,
                              sessions.Wrap<tcp::socket>(metrics.imap, [&](tcp::socket s) {
                                return imap::RunImapSession(
                                    imap::Connection(std::move(s), tls.current()),
                                    /*implicit_tls=*/false, imap_context);
                              })),
                   asio::detached);
    starttls_acceptors.push_back(std::move(acceptor));
  }

  MV_ASSIGN_OR_RETURN(auto lmtp_acceptor, BindListener(io, config.lmtp));
  asio::co_spawn(io,
                 AcceptLoop(*lmtp_acceptor, contexts, limiter,
                            "421 4.7.0 Too many connections from your address\r\n",
                            config.limits.dead_peer,
                            sessions.Wrap<tcp::socket>(metrics.lmtp, [&](tcp::socket s) {
                              return RunLmtpSession(std::move(s), lmtp_context);
                            })),
                 asio::detached);

  // LMTP on a unix socket too, when configured (0660: the MTA's group).
  UnixAcceptor lmtp_unix(io);
  if (!config.lmtp_socket.empty()) {
    MV_RETURN_IF_ERROR(BindUnixSocket(lmtp_unix, config.lmtp_socket, 0660));
    asio::co_spawn(io,
                   UnixAcceptLoop(lmtp_unix, contexts,
                                  sessions.Wrap<UnixSocket>(metrics.lmtp, [&](UnixSocket s) {
                                    return RunLmtpSession(std::move(s), lmtp_context);
                                  })),
                   asio::detached);
  }

  std::unique_ptr<MetricsServer> metrics_server;
  if (config.metrics.port != 0) {
    MV_ASSIGN_OR_RETURN(metrics_server,
                        MetricsServer::Bind(io, config.metrics, metrics, *shards));
    asio::co_spawn(io, metrics_server->AcceptLoop(), asio::detached);
    spdlog::info("metrics on http://{}:{}/metrics", config.metrics.host, metrics_server->port());
  }

  // Expired enrollment tokens are deleted at start and then every hour, in
  // steps of at most kPurgeRows credentials per region, each its own job on
  // the storage pool so that mail work interleaves with a long walk.
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        asio::steady_timer next_walk(co_await asio::this_coro::executor);
        for (;;) {
          size_t purged = 0;
          for (bool finished = false; !finished;) {
            auto step = co_await pool.Run([&] { return accounts.PurgeExpiredTokens(kPurgeRows); });
            if (!step.ok()) {
              spdlog::warn("purging expired enrollment tokens: {}", step.status().ToString());
              break;
            }
            purged += step->purged;
            finished = step->finished;
          }
          if (purged > 0) spdlog::info("deleted {} expired enrollment tokens", purged);
          next_walk.expires_after(kPurgeInterval);
          boost::system::error_code ec;
          co_await next_walk.async_wait(asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
        }
      },
      asio::detached);

  // SIGTERM/SIGINT: stop accepting, give sessions time to finish what they
  // do (an append in flight completes and is answered), then stop.
  // SIGHUP: reload the TLS certificate.
  asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  std::function<void(const boost::system::error_code&, int)> on_signal;
  asio::steady_timer drain(io);
  auto shutdown_deadline = std::chrono::steady_clock::time_point::max();
  std::function<void()> wait_for_sessions = [&] {
    if (sessions.live() == 0 || std::chrono::steady_clock::now() >= shutdown_deadline) {
      contexts.Stop();
      return;
    }
    drain.expires_after(std::chrono::milliseconds(50));
    drain.async_wait([&](const boost::system::error_code&) { wait_for_sessions(); });
  };
  on_signal = [&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      const Status reloaded = tls.Reload();
      if (reloaded.ok()) {
        spdlog::info("TLS certificate reloaded");
      } else {
        spdlog::error("TLS certificate reload failed, keeping the old one: {}",
                      reloaded.ToString());
      }
      signals.async_wait(on_signal);
      return;
    }
    spdlog::info("shutting down: {} sessions open", sessions.live());
    boost::system::error_code ignored;
    lmtp_acceptor->close(ignored);
    imaps_acceptor->close(ignored);
    for (auto& acceptor : starttls_acceptors) acceptor->close(ignored);
    admin->Close();
    if (metrics_server) metrics_server->Close();
    if (lmtp_unix.is_open()) {
      lmtp_unix.close(ignored);
      ::unlink(config.lmtp_socket.c_str());
    }
    // Idle and IDLE-ing IMAP sessions say BYE and end now; the others
    // finish their command first, within the grace.
    shutdown_notice.Announce();
    shutdown_deadline = std::chrono::steady_clock::now() + kShutdownGrace;
    wait_for_sessions();
  };
  signals.async_wait(on_signal);

  spdlog::info("mailvaultd: IMAPS on {}:{}, LMTP on {}:{}, regions: {}", config.imaps.host,
               imaps_acceptor->local_endpoint().port(), config.lmtp.host,
               lmtp_acceptor->local_endpoint().port(), fmt::join(shards->hosted(), ", "));
  if (print_welcome) PrintWelcome(config, fingerprint);

  contexts.Run();
  // Storage work still queued finishes (its replies are never sent) before
  // the contexts, and the sessions waiting in them, are destroyed.
  pool.Stop();
  login_pool.Stop();
  spdlog::info("mailvaultd stopped");
  return Status::Ok();
}

}  // namespace mailvault
