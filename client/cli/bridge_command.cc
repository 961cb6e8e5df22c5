// `mailvault bridge`: unlock once, then serve the customer's mail clients.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "client/bridge/bridge_server.h"
#include "client/cli/cli_context.h"
#include "client/device/device.h"
#include "net/endpoint.h"

namespace mailvault::client {
namespace {

Status RunBridgeCommand(const CliOptions& options, const std::string& listen,
                        BridgeOptions bridge) {
  MV_ASSIGN_OR_RETURN(Endpoint endpoint, ParseEndpoint(listen));
  bridge.host = endpoint.host;
  bridge.port = endpoint.port;
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  // Standard output carries the banner (scripts read it); the log goes to
  // standard error.
  spdlog::set_default_logger(spdlog::stderr_color_mt("bridge"));
  return RunBridge(device, bridge, [&](const BridgeReady& ready) {
    std::printf("mailvault bridge for %s on %s:%u (IMAP, STARTTLS available)\n"
                "  username: %s\n  password: %s\n"
                "  STARTTLS certificate SHA-256 %s\n"
                "Stop with Ctrl-C.\n",
                ready.username.c_str(), bridge.host.c_str(), ready.port, ready.username.c_str(),
                ready.password.c_str(), ready.certificate_fingerprint.c_str());
    std::fflush(stdout);
  });
}

}  // namespace

void AddBridgeCommand(CLI::App& app, CliOptions& options, CommandRunner& run) {
  auto listen = std::make_shared<std::string>("127.0.0.1:1143");
  auto limits = std::make_shared<BridgeOptions>();
  CLI::App* bridge = app.add_subcommand("bridge", "serve IMAP on loopback to your mail clients");
  bridge->add_option("--listen", *listen, "loopback HOST:PORT (default 127.0.0.1:1143)");
  bridge->add_option("--max-line-pre-auth", limits->max_line_pre_auth,
                     "bytes of one command line before login (default 65536)");
  bridge->add_option("--max-line", limits->max_line,
                     "bytes of one command line, literals excluded (default 65536)");
  bridge->add_option("--max-message", limits->max_message,
                     "bytes of one APPENDed message (default 52428800)");
  bridge->callback([&options, &run, listen, limits] {
    run = [&options, listen, limits] { return RunBridgeCommand(options, *listen, *limits); };
  });
}

}  // namespace mailvault::client
