// One IMAP session: the state machine of RFC 9051 (not authenticated,
// authenticated, selected, logout) over a Connection. Command handlers are
// member functions, grouped by concern in session_*.cc; the table that maps
// names to handlers and allowed states is in session_dispatch.cc.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/imap/list_args.h"
#include "common/imap/notify_args.h"
#include "common/imap/mailbox_name.h"
#include "common/imap/receiver.h"
#include "common/imap/response_writer.h"
#include "common/imap/search_args.h"
#include "common/imap/status_args.h"
#include "server/imap/engine.h"
#include "server/imap/message_summary.h"
#include "server/imap/selected_mailbox.h"
#include "server/imap/updating_searches.h"
#include "net/connection_deadline.h"

namespace mailvault::imap {

class FetchResponse;

enum class SessionState { kNotAuthenticated, kAuthenticated, kSelected, kLogout };

class Session {
 public:
  Session(Connection connection, bool implicit_tls, EngineContext& context);
  ~Session();
  asio::awaitable<void> Run();

  // What a handler tells the loop.
  struct Reply {
    std::string status;  // "OK", "NO", "BAD"
    std::string code;    // response code without brackets, may be empty
    std::string text;
  };
  // A write the storage refused for want of space (ErrorCode::kNoSpace):
  // nothing changed, and it will work once space returns (STORAGE.md).
  static Reply StorageFull() {
    return {"NO", "UNAVAILABLE", "The server's storage is full: nothing was changed; try again later"};
  }

 private:
  using Handler = asio::awaitable<Reply> (Session::*)(ImapCommand&);
  struct CommandSpec {
    std::string_view name;
    Handler handler;
    bool not_authenticated;  // allowed before login
    bool authenticated;      // allowed after login
    bool selected;           // allowed with a mailbox selected
    // Whether other sessions' changes are reported after it: not after
    // FETCH, STORE and SEARCH, during which sequence numbers must stay put
    // (RFC 9051 7.5.1; their UID forms too, since the vault's clients read
    // their FETCH responses as the answer), nor after NOOP, CHECK and IDLE,
    // which report them themselves.
    bool sync_after = true;
  };
  static const CommandSpec* FindCommand(std::string_view name);

  // The loop.
  asio::awaitable<bool> HandleEvent(ReceiverEvent& event);
  asio::awaitable<void> Execute(ImapCommand command);
  // Finds the command's handler, checks its state and runs it.
  asio::awaitable<Reply> Dispatch(ImapCommand& command);
  // Counts a BAD answer; BYE at max_bad_commands(_pre_auth).
  void CountBadCommand();
  asio::awaitable<bool> Flush();
  // Moves the watchdog before a read or write: to the login deadline
  // before login, which trickled bytes cannot move; after it, to the
  // inactivity timeout from now.
  void ArmDeadline();
  void Untagged(std::string_view line);
  void Tagged(std::string_view tag, const Reply& reply);
  std::string Capabilities() const;
  bool authenticated() const { return state_ == SessionState::kAuthenticated || state_ == SessionState::kSelected; }
  bool LoginAllowed() const { return connection_.is_tls() || context_.options.login_without_tls; }
  MailboxNameEncoding name_encoding() const {
    return imap4rev2_ ? MailboxNameEncoding::kUtf8 : MailboxNameEncoding::kModifiedUtf7;
  }
  Charset charset() const { return imap4rev2_ ? Charset::kUtf8 : Charset::kAscii; }
  // Runs blocking back-end work on the storage pool.
  template <typename F>
  auto OnPool(F work) -> asio::awaitable<decltype(work())> {
    co_return co_await context_.pool.Run(std::move(work));
  }

  // Any state (session_auth.cc).
  asio::awaitable<Reply> Capability(ImapCommand& command);
  asio::awaitable<Reply> Noop(ImapCommand& command);
  asio::awaitable<Reply> Logout(ImapCommand& command);
  asio::awaitable<Reply> Id(ImapCommand& command);
  asio::awaitable<Reply> StartTls(ImapCommand& command);
  asio::awaitable<Reply> Login(ImapCommand& command);
  asio::awaitable<Reply> Authenticate(ImapCommand& command);
  asio::awaitable<Reply> Enable(ImapCommand& command);
  asio::awaitable<Reply> CompleteLogin(std::string_view user, std::string_view password);
  asio::awaitable<Reply> AuthenticateWithSignature(std::optional<std::string> initial_response);
  // Waits for the attempt's turn in the login throttle, before any
  // credential is verified; a refusal when its turn is too far away.
  asio::awaitable<std::optional<Reply>> AwaitLoginTurn();
  // Counts a failure, or moves the session to authenticated.
  asio::awaitable<Reply> FinishLogin(LoginResult result);
  // BYE once the connection has failed max_failed_logins times.
  void CountFailedLogin();
  // Reads one raw line in AUTHENTICATE mode.
  asio::awaitable<std::optional<AuthenticateResponse>> ReadAuthenticateLine();

  // NOTIFY (session_notify.cc).
  struct NotifyState {
    NotifyArgs args;  // mailbox names decoded
    std::unique_ptr<MailboxEvents::Subscription> subscription;
    // The last STATUS each mailbox was reported with: a change that moves
    // nothing the client asked for is not sent.
    std::map<std::string, MailboxStatus> reported;
  };
  asio::awaitable<Reply> Notify(ImapCommand& command);
  void EndNotify();
  const NotifyGroup* NotifySelectedGroup() const;
  // SELECTED with events: the selected mailbox's changes go out as they
  // happen, between commands too.
  bool PushesSelectedChanges() const;
  // The first event group whose filter takes `name` (never a SELECTED one).
  asio::awaitable<const NotifyGroup*> NotifyGroupFor(
      const std::string& name, std::optional<std::vector<std::string>>& subscriptions);
  std::vector<StatusItem> NotifyStatusItems() const;
  // "* STATUS name (...)" unless nothing `events` asks about moved since
  // the last one (or `always`).
  asio::awaitable<void> ReportNotifyStatus(const std::string& name, uint32_t events, bool always);
  void AppendNotifyList(const AccountEvent& event);
  // What NOTIFY asked for that happened since the last delivery; with
  // `between_commands`, the selected mailbox's changes too (SELECTED).
  asio::awaitable<void> DeliverNotifications(bool between_commands);
  // MessageNew's fetch attributes, for the messages from `first_uid` on.
  asio::awaitable<void> FetchNewForNotify(uint32_t first_uid);
  // UID FETCH of `attributes` that no command asked for (NOTIFY's
  // MessageNew, UPDATE's fetch attributes): the FETCH lines, no tagged reply.
  asio::awaitable<void> FetchUnasked(std::string uid_set, const ImapToken& attributes);

  // One read kept in flight while the session waits for a wake (IDLE, and
  // between commands under NOTIFY): a change notification or the read
  // completing cancels the wake timer. (Asio 1.74 has no awaitable
  // operator||.)
  void StartRead();
  // Returns at once when the read is done, or a wake is due: the server
  // stops, account events (NOTIFY), the selected mailbox changed (with
  // `selected_changes`).
  asio::awaitable<void> WaitForReadOrWake(bool selected_changes);
  // A finished read: fed to the receiver and true, with `ec` its error.
  bool TakeRead(boost::system::error_code& ec);
  // On the way out: closes the connection and lets the read finish before
  // the buffer it writes to can go away.
  asio::awaitable<void> DrainRead();

  // Mailboxes (session_mailboxes.cc).
  // Tells the account's NOTIFY sessions (this one included) of a change to
  // the mailbox list or the subscriptions.
  void TellAccount(AccountEvent::Kind kind, const std::string& mailbox,
                   const std::string& old_name = "");
  asio::awaitable<Reply> Select(ImapCommand& command);
  asio::awaitable<Reply> Create(ImapCommand& command);
  asio::awaitable<Reply> Delete(ImapCommand& command);
  asio::awaitable<Reply> Rename(ImapCommand& command);
  asio::awaitable<Reply> Subscribe(ImapCommand& command);
  asio::awaitable<Reply> List(ImapCommand& command);
  asio::awaitable<Reply> Lsub(ImapCommand& command);
  asio::awaitable<Reply> Namespace(ImapCommand& command);
  asio::awaitable<Reply> StatusCommand(ImapCommand& command);
  asio::awaitable<Reply> Close(ImapCommand& command);
  asio::awaitable<Reply> Unselect(ImapCommand& command);
  asio::awaitable<Reply> Idle(ImapCommand& command);
  asio::awaitable<Reply> ListMailboxes(const ListArgs& args, bool lsub);
  Result<std::string> DecodeName(std::string_view wire, MailboxNameUse use) const;
  // RFC 7162 3.2.5 and 3.2.6: "* VANISHED (EARLIER) uids" for the uids of
  // `within` expunged since `modseq`, then (with `fetch_changed`) a FETCH
  // of UID, FLAGS and MODSEQ for each message of the view changed since.
  asio::awaitable<Status> ReportChangesSince(uint64_t modseq, const NumberSet& within,
                                             bool fetch_changed);
  std::string StatusLine(const std::string& name, const MailboxStatus& status,
                         const std::vector<StatusItem>& items) const;
  // STATUS of one mailbox, from the back-end's counts unless SIZE is asked.
  asio::awaitable<Result<MailboxStatus>> ReadStatus(const std::string& name,
                                                    const std::vector<StatusItem>& items);
  void AppendNameAstring(std::string& out, std::string_view name) const;
  // Re-reads the selected mailbox and reports changes (NOOP, IDLE, after
  // commands other than FETCH, STORE and SEARCH).
  asio::awaitable<void> SyncSelected();
  // With CONDSTORE enabled: "* OK [HIGHESTMODSEQ n]" when the view's sync
  // point has moved past what the client was last told. An expunge raises
  // HIGHESTMODSEQ with no message left to carry it in a FETCH MODSEQ, and a
  // CONDSTORE enabled by a command while a mailbox is selected has had no
  // SELECT to say it (RFC 7162 3.1, 3.1.2.1).
  void ReportHighestModseq();
  // After a sync that brought new messages: claims them as \Recent and
  // reports "* n RECENT" to an IMAP4rev1 client.
  asio::awaitable<void> ClaimNewRecent(const std::string& mailbox);
  void Deselect();

  // Messages (session_messages.cc, session_fetch.cc, session_search.cc).
  asio::awaitable<Reply> Append(ImapCommand& command);
  asio::awaitable<Reply> Fetch(ImapCommand& command);
  // Sends one message's response; false when the connection failed.
  asio::awaitable<bool> SendFetchResponse(const FetchResponse& response);
  asio::awaitable<Reply> Store(ImapCommand& command);
  asio::awaitable<Reply> Search(ImapCommand& command);
  asio::awaitable<Reply> Sort(ImapCommand& command);    // session_sort.cc
  asio::awaitable<Reply> Thread(ImapCommand& command);  // session_thread.cc
  // What SEARCH, SORT and THREAD answer before looking at any message: an
  // unknown charset, or content keys where content is sealed.
  std::optional<Reply> RefuseSearch(const SearchArgs& args) const;
  // The selected mailbox's messages that match, in mailbox order (and
  // saved as "$" for RETURN (SAVE)); with `summarize_content` their headers
  // are read for SORT and THREAD.
  asio::awaitable<std::vector<MessageSummary>> MatchMessages(const SearchArgs& args,
                                                             bool summarize_content);
  // One message of the view: its summary if it matches, else nothing.
  asio::awaitable<std::optional<MessageSummary>> MatchOne(const SearchArgs& args, uint32_t seq,
                                                          bool summarize_content);
  // RETURN (SAVE): keeps what RFC 5182 2.1 and RFC 9394 3.2 say as "$".
  void SaveResults(const SearchReturnOptions& returns, const std::vector<MessageSummary>& results);
  // RFC 5267 4.3, UPDATE. Before any result: BAD for a tag an updating
  // search already has; then whether it will be followed, with "* NO
  // [NOUPDATE]" saying why not. After the results: follows them.
  std::optional<Reply> RefuseUpdateTag(const ImapCommand& command) const;
  bool AcceptsUpdate(const ImapCommand& command, const SearchArgs& args);
  void StartUpdating(const ImapCommand& command, const SearchArgs& args,
                     std::vector<SortCriterion> sort, std::vector<MessageSummary> results);
  asio::awaitable<Reply> CancelUpdate(ImapCommand& command);
  // ADDTO and REMOVEFROM for the messages the view touched since the last
  // report (after syncs and the session's own STORE).
  asio::awaitable<void> ReportSearchUpdates();
  asio::awaitable<Reply> Copy(ImapCommand& command);
  asio::awaitable<Reply> Move(ImapCommand& command);
  asio::awaitable<Reply> Expunge(ImapCommand& command);
  asio::awaitable<Reply> CopyOrMove(ImapCommand& command, bool move);
  // Expunges the \Deleted messages of `uids` (all of them when empty).
  asio::awaitable<Reply> ExpungeDeleted(const std::optional<std::vector<uint32_t>>& only_uids,
                                        bool report);

  Connection connection_;
  bool implicit_tls_;
  EngineContext& context_;
  ImapReceiver receiver_;
  ConnectionDeadline deadline_;
  // Set at accept: the whole time a connection has to log in.
  ConnectionDeadline::Clock::time_point login_deadline_;
  SessionState state_ = SessionState::kNotAuthenticated;
  std::unique_ptr<MailBackend> backend_;
  std::unique_ptr<PerKeyLimit::Slot> account_slot_;
  // RFC 5267 UPDATE; the view's listener, so declared before it.
  UpdatingSearches updating_;
  std::unique_ptr<SelectedMailbox> selected_;
  std::unique_ptr<MailboxEvents::Subscription> subscription_;
  // A change notification from another session or a delivery, posted to
  // this session's executor. The timer never expires by itself; cancel()
  // wakes IDLE.
  struct WakeState {
    explicit WakeState(const asio::any_io_executor& executor)
        : timer(executor, std::chrono::steady_clock::time_point::max()) {}
    asio::steady_timer timer;
    bool pending = false;
    // The server is stopping (ShutdownNotice): say BYE once idle.
    bool shutting_down = false;
    // The session is reading with no command begun: a shutdown cancels
    // that read (cancel_read) instead of waiting for the client.
    bool awaiting_command = false;
    std::function<void()> cancel_read;
    // NOTIFY: what happened in the account since the last delivery.
    std::vector<AccountEvent> account_events;
    bool notify_overflow = false;
  };
  struct PendingRead {
    bool in_flight = false;
    bool done = false;
    boost::system::error_code ec;
    size_t bytes = 0;
  };
  std::shared_ptr<PendingRead> read_ = std::make_shared<PendingRead>();
  std::unique_ptr<NotifyState> notify_;
  std::shared_ptr<WakeState> wake_;
  std::unique_ptr<ShutdownNotice::Subscription> shutdown_subscription_;
  // Subscribes to context_.shutdown: the notice is posted to this
  // session's executor, where it wakes IDLE or cancels an idle read.
  void WatchForShutdown();
  void SayGoodbyeForShutdown() { Untagged("BYE The server is shutting down; reconnect later"); }
  std::string out_;
  std::vector<uint32_t> saved_search_;  // RFC 5182 "$", as uids
  bool imap4rev2_ = false;
  bool key_login_ = false;  // logged in with X-MAILVAULT-ED25519
  bool condstore_ = false;
  bool qresync_ = false;  // ENABLE QRESYNC (RFC 7162): VANISHED instead of EXPUNGE
  // The HIGHESTMODSEQ this client was last told of for the selected mailbox
  // (SELECT's, or an untagged OK [HIGHESTMODSEQ] since): a sync that moves
  // past it tells the client the new one (ReportHighestModseq).
  uint64_t reported_modseq_ = 0;
  uint32_t bad_commands_ = 0;
  uint32_t failed_logins_ = 0;
  std::string login_user_;  // as the client typed it, for the login throttle
  std::string read_buffer_;
};

}  // namespace mailvault::imap
