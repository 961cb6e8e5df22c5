#include "client/bridge/inbox_watcher.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "client/cli/terminal_text.h"

namespace mailvault::client {
namespace {

using namespace std::chrono_literals;

// The vault ends an IDLE after 30 minutes of silence (RFC 9051 5.4).
constexpr auto kIdleRenewal = 10min;
constexpr auto kPoll = 500ms;  // how soon Stop() is noticed
constexpr auto kRetry = 5s;

}  // namespace

void InboxWatcher::Start() { thread_ = std::thread([this] { Run(); }); }

void InboxWatcher::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void InboxWatcher::Run() {
  while (!stop_) {
    const Status status = WatchOnce();
    if (stop_) return;
    spdlog::warn("bridge: watching INBOX stopped ({}); retrying", EscapeForTerminal(status.message()));
    for (auto waited = 0ms; waited < kRetry && !stop_; waited += kPoll) {
      std::this_thread::sleep_for(kPoll);
    }
  }
}

Status InboxWatcher::WatchOnce() {
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device_));
  MV_RETURN_IF_ERROR(vault->Select("INBOX", /*read_only=*/true).status());
  while (!stop_) {
    MV_RETURN_IF_ERROR(vault->imap().StartIdle());
    const auto renew_at = std::chrono::steady_clock::now() + kIdleRenewal;
    while (!stop_ && std::chrono::steady_clock::now() < renew_at) {
      MV_ASSIGN_OR_RETURN(auto updates, vault->imap().WaitIdle(kPoll));
      if (!updates.empty()) events_.Notify(device_.profile.account, "INBOX");
    }
    MV_RETURN_IF_ERROR(vault->imap().StopIdle());
  }
  return Status::Ok();
}

}  // namespace mailvault::client
