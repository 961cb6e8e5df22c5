// NOTIFY (RFC 5465): the events a client asks for, sent as they happen,
// between commands too. The selected mailbox's changes come as the usual
// EXISTS, EXPUNGE and FETCH; other mailboxes' as STATUS; names and
// subscriptions as LIST.
#include <algorithm>

#include "common/imap/notify_args.h"
#include "server/imap/session.h"

namespace mailvault::imap {
namespace {

// Account events kept for a session between two deliveries; past it the
// session is told NOTIFICATIONOVERFLOW and NOTIFY ends (RFC 5465 5.8).
constexpr size_t kMaxQueuedEvents = 10000;

bool InSubtree(const std::string& name, const std::string& root) {
  return name == root || (name.size() > root.size() && name.compare(0, root.size(), root) == 0 &&
                          name[root.size()] == kHierarchyDelimiter);
}

}  // namespace

void Session::EndNotify() { notify_.reset(); }

const NotifyGroup* Session::NotifySelectedGroup() const {
  if (!notify_) return nullptr;
  for (const NotifyGroup& group : notify_->args.groups) {
    if (group.is_selected()) return &group;
  }
  return nullptr;
}

bool Session::PushesSelectedChanges() const {
  // SELECTED-DELAYED holds expunges back until a command may report them;
  // here it holds back all of the selected mailbox's changes until then.
  const NotifyGroup* group = NotifySelectedGroup();
  return group != nullptr && group->filter == NotifyFilter::kSelected && group->events != 0;
}

asio::awaitable<const NotifyGroup*> Session::NotifyGroupFor(
    const std::string& name, std::optional<std::vector<std::string>>& subscriptions) {
  for (const NotifyGroup& group : notify_->args.groups) {
    bool matches = false;
    switch (group.filter) {
      case NotifyFilter::kSelected:
      case NotifyFilter::kSelectedDelayed:
        break;
      case NotifyFilter::kInboxes:
        matches = name == "INBOX";  // where mail is delivered
        break;
      case NotifyFilter::kPersonal:
        matches = true;
        break;
      case NotifyFilter::kSubscribed:
        if (!subscriptions) {
          auto listed = co_await OnPool([&] { return backend_->ListSubscriptions(); });
          subscriptions = listed.ok() ? std::move(listed).value() : std::vector<std::string>{};
        }
        matches = std::find(subscriptions->begin(), subscriptions->end(), name) !=
                  subscriptions->end();
        break;
      case NotifyFilter::kSubtree:
        matches = std::any_of(group.mailboxes.begin(), group.mailboxes.end(),
                              [&](const std::string& root) { return InSubtree(name, root); });
        break;
      case NotifyFilter::kMailboxes:
        matches = std::find(group.mailboxes.begin(), group.mailboxes.end(), name) !=
                  group.mailboxes.end();
        break;
    }
    if (matches) co_return &group;
  }
  co_return nullptr;
}

std::vector<StatusItem> Session::NotifyStatusItems() const {
  std::vector<StatusItem> items = {StatusItem::kMessages, StatusItem::kUidNext,
                                   StatusItem::kUidValidity, StatusItem::kUnseen};
  if (condstore_) items.push_back(StatusItem::kHighestModSeq);
  return items;
}

asio::awaitable<void> Session::ReportNotifyStatus(const std::string& name, uint32_t events,
                                                   bool always) {
  const std::vector<StatusItem> items = NotifyStatusItems();
  auto status = co_await ReadStatus(name, items);
  if (!status.ok() || !notify_) co_return;
  auto known = notify_->reported.find(name);
  if (!always && known != notify_->reported.end()) {
    const MailboxStatus& was = known->second;
    // Without FlagChange, only arrivals and expunges are news.
    bool moved = was.messages != status->messages || was.info.uidnext != status->info.uidnext ||
                 was.info.uidvalidity != status->info.uidvalidity;
    if ((events & kFlagChange) != 0) {
      moved = moved || was.unseen != status->unseen ||
              was.info.highest_modseq != status->info.highest_modseq;
    }
    if (!moved) co_return;
  }
  Untagged(StatusLine(name, *status, items));
  notify_->reported[name] = *status;
}

void Session::AppendNotifyList(const AccountEvent& event) {
  std::string line = "LIST (";
  if (event.kind == AccountEvent::Kind::kDeleted) line += "\\NonExistent";
  if (event.kind == AccountEvent::Kind::kSubscribed) line += "\\Subscribed";
  line += ") \"/\" ";
  AppendNameAstring(line, event.mailbox);
  if (event.kind == AccountEvent::Kind::kRenamed) {
    // RFC 5258 / RFC 5465 5.4: the old name as an extended data item.
    line += " (\"OLDNAME\" (";
    AppendNameAstring(line, event.old_name);
    line += "))";
  }
  Untagged(line);
}

asio::awaitable<void> Session::DeliverNotifications(bool between_commands) {
  if (!notify_) co_return;
  if (wake_->notify_overflow) {
    wake_->notify_overflow = false;
    wake_->account_events.clear();
    EndNotify();
    Untagged("OK [NOTIFICATIONOVERFLOW] Too many events at once: NOTIFY is off; resynchronise");
    co_return;
  }
  if (between_commands && wake_->pending && selected_ && PushesSelectedChanges()) {
    co_await SyncSelected();
  }
  if (!notify_) co_return;
  std::vector<AccountEvent> events = std::move(wake_->account_events);
  wake_->account_events.clear();
  std::optional<std::vector<std::string>> subscriptions;
  std::vector<std::string> touched;  // mailboxes whose messages changed, once each
  for (const AccountEvent& event : events) {
    if (event.kind == AccountEvent::Kind::kMessages) {
      // The selected mailbox's changes come as EXISTS, EXPUNGE and FETCH.
      if (selected_ && event.mailbox == selected_->name()) continue;
      if (std::find(touched.begin(), touched.end(), event.mailbox) == touched.end()) {
        touched.push_back(event.mailbox);
      }
      continue;
    }
    if (event.kind == AccountEvent::Kind::kDeleted) notify_->reported.erase(event.mailbox);
    if (event.kind == AccountEvent::Kind::kRenamed) notify_->reported.erase(event.old_name);
    const NotifyGroup* group = co_await NotifyGroupFor(event.mailbox, subscriptions);
    if (group == nullptr || !notify_) continue;
    const bool subscription = event.kind == AccountEvent::Kind::kSubscribed ||
                              event.kind == AccountEvent::Kind::kUnsubscribed;
    if ((group->events & (subscription ? kSubscriptionChange : kMailboxName)) != 0) {
      AppendNotifyList(event);
    }
    // The subscribed filter's mailboxes are what is subscribed now.
    subscriptions.reset();
  }
  for (const std::string& name : touched) {
    const NotifyGroup* group = co_await NotifyGroupFor(name, subscriptions);
    if (group == nullptr || !notify_ || (group->events & kMessageNew) == 0) continue;
    co_await ReportNotifyStatus(name, group->events, false);
  }
}

asio::awaitable<void> Session::FetchNewForNotify(uint32_t first_uid) {
  const NotifyGroup* group = NotifySelectedGroup();
  if (group == nullptr || !group->fetch_attributes || (group->events & kMessageNew) == 0) {
    co_return;
  }
  // RFC 5465 5.2: after EXISTS, a FETCH of what MessageNew asked for.
  co_await FetchUnasked(std::to_string(first_uid) + ":*", *group->fetch_attributes);
}

asio::awaitable<void> Session::FetchUnasked(std::string uid_set, const ImapToken& attributes) {
  ImapCommand fetch;
  fetch.name = "FETCH";
  fetch.uid = true;
  ImapToken set;
  set.text = std::move(uid_set);
  fetch.args = {set, attributes};
  co_await Fetch(fetch);  // its tagged reply has no command to answer
}

asio::awaitable<Session::Reply> Session::Notify(ImapCommand& command) {
  auto args = ParseNotifyArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (!args->unsupported.empty()) {
    co_return Reply{"NO", "BADEVENT (" + std::string(SupportedNotifyEvents()) + ")",
                    "Not reported here: " + args->unsupported.front()};
  }
  for (NotifyGroup& group : args->groups) {
    for (std::string& name : group.mailboxes) {
      auto decoded = DecodeName(name, MailboxNameUse::kExisting);
      if (!decoded.ok()) co_return Reply{"BAD", "", decoded.status().message()};
      name = std::move(decoded).value();
    }
  }
  EndNotify();
  wake_->account_events.clear();
  wake_->notify_overflow = false;
  if (args->none) co_return Reply{"OK", "", "NOTIFY completed: no events"};

  notify_ = std::make_unique<NotifyState>();
  notify_->args = std::move(args).value();
  std::weak_ptr<WakeState> wake = wake_;
  auto executor = connection_.executor();
  notify_->subscription = context_.events.SubscribeAccount(
      backend_->account(), [wake, executor](const AccountEvent& event) {
        asio::post(executor, [wake, event] {
          auto state = wake.lock();
          if (!state) return;
          if (state->account_events.size() < kMaxQueuedEvents) {
            state->account_events.push_back(event);
          } else {
            state->notify_overflow = true;
          }
          state->timer.cancel();  // wakes the wait between commands, and IDLE
        });
      });
  // SET STATUS: where mail may change, how it stands now (RFC 5465 3.1).
  if (notify_->args.status) {
    auto mailboxes = co_await OnPool([&] { return backend_->ListMailboxes(); });
    std::optional<std::vector<std::string>> subscriptions;
    if (mailboxes.ok()) {
      for (const MailboxInfo& mailbox : *mailboxes) {
        if (selected_ && mailbox.name == selected_->name()) continue;
        const NotifyGroup* group = co_await NotifyGroupFor(mailbox.name, subscriptions);
        if (group == nullptr || !notify_ || (group->events & kMessageNew) == 0) continue;
        co_await ReportNotifyStatus(mailbox.name, group->events, true);
      }
    }
  }
  // A successful NOTIFY SET is also a NOOP: the sync after it reports the
  // selected mailbox's changes.
  co_return Reply{"OK", "", "NOTIFY completed"};
}

}  // namespace mailvault::imap
