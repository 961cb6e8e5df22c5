// `mailvault passphrase | backup | restore`: the key file itself. A backup
// is the profile plus the key file encrypted under a backup passphrase, so
// a fresh machine with the backup and that passphrase reads all mail again.
#include <unistd.h>

#include <cstdio>
#include <toml++/toml.h>

#include "client/cli/cli_context.h"
#include "client/device/device.h"
#include "common/base64.h"

namespace mailvault::client {
namespace {

constexpr std::string_view kBackupHeader = "# mailvault key backup v1";

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
  MV_ASSIGN_OR_RETURN(std::string sealed,
                      EncryptKeyFile(device.keys, backup_passphrase.view(), device.limits));
  // The profile's TOML, and the key file as one more key of it.
  const std::string text = std::string(kBackupHeader) + "\n" + ProfileToToml(device.profile) +
                           "key_file = \"" + EncodeBase64(sealed) + "\"\n";
  MV_RETURN_IF_ERROR(WriteFileAtomically(out, text, 0600));
  std::printf("Backup of %s's keys written to %s\n", device.profile.account.c_str(), out.c_str());
  return Status::Ok();
}

Status RunRestore(const CliOptions& options, const std::string& in, bool force) {
  MV_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(in));
  if (text.rfind(kBackupHeader, 0) != 0) {
    return Status(ErrorCode::kMalformed, in + " is not a mailvault key backup");
  }
  MV_ASSIGN_OR_RETURN(Profile profile, ProfileFromToml(text, in));
  profile.dir = options.profile_dir();
  std::string key_file;
  try {
    key_file = toml::parse(text, in)["key_file"].value_or(std::string());
  } catch (const toml::parse_error&) {  // ProfileFromToml parsed it already
  }
  auto sealed = DecodeBase64(key_file);
  if (!sealed.ok() || sealed->empty()) {
    return Status(ErrorCode::kMalformed, in + " is damaged (its key_file is missing)");
  }
  if (::access(profile.key_file_path().c_str(), F_OK) == 0 && !force) {
    return Status(ErrorCode::kAlreadyExists,
                  profile.key_file_path() + " exists; restore elsewhere with --profile, or --force");
  }
  MV_ASSIGN_OR_RETURN(SecretBytes backup_passphrase,
                      ReadPassphrase(options.passphrase, "Passphrase of the backup"));
  auto keys = DecryptKeyFile(*sealed, backup_passphrase.view());
  if (!keys.ok()) {
    if (keys.code() == ErrorCode::kWrongPassphrase) {
      return Status(ErrorCode::kWrongPassphrase, "wrong passphrase for the backup " + in);
    }
    return keys.status();
  }
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
  CLI::App* restore = app.add_subcommand("restore", "set this device up from a key backup");
  restore->add_option("FILE", *in, "the backup file")->required();
  restore->add_flag("--force", *force, "replace this profile's key file");
  restore->callback([&options, &run, in, force] {
    run = [&options, in, force] { return RunRestore(options, *in, *force); };
  });
}

}  // namespace mailvault::client
