// `mailvault key list | add-device | revoke | rotate`: the account's public
// keys on the vault, and the work of giving a key the existing mail.
#include <cstdio>
#include <ctime>
#include <set>

#include "client/cli/cli_context.h"
#include "client/cli/terminal_text.h"
#include "client/cli/progress.h"
#include "client/device/device.h"
#include "client/device/device_request.h"
#include "client/device/trusted_key_log.h"
#include "client/vault/rewrap.h"

namespace mailvault::client {
namespace {

bool IsThisDevice(const Device& device, const KeyId& id) {
  for (const DeviceKeys& keys : device.keys.keys) {
    if (keys.encryption.id() == id || keys.signing.id() == id) return true;
  }
  return false;
}

Status RunList(const CliOptions& options) {
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device));
  MV_ASSIGN_OR_RETURN(auto keys, vault->ListKeys());
  std::printf("%-32s  %-10s  %-7s  %-20s  %s\n", "KEY ID", "KIND", "STATE", "REGISTERED", "");
  for (const VaultKey& key : keys) {
    std::printf("%-32s  %-10s  %-7s  %-20s  %s\n", key.id.ToHex().c_str(),
                key.encryption ? "encryption" : "signing", key.active ? "active" : "revoked",
                UtcTime(key.registered_at, "%Y-%m-%d %H:%M UTC").c_str(), IsThisDevice(device, key.id) ? "this device" : "");
  }
  return Status::Ok();
}

// Registers a key; one registered before (a run that was interrupted) is fine.
Status RegisterOnce(VaultSession& vault, bool encryption, std::string_view public_key,
                    const SigningKeyPair& signer) {
  Status registered = vault.RegisterKey(encryption, public_key, signer);
  return registered.code() == ErrorCode::kAlreadyExists ? Status::Ok() : registered;
}

Result<RewrapReport> GiveExistingMail(VaultSession& vault, const KeyRing& readers,
                                      std::string_view target_public_key,
                                      const std::string& label) {
  MV_ASSIGN_OR_RETURN(uint64_t total, CountMessages(vault));
  Progress progress(label, total);
  MV_ASSIGN_OR_RETURN(RewrapReport report,
                      RewrapAll(vault, readers, target_public_key,
                                [&](uint64_t n) { progress.Advance(n); }));
  progress.Finish();
  if (report.unreadable > 0) {
    std::fprintf(stderr,
                 "note: %llu messages have no wrap for this device's keys and were skipped\n",
                 static_cast<unsigned long long>(report.unreadable));
  }
  return report;
}

// The request line may have been swapped on its way here: the customer
// confirms that this device computes the code the new device shows.
Status ConfirmDeviceCode(const DeviceRequest& request, const std::string& given_code) {
  const std::string code = DeviceRequestCode(request);
  std::string typed = given_code;
  if (typed.empty()) {
    // Not shown here: the customer must read it off the new device, not
    // copy it from this screen.
    MV_ASSIGN_OR_RETURN(typed, AskOnTerminal("Type the code the new device shows",
                                             "no terminal to confirm the device's code: give "
                                             "--code with the code `mailvault init --join` showed"));
  }
  if (!DeviceCodeMatches(typed, code)) {
    return Status(ErrorCode::kRefused,
                  "the code does not match this request: it was changed on its way here, or is "
                  "another device's; nothing was added");
  }
  return Status::Ok();
}

Status RunAddDevice(const CliOptions& options, const std::string& request_text,
                    const std::string& code) {
  MV_ASSIGN_OR_RETURN(DeviceRequest request, DecodeDeviceRequest(request_text));
  MV_RETURN_IF_ERROR(ConfirmDeviceCode(request, code));
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  size_t generation = 0;
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device, &generation));
  // Keys are added only to the history this device has verified.
  MV_RETURN_IF_ERROR(FetchTrustedKeyLog(*vault, device).status());
  const SigningKeyPair& signer = device.keys.keys[generation].signing;
  MV_RETURN_IF_ERROR(RegisterOnce(*vault, true, request.encryption_public_key, signer));
  MV_RETURN_IF_ERROR(RegisterOnce(*vault, false, request.signing_public_key, signer));
  MV_ASSIGN_OR_RETURN(RewrapReport report,
                      GiveExistingMail(*vault, EncryptionKeysOf(device.keys.keys),
                                       request.encryption_public_key, "Adding device"));
  std::printf("Added device: encryption key %s, signing key %s; %llu messages given to it\n",
              KeyIdOf(request.encryption_public_key).ToHex().c_str(),
              KeyIdOf(request.signing_public_key).ToHex().c_str(),
              static_cast<unsigned long long>(report.written + report.had_wrap));
  return Status::Ok();
}

// Mail that only `key` can open would become unreadable when it is revoked:
// the vault deletes its wraps. Counted against this device's keys.
Result<uint64_t> OnlyOpenableBy(VaultSession& vault, const KeyId& key, const Device& device) {
  MV_ASSIGN_OR_RETURN(auto mailboxes, vault.ListMailboxes());
  uint64_t orphans = 0;
  for (const VaultMailbox& box : mailboxes) {
    if (!box.selectable || box.messages == 0) continue;
    MV_ASSIGN_OR_RETURN(auto theirs, vault.FetchWraps(box.name, key, "1:*"));
    if (theirs.empty()) continue;
    MV_ASSIGN_OR_RETURN(auto ours,
                        FindOwnWraps(vault, box.name, EncryptionKeysOf(device.keys.keys), "1:*"));
    for (const VaultBlobItem& item : theirs) {
      if (!ours.count(item.uid)) ++orphans;
    }
  }
  return orphans;
}

Status RunRevoke(const CliOptions& options, const std::vector<std::string>& ids, bool force) {
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  size_t generation = 0;
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device, &generation));
  MV_ASSIGN_OR_RETURN(auto keys, vault->ListKeys());
  std::vector<const VaultKey*> targets;
  for (const std::string& text : ids) {
    auto id = KeyId::FromHex(text);
    if (!id) return Status(ErrorCode::kInvalidArgument, "'" + text + "' is not a key id (32 hex digits)");
    if (IsThisDevice(device, *id)) {
      return Status(ErrorCode::kInvalidArgument,
                    "key " + text + " is this device's own; use `mailvault key rotate` to replace it");
    }
    auto key = std::find_if(keys.begin(), keys.end(), [&](const VaultKey& k) { return k.id == *id; });
    if (key == keys.end()) return Status(ErrorCode::kNotFound, "the account has no key " + text);
    targets.push_back(&*key);
  }
  for (const VaultKey* key : targets) {
    if (key->encryption && key->active && !force) {
      MV_ASSIGN_OR_RETURN(uint64_t orphans, OnlyOpenableBy(*vault, key->id, device));
      if (orphans > 0) {
        return Status(ErrorCode::kRefused,
                      std::to_string(orphans) + " messages can be opened only with key " +
                          key->id.ToHex() + "; revoking it makes them unreadable (--force to do it anyway)");
      }
    }
    MV_RETURN_IF_ERROR(vault->RevokeKey(key->id, device.keys.keys[generation].signing));
    std::printf("Revoked %s key %s\n", key->encryption ? "encryption" : "signing",
                key->id.ToHex().c_str());
  }
  return Status::Ok();
}

// Rotation, in steps that can each be run again: the new generation is in
// the key file before the vault hears of it, the old one leaves the key
// file only after the vault has revoked it.
Status RunRotate(const CliOptions& options) {
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  if (device.keys.keys.size() == 1) {
    device.keys.keys.push_back(DeviceKeys::Generate());
    device.keys.keys.back().created_at = static_cast<int64_t>(std::time(nullptr));
    MV_RETURN_IF_ERROR(device.SaveKeys());
  } else {
    std::fprintf(stderr, "Resuming the rotation to key %s\n",
                 device.current().encryption.id().ToHex().c_str());
  }
  const DeviceKeys& next = device.current();
  size_t generation = 0;
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device, &generation));
  MV_RETURN_IF_ERROR(FetchTrustedKeyLog(*vault, device).status());
  if (generation + 1 != device.keys.keys.size()) {
    const SigningKeyPair& signer = device.keys.keys[generation].signing;
    MV_RETURN_IF_ERROR(RegisterOnce(*vault, true, next.encryption.public_key, signer));
    MV_RETURN_IF_ERROR(RegisterOnce(*vault, false, next.signing.public_key, signer));
  }
  std::vector<DeviceKeys>& all = device.keys.keys;
  KeyRing old_keys;
  for (size_t i = 0; i + 1 < all.size(); ++i) old_keys.push_back(&all[i].encryption);
  MV_ASSIGN_OR_RETURN(RewrapReport report,
                      GiveExistingMail(*vault, old_keys, next.encryption.public_key, "Rotating"));
  // The new key must open everything the old ones open before they go.
  MV_ASSIGN_OR_RETURN(uint64_t missing, CountNotReadableBy(*vault, old_keys, next.encryption));
  if (missing > 0) {
    return Status(ErrorCode::kCorruption,
                  std::to_string(missing) +
                      " messages still cannot be opened with the new key; the old key is kept. "
                      "Run `mailvault key rotate` again");
  }
  // Revoke with the new signing key: a fresh session proves the vault takes it.
  MV_ASSIGN_OR_RETURN(vault, VaultSession::Connect(device.profile.address()));
  MV_RETURN_IF_ERROR(vault->Login(device.profile.account, next.signing));
  for (size_t i = 0; i + 1 < all.size(); ++i) {
    MV_RETURN_IF_ERROR(vault->RevokeKey(all[i].encryption.id(), next.signing));
    MV_RETURN_IF_ERROR(vault->RevokeKey(all[i].signing.id(), next.signing));
  }
  // Printed before the old generations leave the vector (and `next` moves).
  const std::string summary = "Rotated: encryption key " + next.encryption.id().ToHex() +
                              ", signing key " + next.signing.id().ToHex() + " (old key " +
                              all.front().encryption.id().ToHex() + " revoked; " +
                              std::to_string(report.written) + " wraps written).";
  all.erase(all.begin(), all.end() - 1);
  MV_RETURN_IF_ERROR(device.SaveKeys());
  std::printf("%s Make a new backup: older ones hold the revoked key.\n", summary.c_str());
  return Status::Ok();
}

}  // namespace

void AddKeyCommands(CLI::App& app, CliOptions& options, CommandRunner& run) {
  CLI::App* key = app.add_subcommand("key", "the account's keys on the vault");
  key->require_subcommand(1);

  key->add_subcommand("list", "public keys of the account, revoked ones included")
      ->callback([&options, &run] { run = [&options] { return RunList(options); }; });

  auto request = std::make_shared<std::string>();
  auto code = std::make_shared<std::string>();
  CLI::App* add = key->add_subcommand(
      "add-device", "give another device (`mailvault init --join`) access to all mail");
  add->add_option("REQUEST", *request, "the line `mailvault init --join` printed")->required();
  add->add_option("--code", *code,
                  "the code the new device showed (for scripts; else it is asked for)");
  add->callback([&options, &run, request, code] {
    run = [&options, request, code] { return RunAddDevice(options, *request, *code); };
  });

  auto ids = std::make_shared<std::vector<std::string>>();
  auto force = std::make_shared<bool>(false);
  CLI::App* revoke = key->add_subcommand("revoke", "revoke keys (a lost device's); their wraps are deleted");
  revoke->add_option("KEYID", *ids, "key ids from `mailvault key list`")->required();
  revoke->add_flag("--force", *force, "even if some mail can then be opened by no other key");
  revoke->callback([&options, &run, ids, force] {
    run = [&options, ids, force] { return RunRevoke(options, *ids, *force); };
  });

  key->add_subcommand("rotate", "replace this device's keys; re-wraps all mail, then revokes the old keys")
      ->callback([&options, &run] { run = [&options] { return RunRotate(options); }; });
}

}  // namespace mailvault::client
