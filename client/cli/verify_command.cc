// `mailvault verify`: checks the account's key log on the vault — the hash
// chain, every registration and revocation signed by a key the customer
// already held back to the enrollment, the history this device saw before
// still in place — and that every key the vault lists was signed so. Shows
// every key change. Fails loudly (one line, non-zero exit) on any break.
#include <cstdio>

#include "client/cli/cli_context.h"
#include "client/cli/terminal_text.h"
#include "client/device/device.h"
#include "client/device/key_log_pins.h"
#include "client/device/trusted_key_log.h"
#include "common/crypto/account_log.h"

namespace mailvault::client {
namespace {

const char* Action(KeyLogType type) {
  switch (type) {
    case KeyLogType::kEnroll: return "enrolled";
    case KeyLogType::kRegister: return "registered";
    case KeyLogType::kRevoke: return "revoked";
  }
  return "?";
}

Status RunVerify(const CliOptions& options) {
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device));
  // The same check every sealing path makes; it pins the key log too.
  MV_ASSIGN_OR_RETURN(TrustedKeyLog trusted, FetchTrustedKeyLog(*vault, device));
  const KeyLogState& log = trusted.state;
  const std::vector<std::string>& entries = trusted.entries;

  // Every key the vault uses must have come through the log.
  MV_ASSIGN_OR_RETURN(auto listed, vault->ListKeys());
  for (const VaultKey& key : listed) {
    const LoggedKey* logged = log.Find(key.id);
    if (key.active && (logged == nullptr || !logged->active)) {
      return Status(ErrorCode::kTampered,
                    "UNSIGNED KEY: the vault lists " + std::string(key.encryption ? "encryption" : "signing") +
                        " key " + key.id.ToHex() + " as active, but no key of yours signed it");
    }
  }

  std::printf("Key log of %s: %zu entries, chain and signatures verified\n",
              device.profile.account.c_str(), entries.size());
  for (const KeyEvent& event : log.events) {
    std::printf("  %s  #%llu %-10s %-10s key %s", UtcTime(event.time, "%Y-%m-%d %H:%M").c_str(),
                static_cast<unsigned long long>(event.seq), Action(event.type),
                event.encryption ? "encryption" : "signing", event.key.ToHex().c_str());
    if (event.type != KeyLogType::kEnroll) std::printf(", signed by %s", event.signer.ToHex().c_str());
    std::printf("\n");
  }
  // Where the account has lived: every move must carry a consent signed by
  // one of the customer's keys.
  MV_ASSIGN_OR_RETURN(auto placement_entries, vault->FetchLog(LogKind::kPlacement));
  auto placement = ReplayPlacementLog(device.profile.account, placement_entries, log);
  if (!placement.ok()) {
    return Status(ErrorCode::kTampered, "PLACEMENT LOG BROKEN: " + placement.status().message());
  }
  MV_RETURN_IF_ERROR(CheckLogPin(device.profile.placement_log_seen, placement_entries, "PLACEMENT"));
  std::printf("Placement log: %zu entries verified; the account is in region %s\n",
              placement_entries.size(), EscapeForTerminal(placement->region).c_str());
  for (const Move& move : placement->moves) {
    std::printf("  %s  #%llu moved from %s to %s, consent signed by %s\n",
                UtcTime(move.time, "%Y-%m-%d %H:%M").c_str(),
                static_cast<unsigned long long>(move.seq), EscapeForTerminal(move.from).c_str(),
                EscapeForTerminal(move.to).c_str(),
                move.signer.ToHex().c_str());
  }
  // What was handed over under legal orders, once any embargo has passed.
  MV_ASSIGN_OR_RETURN(auto disclosure_entries, vault->FetchLog(LogKind::kDisclosure));
  auto disclosures = ReplayDisclosureLog(disclosure_entries);
  if (!disclosures.ok()) {
    return Status(ErrorCode::kTampered, "DISCLOSURE LOG BROKEN: " + disclosures.status().message());
  }
  MV_RETURN_IF_ERROR(
      CheckLogPin(device.profile.disclosure_log_seen, disclosure_entries, "DISCLOSURE"));
  std::printf("Disclosure log: %zu disclosures shown (embargoed ones appear when their embargo ends)\n",
              disclosures->size());
  for (const Disclosure& d : *disclosures) {
    std::printf("  %s  #%llu disclosed under order %s: %llu messages (ciphertext) from region %s\n",
                UtcTime(d.time, "%Y-%m-%d %H:%M").c_str(), static_cast<unsigned long long>(d.seq),
                Printable(d.order, 200).c_str(), static_cast<unsigned long long>(d.messages),
                EscapeForTerminal(d.region).c_str());
  }
  // Remember what was verified: a later rewrite of this history fails.
  MV_RETURN_IF_ERROR(UpdateProfile(device.profile.dir, [&](Profile& profile) {
    MV_RETURN_IF_ERROR(
        CheckLogPin(profile.placement_log_seen, placement_entries, "PLACEMENT"));
    MV_RETURN_IF_ERROR(
        CheckLogPin(profile.disclosure_log_seen, disclosure_entries, "DISCLOSURE"));
    profile.placement_log_seen = LogPin(placement_entries);
    profile.disclosure_log_seen = LogPin(disclosure_entries);
    return Status::Ok();
  }));
  if (trusted.first_pin) std::printf("The key log is now pinned on this device.\n");
  return Status::Ok();
}

}  // namespace

void AddVerifyCommand(CLI::App& app, CliOptions& options, CommandRunner& run) {
  app.add_subcommand("verify", "check the account's key log: chain, signatures, history")
      ->callback([&options, &run] { run = [&options] { return RunVerify(options); }; });
}

}  // namespace mailvault::client
