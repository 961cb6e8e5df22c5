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

// After XENROLL the key log must be exactly this enrollment: one entry that
// names this device's encryption and signing keys. A vault that put its own
// signing key there could later sign in keys of its own; so anything else is
// refused, and only this is pinned. `vault` is logged in with these keys.
Status CheckAndPinEnrollment(VaultSession& vault, Profile& profile, const DeviceKeys& keys) {
  MV_ASSIGN_OR_RETURN(auto entries, vault.FetchLog(LogKind::kKeys));
  auto entry = entries.size() == 1 ? DecodeLogEntry(entries[0])
                                   : Result<LogEntry>(ErrorCode::kMalformed, "not one entry");
  if (!entry.ok() || entry->seq != 0 ||
      entry->type != static_cast<uint8_t>(KeyLogType::kEnroll) ||
      entry->payload != EnrollPayload(keys.encryption.public_key, keys.signing.public_key) ||
      !ReplayKeyLog(profile.account, entries).ok()) {
    return Status(ErrorCode::kTampered,
                  "KEY LOG NOT THIS ENROLLMENT: the vault's key log is not exactly the enrollment "
                  "of this device's two keys; do not use this account, and tell your provider");
  }
  PinKeyLog(profile, entries);
  return Status::Ok();
}

// Spends the token (unless an earlier run did, and only its answer was
// lost: then the keys log in) and checks what the vault made of it.
Status Enroll(VaultSession& vault, Profile& profile, const DeviceKeys& keys,
              const std::string& token, bool resuming) {
  if (resuming) {
    // The keys log in: the enrollment happened, only its answer was lost.
    // They are refused: enroll. Anything else (unreachable): try later.
    MV_ASSIGN_OR_RETURN(auto probe, VaultSession::Connect(profile.address()));
    Status login = probe->Login(profile.account, keys.signing);
    if (login.ok()) return CheckAndPinEnrollment(*probe, profile, keys);
    if (login.code() != ErrorCode::kRefused) {
      return Status(login.code(), login.message() + "; your keys are kept: run this `mailvault init` again");
    }
  }
  Status enrolled = vault.Enroll(profile.account, token, keys.encryption.public_key,
                                 keys.signing.public_key);
  if (!enrolled.ok()) {
    if (enrolled.code() == ErrorCode::kRefused && !resuming) {
      // A token refused on the first try spent nothing: leave nothing behind.
      ::unlink(profile.key_file_path().c_str());
      ::unlink(profile.profile_path().c_str());
      return enrolled;
    }
    if (enrolled.code() == ErrorCode::kRefused) {
      return Status(ErrorCode::kRefused,
                    enrolled.message() + "; your keys are kept: with a new token from "
                                         "`mailvault-admin account token`, run this "
                                         "`mailvault init` again");
    }
    return Status(enrolled.code(), enrolled.message() +
                                       "; your keys are kept: run this `mailvault init` again");
  }
  MV_RETURN_IF_ERROR(vault.Login(profile.account, keys.signing));
  return CheckAndPinEnrollment(vault, profile, keys);
}

// The first run writes the key file and a profile marked pending before the
// token is spent, so no failure after that can leave an account enrolled to
// keys nobody holds; a second run finds them and resumes.
Status RunInit(const CliOptions& options, const InitArgs& args) {
  Profile profile;
  profile.dir = options.profile_dir();
  profile.server = args.server;
  profile.account = NormalizeAccountId(args.account);
  const bool have_keys = ::access(profile.key_file_path().c_str(), F_OK) == 0;
  auto existing = LoadProfile(profile.dir);
  const bool resuming = have_keys && existing.ok() && existing->enrollment_pending;
  if (have_keys && !resuming) {
    return Status(ErrorCode::kAlreadyExists,
                  "this device is set up already (" + profile.key_file_path() +
                      "); use --profile DIR for another account");
  }
  if (resuming && (existing->account != profile.account || existing->server != args.server)) {
    return Status(ErrorCode::kInvalidArgument,
                  "an unfinished enrollment in " + profile.dir + " is for " + existing->account +
                      " at " + existing->server + "; give the same --account and --server");
  }
  if (resuming && args.join) {
    return Status(ErrorCode::kInvalidArgument,
                  "an enrollment with a token is unfinished in " + profile.dir +
                      ": run init again with --token");
  }

  KeyFileContents contents;
  if (resuming) {
    profile = std::move(existing).value();
    MV_ASSIGN_OR_RETURN(SecretBytes passphrase,
                        ReadPassphrase(options.passphrase, "Passphrase for " + profile.account));
    MV_ASSIGN_OR_RETURN(std::string file, ReadWholeFile(profile.key_file_path()));
    auto keys = DecryptKeyFile(file, passphrase.view());
    if (!keys.ok()) {
      return Status(keys.code(), keys.code() == ErrorCode::kWrongPassphrase
                                     ? "wrong passphrase for " + profile.key_file_path()
                                     : keys.status().message());
    }
    contents = std::move(keys).value();
    std::printf("Resuming the enrollment of %s with the keys made before\n",
                 profile.account.c_str());
  }
  VaultAddress address = profile.address();
  if (!resuming) {
    address.trust.ca_file = args.ca_file;
    address.trust.pinned_fingerprint = args.fingerprint;
    address.trust.trust_on_first_use = args.ca_file.empty() && args.fingerprint.empty();
  }
  MV_ASSIGN_OR_RETURN(auto vault, VaultSession::Connect(address));
  if (!resuming) {
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
    contents.account_id = profile.account;
    contents.keys.push_back(DeviceKeys::Generate());
    MV_ASSIGN_OR_RETURN(std::string file,
                        EncryptKeyFile(contents, passphrase.view(), options.kdf_limits()));
    profile.enrollment_pending = !args.join;
    MV_RETURN_IF_ERROR(SaveProfile(profile));
    MV_RETURN_IF_ERROR(WriteFileAtomically(profile.key_file_path(), file, 0600));
  }
  const DeviceKeys& keys = contents.keys.back();

  if (args.join) {
    const DeviceRequest request = RequestOf(keys);
    std::printf("Keys saved in %s. On a device that has access already, run:\n"
                "  mailvault key add-device %s\n"
                "and check that it shows this code:\n  %s\n",
                profile.key_file_path().c_str(), EncodeDeviceRequest(request).c_str(),
                DeviceRequestCode(request).c_str());
    return Status::Ok();
  }
  MV_RETURN_IF_ERROR(Enroll(*vault, profile, keys, args.token, resuming));
  profile.enrollment_pending = false;
  MV_RETURN_IF_ERROR(SaveProfile(profile));
  std::printf("Enrolled %s: encryption key %s, signing key %s\n", profile.account.c_str(),
              keys.encryption.id().ToHex().c_str(), keys.signing.id().ToHex().c_str());
  std::printf("Keys saved in %s. Make a backup now: mailvault backup --out FILE\n",
              profile.key_file_path().c_str());
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
