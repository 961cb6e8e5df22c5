// mailvaultd: the vault's server. `mailvaultd --config FILE`, or with no
// --config the embedded default (loopback only, data under ./var).
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "common/crypto/undumpable_process.h"
#include "server/mailvaultd.h"

int main(int argc, char** argv) {
  CLI::App app{"mailvaultd: encrypted, region-pinned mail storage (IMAP over TLS, LMTP)"};
  std::string config_path;
  app.add_option("--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);
  CLI11_PARSE(app, argc, argv);

  // Plaintext passes through this process's memory while it is sealed: it
  // must never reach a core file.
  if (const mailvault::Status status = mailvault::MakeProcessUndumpable(); !status.ok()) {
    std::cerr << "mailvaultd: " << status.message() << "\n";
    return 2;
  }

  auto config = config_path.empty() ? mailvault::Result<mailvault::Config>(mailvault::DefaultConfig())
                                    : mailvault::LoadConfig(config_path);
  if (!config.ok()) {
    std::cerr << "mailvaultd: " << config.status().message() << "\n";
    return 2;
  }
  const mailvault::Status status = mailvault::RunMailvaultd(*config, config_path.empty());
  if (!status.ok()) {
    std::cerr << "mailvaultd: " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
