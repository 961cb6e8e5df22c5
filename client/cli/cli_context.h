// What every `mailvault` command shares: the global options and the way a
// command reports failure (a Status whose message becomes the one error line).
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "client/device/passphrase.h"
#include "client/device/profile.h"
#include "common/crypto/key_file.h"
#include "common/status.h"

namespace mailvault::client {

struct CliOptions {
  std::string profile_override;   // --profile
  PassphraseSource passphrase;      // --passphrase-file / --passphrase-fd
  PassphraseSource new_passphrase;  // --new-passphrase-file / --new-passphrase-fd
  std::string kdf = "moderate";     // for key files written by this run

  std::string profile_dir() const { return DefaultProfileDir(profile_override); }
  KdfLimits kdf_limits() const {
    return kdf == "interactive" ? KdfLimits::Interactive() : KdfLimits::Moderate();
  }
};

// Each command file registers its subcommands; the one chosen sets `run`.
using CommandRunner = std::function<Status()>;

void AddInitCommands(CLI::App& app, CliOptions& options, CommandRunner& run);
void AddKeyCommands(CLI::App& app, CliOptions& options, CommandRunner& run);
void AddKeyFileCommands(CLI::App& app, CliOptions& options, CommandRunner& run);
void AddReadCommands(CLI::App& app, CliOptions& options, CommandRunner& run);
void AddTransferCommands(CLI::App& app, CliOptions& options, CommandRunner& run);
void AddBridgeCommand(CLI::App& app, CliOptions& options, CommandRunner& run);
void AddVerifyCommand(CLI::App& app, CliOptions& options, CommandRunner& run);
void AddConsentCommand(CLI::App& app, CliOptions& options, CommandRunner& run);

}  // namespace mailvault::client
