// `mailvault consent move --to REGION`: the customer's signed consent to
// move the account to another region, for the operator's
// `mailvault-admin move --consent FILE`. Usable once, for 30 days.
#include <cstdio>
#include <ctime>

#include "client/cli/cli_context.h"
#include "client/device/device.h"
#include "common/crypto/move_consent.h"

namespace mailvault::client {
namespace {

Status RunConsentMove(const CliOptions& options, const std::string& to, const std::string& out) {
  MV_ASSIGN_OR_RETURN(Device device, UnlockDevice(options.profile_dir(), options.passphrase));
  const std::string text = EncodeMoveConsent(SignMoveConsent(
      device.profile.account, to, device.current().signing, static_cast<uint64_t>(std::time(nullptr))));
  if (out.empty()) {
    std::fputs(text.c_str(), stdout);
    return Status::Ok();
  }
  MV_RETURN_IF_ERROR(WriteFileAtomically(out, text, 0600));
  std::fprintf(stderr, "Consent to move %s to region %s written to %s (valid 30 days, once)\n",
               device.profile.account.c_str(), to.c_str(), out.c_str());
  return Status::Ok();
}

}  // namespace

void AddConsentCommand(CLI::App& app, CliOptions& options, CommandRunner& run) {
  CLI::App* consent = app.add_subcommand("consent", "sign consents for your provider");
  consent->require_subcommand(1);
  auto to = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* move = consent->add_subcommand("move", "consent to moving the account to another region");
  move->add_option("--to", *to, "the region")->required();
  move->add_option("--out", *out, "write it to this file (default: standard output)");
  move->callback([&options, &run, to, out] {
    run = [&options, to, out] { return RunConsentMove(options, *to, *out); };
  });
}

}  // namespace mailvault::client
