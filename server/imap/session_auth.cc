// Commands of any state and authentication: CAPABILITY, NOOP, CHECK, LOGOUT,
// ID, STARTTLS, LOGIN, AUTHENTICATE PLAIN, ENABLE.
#include <sodium.h>

#include "common/base64.h"
#include "common/imap/simple_args.h"
#include "server/imap/session.h"

namespace mailvault::imap {

asio::awaitable<Session::Reply> Session::Capability(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  Untagged("CAPABILITY " + Capabilities());
  co_return Reply{"OK", "", "CAPABILITY completed"};
}

asio::awaitable<Session::Reply> Session::Noop(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  co_await SyncSelected();
  co_return Reply{"OK", "", command.name + " completed"};
}

asio::awaitable<Session::Reply> Session::Logout(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  Untagged("BYE Logging out");
  state_ = SessionState::kLogout;
  // The account's slot is free before the tagged OK: a client that logs
  // out and at once logs in again (a CLI running one command after
  // another) is not told it has too many sessions.
  account_slot_.reset();
  co_return Reply{"OK", "", "LOGOUT completed"};
}

asio::awaitable<Session::Reply> Session::Id(ImapCommand& command) {
  if (auto args = ParseIdArgs(command); !args.ok()) co_return Reply{"BAD", "", args.status().message()};
  Untagged("ID (\"name\" \"mailvault\")");
  co_return Reply{"OK", "", "ID completed"};
}

asio::awaitable<Session::Reply> Session::StartTls(ImapCommand& command) {
  if (Status s = ParseNoArgs(command); !s.ok()) co_return Reply{"BAD", "", s.message()};
  if (!connection_.can_start_tls()) co_return Reply{"BAD", "", "TLS is already active"};
  Tagged(command.tag, Reply{"OK", "", "Begin TLS negotiation now"});
  if (!co_await Flush() || !co_await connection_.StartTls()) {
    state_ = SessionState::kLogout;
    co_return Reply{"BAD", "", "TLS negotiation failed"};  // never sent: the socket is gone
  }
  // Whatever the client pipelined after STARTTLS came in the clear: drop it
  // (RFC 9051 6.2.1), along with the receiver's state.
  receiver_ = ImapReceiver(receiver_.limits());
  Untagged("CAPABILITY " + Capabilities());
  co_return Reply{"", "", ""};  // the tagged OK went out before the handshake
}

asio::awaitable<Session::Reply> Session::Login(ImapCommand& command) {
  auto args = ParseLoginArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (!LoginAllowed()) {
    co_return Reply{"NO", "PRIVACYREQUIRED", "LOGIN needs TLS: use STARTTLS or the IMAPS port"};
  }
  login_user_ = args->user;
  Reply reply = co_await CompleteLogin(args->user, args->password);
  sodium_memzero(args->password.data(), args->password.size());
  co_return reply;
}

asio::awaitable<std::optional<AuthenticateResponse>> Session::ReadAuthenticateLine() {
  receiver_.SetMode(ReceiverMode::kAuthenticate);
  for (;;) {
    ReceiverEvent event = receiver_.Next();
    if (auto* response = std::get_if<AuthenticateResponse>(&event)) co_return std::move(*response);
    if (!std::holds_alternative<NeedMoreInput>(event)) co_return std::nullopt;
    if (!co_await Flush()) co_return std::nullopt;
    ArmDeadline();
    boost::system::error_code ec;
    const size_t n = co_await connection_.ReadSome(asio::buffer(read_buffer_), ec);
    if (ec) {
      state_ = SessionState::kLogout;
      co_return std::nullopt;
    }
    receiver_.Feed(std::string_view(read_buffer_.data(), n));
  }
}

asio::awaitable<Session::Reply> Session::Authenticate(ImapCommand& command) {
  auto args = ParseAuthenticateArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  if (!LoginAllowed()) {
    co_return Reply{"NO", "PRIVACYREQUIRED", "AUTHENTICATE needs TLS"};
  }
  if (args->mechanism == kSignatureMechanism &&
      context_.authenticator.SupportsSignatureLogin()) {
    co_return co_await AuthenticateWithSignature(std::move(args->initial_response));
  }
  if (args->mechanism != "PLAIN") {
    co_return Reply{"NO", "CANNOT", "Unsupported authentication mechanism"};
  }
  std::string message;
  if (args->initial_response) {
    message = std::move(*args->initial_response);
  } else {
    out_ += "+ \r\n";
    auto response = co_await ReadAuthenticateLine();
    if (!response) co_return Reply{"BAD", "", "Invalid AUTHENTICATE response"};
    if (response->cancelled) co_return Reply{"BAD", "", "AUTHENTICATE cancelled"};
    message = std::move(response->data);
  }
  // RFC 4616: [authzid] NUL authcid NUL passwd
  const size_t first = message.find('\0');
  const size_t second = first == std::string::npos ? first : message.find('\0', first + 1);
  if (second == std::string::npos) {
    sodium_memzero(message.data(), message.size());
    co_return Reply{"BAD", "", "Malformed PLAIN response"};
  }
  const std::string_view authzid(message.data(), first);
  const std::string_view user(message.data() + first + 1, second - first - 1);
  const std::string_view password(message.data() + second + 1, message.size() - second - 1);
  Reply reply;
  if (!authzid.empty() && authzid != user) {
    reply = Reply{"NO", "AUTHORIZATIONFAILED", "Acting as another user is not supported"};
  } else {
    login_user_ = std::string(user);
    reply = co_await CompleteLogin(user, password);
  }
  sodium_memzero(message.data(), message.size());
  co_return reply;
}

// X-MAILVAULT-ED25519: the client names the account (initial response or
// first line), the server sends a fresh 32-byte challenge, the client answers
// key id (16 bytes) || Ed25519 signature (64 bytes).
asio::awaitable<Session::Reply> Session::AuthenticateWithSignature(
    std::optional<std::string> initial_response) {
  std::string account;
  if (initial_response) {
    account = std::move(*initial_response);
  } else {
    out_ += "+ \r\n";
    auto response = co_await ReadAuthenticateLine();
    if (!response || response->cancelled) co_return Reply{"BAD", "", "AUTHENTICATE cancelled"};
    account = std::move(response->data);
  }
  login_user_ = account;
  const std::string channel_binding = connection_.ChannelBinding();
  if (channel_binding.empty()) {
    co_return Reply{"NO", "PRIVACYREQUIRED", "Signature login needs TLS"};
  }
  std::string challenge(32, '\0');
  randombytes_buf(challenge.data(), challenge.size());
  out_ += "+ " + EncodeBase64(challenge) + "\r\n";
  auto response = co_await ReadAuthenticateLine();
  if (!response || response->cancelled) co_return Reply{"BAD", "", "AUTHENTICATE cancelled"};
  if (response->data.size() != 16 + 64) {
    co_return Reply{"BAD", "", "Expected a key id and a signature (80 bytes)"};
  }
  const std::string key_id = response->data.substr(0, 16);
  const std::string signature = response->data.substr(16);
  // No turn to wait for in the login throttle: a signature over a fresh
  // challenge cannot be guessed and costs microseconds to check, and the
  // customer's own CLI and bridge log in this way, so a guesser failing
  // passwords on the account does not lock them out. Failures still count.
  LoginResult result = co_await OnPool([&] {
    return context_.authenticator.LoginWithSignature(account, channel_binding, challenge, key_id,
                                                     signature);
  });
  Reply reply = co_await FinishLogin(std::move(result));
  key_login_ = state_ == SessionState::kAuthenticated;
  co_return reply;
}

asio::awaitable<std::optional<Session::Reply>> Session::AwaitLoginTurn() {
  // Before any verification: a guesser's attempts, on however many
  // connections, wait their turn on the account's and the address's queues.
  const LoginThrottle::Admission admission =
      context_.login_throttle.Admit(login_user_, connection_.peer_address());
  if (!admission.allowed) {
    CountFailedLogin();
    co_return Reply{"NO", "UNAVAILABLE",
                    "Too many failed logins for this account or address; try again later"};
  }
  if (admission.wait.count() > 0) {
    asio::steady_timer turn(connection_.executor(), admission.wait);
    boost::system::error_code ignored;
    co_await turn.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  co_return std::nullopt;
}

void Session::CountFailedLogin() {
  if (++failed_logins_ >= context_.options.max_failed_logins) {
    Untagged("BYE Too many failed logins");
    state_ = SessionState::kLogout;
  }
}

asio::awaitable<Session::Reply> Session::CompleteLogin(std::string_view user,
                                                       std::string_view password) {
  if (std::optional<Reply> refused = co_await AwaitLoginTurn()) co_return *refused;
  auto verify = [&] { return context_.authenticator.Login(user, password); };
  if (context_.login_pool == nullptr) co_return co_await FinishLogin(co_await OnPool(verify));
  // Argon2id on a pool of its own, with a bounded queue: a flood of logins
  // is refused rather than queued behind (or in front of) mail work.
  std::optional<LoginResult> result = co_await context_.login_pool->TryRun(verify);
  if (!result) {
    co_return Reply{"NO", "UNAVAILABLE", "Too many logins in progress; try again in a moment"};
  }
  co_return co_await FinishLogin(std::move(*result));
}

asio::awaitable<Session::Reply> Session::FinishLogin(LoginResult result) {
  if (!result.backend) {
    // Referrals are an answer, not a failure.
    if (result.response_code.rfind("REFERRAL", 0) != 0) {
      // Counted against the account and the address, across connections:
      // their next attempts wait longer (AwaitLoginTurn).
      context_.login_throttle.Fail(login_user_, connection_.peer_address());
      CountFailedLogin();
    }
    co_return Reply{"NO", result.response_code, result.text};
  }
  context_.login_throttle.Succeed(login_user_);
  account_slot_ = context_.account_sessions.TryAcquire(result.backend->account());
  if (!account_slot_) {
    co_return Reply{"NO", "LIMIT", "Too many sessions for this account; close one first"};
  }
  backend_ = std::move(result.backend);
  state_ = SessionState::kAuthenticated;
  ReceiverLimits limits = ReceiverLimits::PostAuth();
  limits.max_line_length = context_.options.max_line;
  limits.max_literal_size = context_.options.max_literal;
  limits.max_nonsync_literal_size = context_.options.max_literal;
  limits.max_list_depth = context_.options.max_nesting;
  receiver_.SetLimits(limits);
  bad_commands_ = 0;
  co_return Reply{"OK", "CAPABILITY " + Capabilities(), "Logged in"};
}

asio::awaitable<Session::Reply> Session::Enable(ImapCommand& command) {
  auto args = ParseEnableArgs(command);
  if (!args.ok()) co_return Reply{"BAD", "", args.status().message()};
  std::string enabled;
  for (const std::string& capability : *args) {
    if (capability == "IMAP4REV2" && !imap4rev2_) {
      imap4rev2_ = true;
      enabled += " IMAP4rev2";
    } else if (capability == "CONDSTORE" && !condstore_) {
      condstore_ = true;
      enabled += " CONDSTORE";
    } else if (capability == "QRESYNC" && !qresync_) {
      // QRESYNC implies CONDSTORE (RFC 7162 3.2.3).
      if (!condstore_) enabled += " CONDSTORE";
      condstore_ = qresync_ = true;
      enabled += " QRESYNC";
      if (selected_) selected_->set_report_vanished(true);
    }
  }
  Untagged("ENABLED" + enabled);
  co_return Reply{"OK", "", "ENABLE completed"};
}

}  // namespace mailvault::imap
