// `mailvault init`: make this device's keys, protect them with a passphrase,
// pin the vault's certificate and enroll (first device) or ask to be added
// (a further device). `mailvault pin`: accept a replaced certificate.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "client/cli/cli_context.h"
#include "client/device/device.h"
#include "client/device/device_request.h"
#include "client/device/key_log_pins.h"
#include "common/crypto/account_log.h"
#include "common/crypto/key_file.h"
#include "common/mail/account_id.h"

namespace mailvault::client {
namespace {

struct InitArgs {
  std::string server;
  std::string account;
  std::string token;
  bool join = false;
  std::string ca_file;
  std::string fingerprint;
};

// The key log starts with this enrollment: its first entry is pinned, so
// `mailvault verify` notices if the vault ever presents another history.
Status CheckAndPinKeyLog(VaultSession& vault, Profile& profile, const DeviceKeys& keys) {
  MV_RETURN_IF_ERROR(vault.Login(profile.account, keys.signing));
  MV_ASSIGN_OR_RETURN(auto entries, vault.FetchLog(LogKind::kKeys));
  MV_ASSIGN_OR_RETURN(KeyLogState log, ReplayKeyLog(profile.account, entries));
  if (log.events.empty() || log.events.front().type != KeyLogType::kEnroll ||
      log.events.front().key != keys.encryption.id()) {
    return Status(ErrorCode::kTampered, "the vault's key log does not start with this enrollment");
  }
  PinKeyLog(profile, entries);
  return Status::Ok();
}

Status RunInit(const CliOptions& options, const InitArgs& args) {
  Profile profile;
  profile.dir = options.profile_dir();
  profile.server = args.server;
  profile.account = NormalizeAccountId(args.account);
  if (::access(profile.key_file_path().c_str(), F_OK) == 0) {
    return Status(ErrorCode::kAlreadyExists,
                  "this device is set up already (" + profile.key_file_path() +
                      "); use --profile DIR for another account");
  }
  VaultAddress address;
  address.endpoint = args.server;
  address.trust.ca_file = args.ca_file;
  address.trust.pinned_fingerprint = args.fingerprint;
  address.trust.trust_on_first_use = args.ca_file.empty() && args.fingerprint.empty();
  MV_ASSIGN_OR_RETURN(auto vault, VaultSession::Connect(address));
  if (args.ca_file.empty()) {
    profile.fingerprint = vault->peer_fingerprint();
    std::printf("Vault certificate SHA-256 %s\n  %s; compare it with the one your provider "
                "publishes.\n",
                profile.fingerprint.c_str(),
                args.fingerprint.empty() ? "trusted on first use and pinned" : "matches, pinned");
  } else {
    profile.ca_file = args.ca_file;
  }

  MV_ASSIGN_OR_RETURN(SecretBytes passphrase,
                      ReadNewPassphrase(options.new_passphrase.file.empty() &&
                                                options.new_passphrase.fd < 0
                                            ? options.passphrase
                                            : options.new_passphrase,
                                        "New passphrase for this device's key file"));
  KeyFileContents contents;
  contents.account_id = profile.account;
  contents.keys.push_back(DeviceKeys::Generate());
  const DeviceKeys& keys = contents.keys.back();
  MV_ASSIGN_OR_RETURN(std::string file,
                      EncryptKeyFile(contents, passphrase.view(), options.kdf_limits()));

  if (!args.join) {
    // Enroll before anything is written: a refused token leaves no half-made
    // profile behind, and the keys are in memory until the file is written.
    MV_RETURN_IF_ERROR(vault->Enroll(profile.account, args.token, keys.encryption.public_key,
                                     keys.signing.public_key));
    MV_RETURN_IF_ERROR(CheckAndPinKeyLog(*vault, profile, keys));
  }
  MV_RETURN_IF_ERROR(SaveProfile(profile));
  MV_RETURN_IF_ERROR(WriteFileAtomically(profile.key_file_path(), file, 0600));
  if (!args.join) {
    std::printf("Enrolled %s: encryption key %s, signing key %s\n", profile.account.c_str(),
                keys.encryption.id().ToHex().c_str(), keys.signing.id().ToHex().c_str());
    std::printf("Keys saved in %s. Make a backup now: mailvault backup --out FILE\n",
                profile.key_file_path().c_str());
    return Status::Ok();
  }
  std::printf("Keys saved in %s. On a device that has access already, run:\n"
              "  mailvault key add-device %s\n",
              profile.key_file_path().c_str(), EncodeDeviceRequest(keys).c_str());
  return Status::Ok();
}

Status RunPin(const CliOptions& options, const std::string& fingerprint,
              const std::string& server) {
  MV_ASSIGN_OR_RETURN(Profile profile, LoadProfile(options.profile_dir()));
  // After a move to a region on another node the vault refers the account
  // there: the customer pins that node's certificate and address together.
  if (!server.empty()) profile.server = server;
  VaultAddress address = profile.address();
  address.trust.pinned_fingerprint = fingerprint;
  address.trust.ca_file.clear();
  MV_ASSIGN_OR_RETURN(auto vault, VaultSession::Connect(address));
  profile.fingerprint = fingerprint;
  profile.ca_file.clear();
  MV_RETURN_IF_ERROR(SaveProfile(profile));
  std::printf("Pinned %s for %s\n", fingerprint.c_str(), profile.server.c_str());
  return Status::Ok();
}

}  // namespace

void AddInitCommands(CLI::App& app, CliOptions& options, CommandRunner& run) {
  auto args = std::make_shared<InitArgs>();
  CLI::App* init = app.add_subcommand("init", "set up this device for an account");
  init->add_option("--server", args->server, "the vault's IMAPS address, HOST:PORT")->required();
  init->add_option("--account", args->account, "your address")->required();
  auto* token = init->add_option("--token", args->token,
                                 "the one-time enrollment token from your provider (first device)");
  auto* join = init->add_flag("--join", args->join,
                              "a further device: prints a request for `mailvault key add-device`");
  token->excludes(join);
  init->add_option("--ca", args->ca_file, "trust the vault through this CA file instead of pinning");
  init->add_option("--fingerprint", args->fingerprint,
                   "the vault certificate's SHA-256 fingerprint, if you have it already");
  init->callback([&options, &run, args] {
    if (args->token.empty() && !args->join) {
      throw CLI::ValidationError("init", "give --token (first device) or --join (a further one)");
    }
    run = [&options, args] { return RunInit(options, *args); };
  });

  auto fingerprint = std::make_shared<std::string>();
  auto server = std::make_shared<std::string>();
  CLI::App* pin = app.add_subcommand("pin", "trust a new certificate of the vault (after checking it)");
  pin->add_option("FINGERPRINT", *fingerprint, "SHA-256, AB:CD:...")->required();
  pin->add_option("--server", *server,
                  "the vault's new IMAPS address, HOST:PORT (after a move to another node)");
  pin->callback([&options, &run, fingerprint, server] {
    run = [&options, fingerprint, server] { return RunPin(options, *fingerprint, *server); };
  });
}

}  // namespace mailvault::client
