// `mailvault passphrase | backup | restore`: the key file itself. A backup
// is the key file with the profile inside it, encrypted under a backup
// passphrase, so a fresh machine with the backup and that passphrase reads
// all mail again, and nobody without the passphrase can point it elsewhere.
#include <unistd.h>

#include <cstdio>
#include <toml++/toml.h>

#include "client/cli/cli_context.h"
#include "client/device/device.h"
#include "common/base64.h"

namespace mailvault::client {
namespace {

// v2 keeps the profile inside the encrypted key file (docs/FORMAT.md, "Key
// backup"); v1 had it as plain TOML beside it, where anyone could change the
// server, the pinned fingerprint or the log pins.
constexpr std::string_view kBackupHeader = "# mailvault key backup v2";
constexpr std::string_view kOldBackupHeader = "# mailvault key backup v1";

Status RunPassphrase(const CliOptions& options) {
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  MV_ASSIGN_OR_RETURN(device.passphrase,
                      ReadNewPassphrase(options.new_passphrase, "New passphrase"));
  MV_RETURN_IF_ERROR(device.SaveKeys());
  std::printf("Passphrase changed for %s\n", device.profile.key_file_path().c_str());
  return Status::Ok();
}

Status RunBackup(const CliOptions& options, const std::string& out) {
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  MV_ASSIGN_OR_RETURN(SecretBytes backup_passphrase,
                      ReadNewPassphrase(options.new_passphrase,
                                        "Passphrase for the backup (keep it apart from the file)"));
  device.keys.attachment = ProfileToToml(device.profile);
  MV_ASSIGN_OR_RETURN(std::string sealed,
                      EncryptKeyFile(device.keys, backup_passphrase.view(), device.limits));
  const std::string text =
      std::string(kBackupHeader) + "\nkey_file = \"" + EncodeBase64(sealed) + "\"\n";
  MV_RETURN_IF_ERROR(WriteFileAtomically(out, text, 0600));
  std::printf("Backup of %s's keys written to %s\n", device.profile.account.c_str(), out.c_str());
  return Status::Ok();
}

// The profile a backup restores: from inside the keys (v2), or for a v1
// backup from its plain TOML, only when the customer accepts that it was
// not protected; its log pins are dropped then (the next `verify` pins).
Result<Profile> BackupProfile(const std::string& text, const KeyFileContents& keys,
                              const std::string& in, bool accept_unauthenticated) {
  // A profile inside the keys is the one the customer wrote, whatever the
  // header says (a v2 backup relabelled v1 gains nothing).
  if (!keys.attachment.empty()) return ProfileFromToml(keys.attachment, in);
  if (text.rfind(kBackupHeader, 0) == 0) {
    if (keys.attachment.empty()) {
      return Result<Profile>(ErrorCode::kMalformed, in + " is damaged (it holds no profile)");
    }
    return ProfileFromToml(keys.attachment, in);
  }
  if (!accept_unauthenticated) {
    return Result<Profile>(ErrorCode::kRefused,
                           in + " is an older backup whose profile is not protected by its "
                                "passphrase; check it and restore with "
                                "--accept-unauthenticated-profile");
  }
  MV_ASSIGN_OR_RETURN(Profile profile, ProfileFromToml(text, in));
  profile.key_log_root.clear();
  profile.key_log_seen.clear();
  profile.placement_log_seen.clear();
  profile.disclosure_log_seen.clear();
  std::fprintf(stderr, "Trusting the unprotected profile of %s: server %s, certificate %s\n",
               in.c_str(), profile.server.c_str(),
               profile.fingerprint.empty() ? profile.ca_file.c_str() : profile.fingerprint.c_str());
  return profile;
}

Status RunRestore(const CliOptions& options, const std::string& in, bool force,
                  bool accept_unauthenticated) {
  MV_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(in));
  if (text.rfind(kBackupHeader, 0) != 0 && text.rfind(kOldBackupHeader, 0) != 0) {
    return Status(ErrorCode::kMalformed, in + " is not a mailvault key backup");
  }
  std::string key_file;
  try {
    key_file = toml::parse(text, in)["key_file"].value_or(std::string());
  } catch (const toml::parse_error& e) {
    return Status(ErrorCode::kMalformed, in + " is damaged: " + std::string(e.description()));
  }
  auto sealed = DecodeBase64(key_file);
  if (!sealed.ok() || sealed->empty()) {
    return Status(ErrorCode::kMalformed, in + " is damaged (its key_file is missing)");
  }
  const std::string profile_dir = options.profile_dir();
  if (::access((profile_dir + "/keys.mvkey").c_str(), F_OK) == 0 && !force) {
    return Status(ErrorCode::kAlreadyExists,
                  profile_dir + "/keys.mvkey exists; restore elsewhere with --profile, or --force");
  }
  MV_ASSIGN_OR_RETURN(SecretBytes backup_passphrase,
                      ReadPassphrase(options.passphrase, "Passphrase of the backup"));
  auto keys = DecryptKeyFile(*sealed, backup_passphrase.view());
  if (!keys.ok()) {
    if (keys.code() == ErrorCode::kWrongPassphrase) {
      return Status(ErrorCode::kWrongPassphrase,
                    "wrong passphrase for the backup " + in + " (or the file was altered)");
    }
    return keys.status();
  }
  MV_ASSIGN_OR_RETURN(Profile profile, BackupProfile(text, *keys, in, accept_unauthenticated));
  profile.dir = profile_dir;
  if (profile.account != keys->account_id) {
    return Status(ErrorCode::kMalformed,
                  in + " names account " + profile.account + " but holds keys of " +
                      keys->account_id);
  }
  keys->attachment.clear();  // the device's own key file holds only keys
  MV_ASSIGN_OR_RETURN(SecretBytes passphrase,
                      ReadNewPassphrase(options.new_passphrase, "New passphrase for this device"));
  MV_ASSIGN_OR_RETURN(std::string file,
                      EncryptKeyFile(*keys, passphrase.view(), options.kdf_limits()));
  MV_RETURN_IF_ERROR(SaveProfile(profile));
  MV_RETURN_IF_ERROR(WriteFileAtomically(profile.key_file_path(), file, 0600));
  std::printf("Restored the keys of %s into %s\n", profile.account.c_str(), profile.dir.c_str());
  return Status::Ok();
}

}  // namespace

void AddKeyFileCommands(CLI::App& app, CliOptions& options, CommandRunner& run) {
  app.add_subcommand("passphrase", "change the key file's passphrase")->callback([&options, &run] {
    run = [&options] { return RunPassphrase(options); };
  });

  auto out = std::make_shared<std::string>();
  CLI::App* backup = app.add_subcommand("backup", "write an encrypted backup of this device's keys");
  backup->add_option("--out", *out, "the backup file")->required();
  backup->callback([&options, &run, out] { run = [&options, out] { return RunBackup(options, *out); }; });

  auto in = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto accept_unauthenticated = std::make_shared<bool>(false);
  CLI::App* restore = app.add_subcommand("restore", "set this device up from a key backup");
  restore->add_option("FILE", *in, "the backup file")->required();
  restore->add_flag("--force", *force, "replace this profile's key file");
  restore->add_flag("--accept-unauthenticated-profile", *accept_unauthenticated,
                    "restore an older (v1) backup, whose profile part is not protected");
  restore->callback([&options, &run, in, force, accept_unauthenticated] {
    run = [&options, in, force, accept_unauthenticated] {
      return RunRestore(options, *in, *force, *accept_unauthenticated);
    };
  });
}

}  // namespace mailvault::client
