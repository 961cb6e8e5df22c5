#include "server/imap/session.h"

#include <spdlog/spdlog.h>

#include "common/crypto/wiping_string.h"

namespace mailvault::imap {

namespace {
constexpr size_t kReadChunk = 64 << 10;

bool HasNoUidForm(std::string_view name) {
  return name != "FETCH" && name != "STORE" && name != "SEARCH" && name != "SORT" &&
         name != "THREAD" && name != "COPY" && name != "MOVE" && name != "EXPUNGE";
}
constexpr auto kHandshakeTimeout = std::chrono::seconds(30);
}  // namespace

Session::Session(Connection connection, bool implicit_tls, EngineContext& context)
    : connection_(std::move(connection)),
      implicit_tls_(implicit_tls),
      context_(context),
      receiver_([&] {
        ReceiverLimits limits = ReceiverLimits::PreAuth();
        limits.max_line_length = context.options.max_line_pre_auth;
        limits.max_list_depth = context.options.max_nesting;
        return limits;
      }()),
      deadline_(connection_.executor(), [this] { connection_.Close(); }),
      wake_(std::make_shared<WakeState>(connection_.executor())),
      read_buffer_(kReadChunk, '\0') {}

Session::~Session() {
  // Before wake_ goes: no callback may run later.
  notify_.reset();
  subscription_.reset();
  shutdown_subscription_.reset();
  WipeAndRelease(read_buffer_);  // the last bytes read: a literal's, perhaps
}

void Session::WatchForShutdown() {
  if (context_.shutdown == nullptr) return;
  wake_->cancel_read = [this] { connection_.CancelRead(); };
  // The session is alive as long as its WakeState is (only it and its own
  // coroutines hold one).
  shutdown_subscription_ = context_.shutdown->SubscribeOn(
      connection_.executor(), std::weak_ptr<WakeState>(wake_), [](WakeState& state) {
        state.shutting_down = true;
        state.timer.cancel();  // IDLE
        if (state.awaiting_command) state.cancel_read();
      });
}

void Session::Untagged(std::string_view line) {
  out_ += "* ";
  out_ += line;
  out_ += "\r\n";
}

void Session::Tagged(std::string_view tag, const Reply& reply) {
  out_ += tag;
  out_ += ' ';
  out_ += reply.status;
  if (!reply.code.empty()) {
    out_ += " [";
    out_ += reply.code;
    out_ += ']';
  }
  out_ += ' ';
  out_ += reply.text.empty() ? "done" : reply.text;
  out_ += "\r\n";
}

void Session::ArmDeadline() {
  if (authenticated()) {
    deadline_.ExpireAfter(context_.options.idle_authenticated);
  } else {
    deadline_.ExpireAt(login_deadline_);
  }
}

asio::awaitable<bool> Session::Flush() {
  if (out_.empty()) co_return true;
  ArmDeadline();
  boost::system::error_code ec;
  co_await connection_.Write(out_, ec);
  out_.clear();
  if (ec) spdlog::debug("imap: write failed: {}", ec.message());
  co_return !ec;
}

std::string Session::Capabilities() const {
  std::string caps = "IMAP4rev2 IMAP4rev1 LITERAL+ BINARY ID ENABLE IDLE NAMESPACE UNSELECT UIDPLUS MOVE "
                     "LOGIN-REFERRALS SPECIAL-USE LIST-EXTENDED LIST-STATUS ESEARCH SEARCHRES "
                     "SORT ESORT CONTEXT=SEARCH CONTEXT=SORT PARTIAL MULTIAPPEND NOTIFY";
  // Sorting by headers, threading and joining URL parts need the content
  // (docs/PROTOCOL.md): the vault sorts by ARRIVAL and SIZE only, does not
  // thread, and answers CATENATE with NO.
  if (context_.options.content_visible) {
    caps += " SORT=DISPLAY THREAD=ORDEREDSUBJECT THREAD=REFERENCES CATENATE";
  }
  if (context_.extension != nullptr) {
    caps += ' ';
    caps += context_.extension->capability();
  }
  if (authenticated()) {
    caps += " CONDSTORE QRESYNC";
    return caps;
  }
  if (connection_.can_start_tls()) caps += " STARTTLS";
  if (LoginAllowed()) {
    caps += " AUTH=PLAIN";
    if (context_.authenticator.SupportsSignatureLogin()) {
      caps += " AUTH=";
      caps += kSignatureMechanism;
    }
  } else {
    caps += " LOGINDISABLED";
  }
  return caps;
}

asio::awaitable<void> Session::Run() {
  login_deadline_ = ConnectionDeadline::Clock::now() + context_.options.idle_pre_auth;
  deadline_.Start();
  WatchForShutdown();
  if (implicit_tls_) {
    deadline_.ExpireAt(std::min(login_deadline_, ConnectionDeadline::Clock::now() +
                                                     kHandshakeTimeout));
    if (!co_await connection_.StartTls()) {
      deadline_.Stop();
      connection_.Close();
      co_return;
    }
  }
  Untagged("OK [CAPABILITY " + Capabilities() + "] " + context_.options.greeting_name +
           " ready");
  bool open = co_await Flush();
  while (open && state_ != SessionState::kLogout) {
    ReceiverEvent event = receiver_.Next();
    if (std::holds_alternative<NeedMoreInput>(event)) {
      open = co_await Flush();
      if (!open) break;
      // Stopping: a command under way (an APPEND's literal arriving) is
      // read and answered; with none begun the session ends here.
      const bool command_begun = receiver_.HasPartialInput();
      if (wake_->shutting_down && !command_begun) {
        SayGoodbyeForShutdown();
        break;
      }
      if (notify_ && !command_begun) {
        // NOTIFY: what happens is sent while no command is under way too.
        co_await DeliverNotifications(true);
        open = co_await Flush();
        if (!open) break;
        StartRead();
        co_await WaitForReadOrWake(PushesSelectedChanges());
        boost::system::error_code ec;
        if (TakeRead(ec) && ec) {
          spdlog::debug("imap: read ended: {}", ec.message());
          break;
        }
        continue;
      }
      ArmDeadline();
      boost::system::error_code ec;
      wake_->awaiting_command = !command_begun;
      const size_t n = co_await connection_.ReadSome(asio::buffer(read_buffer_), ec);
      wake_->awaiting_command = false;
      if (ec) {
        if (wake_->shutting_down && ec == asio::error::operation_aborted) {
          SayGoodbyeForShutdown();
        } else {
          spdlog::debug("imap: read ended: {}", ec.message());
        }
        break;
      }
      receiver_.Feed(std::string_view(read_buffer_.data(), n));
      continue;
    }
    open = co_await HandleEvent(event);
  }
  spdlog::debug("imap: session ends ({})", deadline_.expired() ? "timed out"
                                           : state_ == SessionState::kLogout ? "logout"
                                                                              : "connection closed");
  co_await Flush();
  if (read_->in_flight) co_await DrainRead();
  deadline_.Stop();
  subscription_.reset();
  connection_.Close();
}

void Session::StartRead() {
  if (read_->in_flight) return;
  read_->in_flight = true;
  read_->done = false;
  deadline_.ExpireAfter(context_.options.idle_authenticated);
  std::shared_ptr<PendingRead> read = read_;
  std::shared_ptr<WakeState> wake = wake_;
  connection_.AsyncReadSome(asio::buffer(read_buffer_),
                            [read, wake](const boost::system::error_code& ec, size_t n) {
                              read->done = true;
                              read->ec = ec;
                              read->bytes = n;
                              wake->timer.cancel();
                            });
}

asio::awaitable<void> Session::WaitForReadOrWake(bool selected_changes) {
  // Every signal is set on this strand, so checking before waiting cannot
  // miss one that came while the session was busy.
  const bool due = read_->done || wake_->shutting_down || (selected_changes && wake_->pending) ||
                   (notify_ && (!wake_->account_events.empty() || wake_->notify_overflow));
  if (due) co_return;
  boost::system::error_code ignored;
  co_await wake_->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

bool Session::TakeRead(boost::system::error_code& ec) {
  if (!read_->in_flight || !read_->done) return false;
  read_->in_flight = false;
  ec = read_->ec;
  if (!ec) receiver_.Feed(std::string_view(read_buffer_.data(), read_->bytes));
  return true;
}

asio::awaitable<void> Session::DrainRead() {
  connection_.Close();
  while (!read_->done) {
    boost::system::error_code ignored;
    co_await wake_->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  read_->in_flight = false;
}

asio::awaitable<bool> Session::HandleEvent(ReceiverEvent& event) {
  if (auto* literal = std::get_if<LiteralAnnounced>(&event)) {
    if (literal->synchronizing) {
      out_ += "+ Ready for " + std::to_string(literal->size) + " bytes\r\n";
      co_return co_await Flush();
    }
    co_return true;
  }
  if (auto* command = std::get_if<ImapCommand>(&event)) {
    co_await Execute(std::move(*command));
    co_return co_await Flush();
  }
  if (auto* error = std::get_if<ReceiverError>(&event)) {
    const std::string tag = error->tag.empty() ? "*" : error->tag;
    Tagged(tag, Reply{error->reply == ErrorReply::kNo ? "NO" : "BAD", error->response_code,
                      error->message});
    CountBadCommand();
    if (error->close_connection && state_ != SessionState::kLogout) {
      Untagged("BYE Too many errors, closing the connection");
      state_ = SessionState::kLogout;
    }
    co_return co_await Flush();
  }
  // IDLE's DONE and AUTHENTICATE lines are read by their commands; one
  // arriving here was sent out of turn.
  Untagged("BAD Unexpected continuation data");
  co_return co_await Flush();
}

void Session::CountBadCommand() {
  // Every bad command counts: unparseable input, unknown commands (an HTTP
  // request, garbage), commands of another state, bad arguments.
  const uint32_t limit = authenticated() ? context_.options.max_bad_commands
                                         : context_.options.max_bad_commands_pre_auth;
  if (++bad_commands_ >= limit && state_ != SessionState::kLogout) {
    Untagged("BYE Too many errors, closing the connection");
    state_ = SessionState::kLogout;
  }
}

asio::awaitable<void> Session::Execute(ImapCommand command) {
  const std::string tag = command.tag;  // handlers may take the command apart
  Reply reply = co_await Dispatch(command);
  WipeStrings(command.args);  // what the handler left of literals and passwords
  if (!reply.status.empty()) Tagged(tag, reply);  // empty: the handler answered already
  if (reply.status == "BAD") CountBadCommand();
}

asio::awaitable<Session::Reply> Session::Dispatch(ImapCommand& command) {
  const CommandSpec* spec = FindCommand(command.name);
  if (spec == nullptr && context_.extension != nullptr &&
      context_.extension->Handles(command.name)) {
    if (!connection_.is_tls()) {
      co_return Reply{"NO", "PRIVACYREQUIRED", "This command needs TLS"};
    }
    ExtensionReply reply = co_await OnPool(
        [&] { return context_.extension->Execute(command, backend_.get(), key_login_); });
    for (const std::string& line : reply.untagged) Untagged(line);
    co_return Reply{reply.status, reply.code, reply.text};
  }
  if (spec == nullptr) {
    co_return Reply{"BAD", "", "Unknown command " + command.name.substr(0, 32)};
  }
  if (command.uid && HasNoUidForm(command.name)) {
    co_return Reply{"BAD", "", "UID " + command.name + " does not exist"};
  }
  const bool allowed = (state_ == SessionState::kNotAuthenticated && spec->not_authenticated) ||
                       (state_ == SessionState::kAuthenticated && spec->authenticated) ||
                       (state_ == SessionState::kSelected && spec->selected);
  if (!allowed) {
    const char* why = state_ == SessionState::kNotAuthenticated ? "Log in first"
                      : state_ == SessionState::kAuthenticated ? "Select a mailbox first"
                                                               : "Not allowed now";
    co_return Reply{"BAD", "", std::string(why)};
  }
  const bool had_condstore = condstore_;
  Reply reply = co_await (this->*spec->handler)(command);
  if (state_ == SessionState::kSelected && spec->sync_after) co_await SyncSelected();
  if (state_ == SessionState::kSelected) co_await ReportSearchUpdates();
  // Enabled by this command (FETCH MODSEQ, SEARCH MODSEQ, ENABLE, ...) with
  // a mailbox selected: the client has not been told its HIGHESTMODSEQ.
  if (!had_condstore && condstore_ && state_ == SessionState::kSelected) ReportHighestModseq();
  co_return reply;
}

asio::awaitable<void> Session::SyncSelected() {
  if (!selected_) co_return;
  wake_->pending = false;
  const std::string mailbox = selected_->name();
  const uint64_t since = selected_->synced_modseq();
  auto changes = co_await OnPool([&] { return backend_->ChangesSince(mailbox, since); });
  // Deleted or renamed by another session, or deleted and created again
  // under its name (a new UIDVALIDITY: its uids name other messages now):
  // nothing can go on here.
  const bool gone = changes.code() == ErrorCode::kNotFound ||
                    (changes.ok() && changes->info.uidvalidity != selected_->info().uidvalidity);
  if (gone) {
    Untagged("BYE The selected mailbox was deleted");
    state_ = SessionState::kLogout;
    co_return;
  }
  if (!changes.ok()) co_return;
  const uint32_t max_uid = selected_->MaxUid();
  if (changes->snapshot) {
    selected_->Sync(std::move(*changes->snapshot), condstore_, out_);
  } else {
    selected_->Apply(std::move(changes).value(), condstore_, out_);
  }
  if (selected_->MaxUid() > max_uid) {
    co_await ClaimNewRecent(mailbox);
    if (notify_ && selected_) co_await FetchNewForNotify(max_uid + 1);
  }
  if (!selected_) co_return;
  ReportHighestModseq();
  co_await ReportSearchUpdates();
}

asio::awaitable<void> Session::ClaimNewRecent(const std::string& mailbox) {
  // The first session to hear of new messages sees them as \Recent (an
  // EXAMINE session sees them too, without taking them from the next one).
  const bool claim = !selected_->read_only();
  auto recent = co_await OnPool([&] { return backend_->ClaimRecent(mailbox, claim); });
  if (!recent.ok() || !selected_) co_return;
  selected_->AddRecent(*recent);
  if (!imap4rev2_) Untagged(std::to_string(selected_->RecentCount()) + " RECENT");
}

void Session::ReportHighestModseq() {
  if (!condstore_ || !selected_ || selected_->synced_modseq() <= reported_modseq_) return;
  // The sync point, not info().highest_modseq: every change up to it has
  // been reported to this client, so a QRESYNC from it misses nothing.
  reported_modseq_ = selected_->synced_modseq();
  Untagged("OK [HIGHESTMODSEQ " + std::to_string(reported_modseq_) + "] Highest");
}

void Session::Deselect() {
  updating_.Clear();
  subscription_.reset();
  selected_.reset();
  if (state_ == SessionState::kSelected) state_ = SessionState::kAuthenticated;
}

}  // namespace mailvault::imap
