// mailvault: the customer's CLI. Keys, reading, export and import, and the
// local IMAP bridge; every error is one line on stderr and exit code 1.
#include <sodium.h>

#include <cstdio>

#include "client/cli/cli_context.h"
#include "client/cli/terminal_text.h"
#include "common/crypto/undumpable_process.h"

int main(int argc, char** argv) {
  using namespace mailvault::client;
  // Keys and decrypted mail live in this process (and in the bridge, which
  // runs in it): never in a core file, never readable by another process of
  // the user's.
  if (const mailvault::Status status = mailvault::MakeProcessUndumpable(); !status.ok()) {
    std::fprintf(stderr, "mailvault: %s\n", status.message().c_str());
    return 1;
  }
  if (sodium_init() < 0) {
    std::fprintf(stderr, "mailvault: libsodium failed to initialise\n");
    return 1;
  }
  CLI::App app{"mailvault: your encrypted mail vault, from your own devices"};
  app.require_subcommand(1);
  // Global options are also taken after the subcommand, where people type
  // them (`mailvault ls --profile DIR`); subcommands inherit this.
  app.fallthrough();
  CliOptions options;
  app.add_option("--profile", options.profile_override,
                 "device profile directory (default $MAILVAULT_HOME or ~/.config/mailvault)");
  app.add_option("--passphrase-file", options.passphrase.file,
                 "read the key file's passphrase from the first line of this file");
  app.add_option("--passphrase-fd", options.passphrase.fd,
                 "read the key file's passphrase from this inherited descriptor");
  app.add_option("--new-passphrase-file", options.new_passphrase.file,
                 "read a new passphrase (init, passphrase, backup, restore) from this file");
  app.add_option("--new-passphrase-fd", options.new_passphrase.fd,
                 "read a new passphrase from this inherited descriptor");
  app.add_option("--kdf", options.kdf,
                 "Argon2id strength for key files this run writes: moderate (default, 256 MiB) "
                 "or interactive (64 MiB, for weak devices)")
      ->check(CLI::IsMember({"moderate", "interactive"}));

  CommandRunner run;
  AddInitCommands(app, options, run);
  AddKeyCommands(app, options, run);
  AddKeyFileCommands(app, options, run);
  AddReadCommands(app, options, run);
  AddTransferCommands(app, options, run);
  AddBridgeCommand(app, options, run);
  AddVerifyCommand(app, options, run);
  AddConsentCommand(app, options, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // One line, like every other error (`--help` shows the usage).
    std::fprintf(stderr, "mailvault: %s (see mailvault --help)\n", EscapeForTerminal(e.what()).c_str());
    return e.get_exit_code() != 0 ? e.get_exit_code() : 1;
  }
  const mailvault::Status status = run();
  if (!status.ok()) {
    // The message may quote the vault (a NO's text, a mailbox name): what
    // reaches the terminal is never a control sequence.
    std::fprintf(stderr, "mailvault: %s\n", EscapeForTerminal(status.message()).c_str());
    return 1;
  }
  return 0;
}
