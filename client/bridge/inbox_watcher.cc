#include "client/bridge/inbox_watcher.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "client/cli/terminal_text.h"
#include "common/imap/arg_reader.h"

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

void InboxWatcher::Forward(const std::vector<Response>& updates) {
  const std::string& account = device_.profile.account;
  bool inbox = false;
  for (const Response& update : updates) {
    const std::vector<imap::ImapToken>& data = update.data;
    const bool named = data.size() >= 2 && data[0].kind == imap::TokenKind::kAtom;
    if (named && imap::IsAtomNamed(data[0], "STATUS")) {
      events_.Notify(account, data[1].text);  // messages of another mailbox
    } else if (named && imap::IsAtomNamed(data[0], "LIST") && data.size() >= 4 &&
               data[1].kind == imap::TokenKind::kList) {
      events_.NotifyAccount(account, MailboxListEvent(data));
    } else {
      inbox = true;  // EXISTS, EXPUNGE, VANISHED, FETCH of INBOX
    }
  }
  if (inbox) events_.Notify(account, "INBOX");
}

imap::AccountEvent InboxWatcher::MailboxListEvent(const std::vector<imap::ImapToken>& data) {
  // "LIST (\NonExistent) "/" name", or "LIST () "/" new ("OLDNAME" (old))".
  imap::AccountEvent event{imap::AccountEvent::Kind::kCreated, data[3].text, {}};
  for (const imap::ImapToken& attribute : data[1].children) {
    if (imap::IsAtomNamed(attribute, "\\NONEXISTENT")) {
      event.kind = imap::AccountEvent::Kind::kDeleted;
    }
  }
  if (data.size() >= 5 && data[4].kind == imap::TokenKind::kList &&
      data[4].children.size() >= 2 && data[4].children[1].kind == imap::TokenKind::kList &&
      !data[4].children[1].children.empty()) {
    event.kind = imap::AccountEvent::Kind::kRenamed;
    event.old_name = data[4].children[1].children[0].text;
  }
  return event;
}

Status InboxWatcher::WatchOnce() {
  MV_ASSIGN_OR_RETURN(auto vault, OpenVault(device_));
  MV_RETURN_IF_ERROR(vault->Select("INBOX", /*read_only=*/true).status());
  // With NOTIFY the vault tells of every mailbox, not only INBOX: what other
  // devices do anywhere in the account reaches the bridge's sessions (their
  // IDLE on any mailbox, and their own NOTIFY).
  if (vault->imap().HasCapability("NOTIFY")) {
    MV_ASSIGN_OR_RETURN(
        auto notify,
        vault->imap().Run(CommandBuilder("NOTIFY SET (selected (MessageNew MessageExpunge "
                                         "FlagChange)) (personal (MessageNew MessageExpunge "
                                         "FlagChange MailboxName))")));
    MV_RETURN_IF_ERROR(notify.ToStatus("NOTIFY"));
  }
  while (!stop_) {
    MV_RETURN_IF_ERROR(vault->imap().StartIdle());
    const auto renew_at = std::chrono::steady_clock::now() + kIdleRenewal;
    while (!stop_ && std::chrono::steady_clock::now() < renew_at) {
      MV_ASSIGN_OR_RETURN(auto updates, vault->imap().WaitIdle(kPoll));
      Forward(updates);
    }
    MV_RETURN_IF_ERROR(vault->imap().StopIdle());
  }
  return Status::Ok();
}

}  // namespace mailvault::client
