#include "server/lmtp/lmtp_session.h"

#include <sodium.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/lmtp/lmtp_command.h"
#include "common/lmtp/lmtp_receiver.h"
#include "common/mail/account_id.h"
#include "net/connection_deadline.h"

namespace mailvault {
namespace {

constexpr size_t kMaxRecipients = 1000;
constexpr int kMaxErrors = 20;
constexpr size_t kReadChunk = 64 << 10;

// The state of one mail transaction (MAIL ... DATA).
struct Transaction {
  bool has_sender = false;
  uint64_t declared_size = 0;
  std::vector<std::string> recipients;  // accepted ones, normalised

  void Reset() { *this = Transaction(); }
};

// Over TCP or a unix socket: MTAs use both (Postfix's lmtp:unix:...).
template <typename Socket>
class LmtpSession {
 public:
  LmtpSession(Socket socket, LmtpContext& context)
      : socket_(std::move(socket)),
        context_(context),
        receiver_({.max_line = 4096, .max_message = context.config.limits.max_message}),
        deadline_(socket_.get_executor(), [this] {
          boost::system::error_code ignored;
          socket_.close(ignored);
        }) {}

  asio::awaitable<void> Run() {
    deadline_.Start();
    WatchForShutdown();
    Reply("220 " + context_.config.hostname + " LMTP mailvault ready");
    bool open = true;
    std::string buffer(kReadChunk, '\0');
    while (open) {
      // Everything complete in the input is handled before replies are sent,
      // so a pipelined group gets its replies in one write.
      for (auto event = receiver_.Next(); open && event != lmtp::Receiver::Event::kNeedMore;
           event = receiver_.Next()) {
        open = co_await Handle(event);
      }
      if (!co_await Flush() || !open) break;
      if (stopping_->requested && !receiver_.in_data()) {
        co_await SayShuttingDown();
        break;
      }
      deadline_.ExpireAfter(context_.config.limits.lmtp_idle);
      boost::system::error_code ec;
      // Between messages a shutdown cancels the read; within DATA the
      // message is read to its end and delivered first.
      stopping_->awaiting_command = !receiver_.in_data();
      const size_t n = co_await socket_.async_read_some(
          asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
      stopping_->awaiting_command = false;
      if (ec) {
        if (stopping_->requested && ec == asio::error::operation_aborted) {
          co_await SayShuttingDown();
        }
        break;
      }
      receiver_.Feed(std::string_view(buffer.data(), n));
    }
    if (deadline_.expired()) spdlog::info("lmtp: connection timed out");
    sodium_memzero(buffer.data(), buffer.size());
    deadline_.Stop();
    boost::system::error_code ignored;
    socket_.close(ignored);
  }

 private:
  // What a shutdown notice sets, on this session's executor.
  struct Stopping {
    bool requested = false;
    bool awaiting_command = false;
    std::function<void()> cancel_read;
  };

  void WatchForShutdown() {
    if (context_.shutdown == nullptr) return;
    stopping_->cancel_read = [this] {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
    };
    shutdown_subscription_ = context_.shutdown->SubscribeOn(
        socket_.get_executor(), std::weak_ptr<Stopping>(stopping_), [](Stopping& stopping) {
          stopping.requested = true;
          if (stopping.awaiting_command) stopping.cancel_read();
        });
  }

  // RFC 5321 3.8: 421 may be sent at any time the service must close; the
  // MTA keeps what it has not had a 250 for and tries again.
  asio::awaitable<void> SayShuttingDown() {
    Reply("421 4.3.2 " + context_.config.hostname + " Service shutting down, try again later");
    co_await Flush();
  }

  void Reply(std::string_view line) {
    out_.append(line);
    out_.append("\r\n");
  }

  asio::awaitable<bool> Flush() {
    if (out_.empty()) co_return true;
    deadline_.ExpireAfter(context_.config.limits.lmtp_idle);
    boost::system::error_code ec;
    co_await asio::async_write(socket_, asio::buffer(out_),
                               asio::redirect_error(asio::use_awaitable, ec));
    out_.clear();
    co_return !ec;
  }

  // Returns false when the connection is to close.
  asio::awaitable<bool> Handle(lmtp::Receiver::Event event) {
    using Event = lmtp::Receiver::Event;
    switch (event) {
      case Event::kLine:
        co_return co_await HandleCommand(receiver_.line());
      case Event::kLineTooLong:
        co_return Error("500 5.5.2 Line too long");
      case Event::kBadLine:
        co_return Error("501 5.5.2 NUL or bare CR in command line");
      case Event::kMessageTooBig:
        for (size_t i = 0; i < transaction_.recipients.size(); ++i) {
          Reply("552 5.3.4 Message exceeds the size limit of " +
                std::to_string(context_.config.limits.max_message) + " bytes");
        }
        transaction_.Reset();
        co_return true;
      case Event::kMessageBareLf:
        // Read to its real CRLF.CRLF end, so the framing is intact and the
        // connection goes on; what hid behind a bare "\n.\n" was message
        // data, never commands. Refused for good: an MTA never sends a
        // bare LF, and retrying will not remove it (Postfix refuses it too).
        for (size_t i = 0; i < transaction_.recipients.size(); ++i) {
          Reply("554 5.5.2 Bare LF in the message data: lines must end with CRLF "
                "(RFC 5321 2.3.8); message refused");
        }
        spdlog::info("lmtp: refused a message with a bare LF ({} recipients)",
                     transaction_.recipients.size());
        transaction_.Reset();
        co_return true;
      case Event::kMessage:
        co_await Deliver();
        co_return true;
      case Event::kNeedMore:
        break;
    }
    co_return true;
  }

  bool Error(std::string_view reply) {
    Reply(reply);
    if (++errors_ < kMaxErrors) return true;
    Reply("421 4.7.0 Too many errors, closing connection");
    return false;
  }

  asio::awaitable<bool> HandleCommand(std::string line) {
    const lmtp::ParseResult parsed = lmtp::ParseCommand(line);
    if (!parsed.ok) co_return Error(parsed.error_reply);
    const lmtp::Command& command = parsed.command;
    using lmtp::Verb;
    switch (command.verb) {
      case Verb::kLhlo:
        greeted_ = true;
        transaction_.Reset();
        Reply("250-" + context_.config.hostname);
        Reply("250-PIPELINING");
        Reply("250-ENHANCEDSTATUSCODES");
        Reply("250-8BITMIME");
        Reply("250 SIZE " + std::to_string(context_.config.limits.max_message));
        co_return true;
      case Verb::kHelo:
      case Verb::kEhlo:
        co_return Error("500 5.5.1 This is LMTP: use LHLO");
      case Verb::kMail:
        if (!greeted_) co_return Error("503 5.5.1 LHLO first");
        if (transaction_.has_sender) co_return Error("503 5.5.1 Nested MAIL command");
        if (command.size > context_.config.limits.max_message) {
          Reply("552 5.3.4 Message size exceeds the limit of " +
                std::to_string(context_.config.limits.max_message) + " bytes");
          co_return true;
        }
        transaction_.has_sender = true;
        transaction_.declared_size = command.size;
        Reply("250 2.1.0 Sender ok");
        co_return true;
      case Verb::kRcpt:
        if (!transaction_.has_sender) co_return Error("503 5.5.1 MAIL first");
        if (transaction_.recipients.size() >= kMaxRecipients) {
          Reply("452 4.5.3 Too many recipients");
          co_return true;
        }
        co_await AddRecipient(command.address);
        co_return true;
      case Verb::kData:
        if (!transaction_.has_sender) co_return Error("503 5.5.1 MAIL first");
        if (transaction_.recipients.empty()) co_return Error("503 5.5.1 No valid recipients");
        Reply("354 2.0.0 Send the message, end with <CRLF>.<CRLF>");
        receiver_.StartData(transaction_.declared_size);
        co_return true;
      case Verb::kRset:
        transaction_.Reset();
        Reply("250 2.0.0 Reset");
        co_return true;
      case Verb::kNoop:
        Reply("250 2.0.0 OK");
        co_return true;
      case Verb::kVrfy:
        Reply("252 2.5.0 Cannot verify, but will accept and attempt delivery");
        co_return true;
      case Verb::kQuit:
        Reply("221 2.0.0 Bye");
        co_return false;
      case Verb::kUnknown:
        break;
    }
    co_return Error("500 5.5.2 Command not recognised");
  }

  asio::awaitable<void> Deliver() {
    std::string message = receiver_.TakeMessage();
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    for (const std::string& recipient : transaction_.recipients) {
      const DeliveryReply reply = co_await context_.pool.Run(
          [&] { return context_.deliverer.Deliver(recipient, message, now); });
      Reply(reply.line);
      spdlog::info("lmtp: delivery to account ({} bytes): {}", message.size(),
                   reply.line.substr(0, 3));
    }
    sodium_memzero(message.data(), message.size());  // sealed now: drop the plaintext
    transaction_.Reset();
  }

  // RCPT is answered from the directory and the shard, so it runs on the
  // storage pool like a delivery.
  asio::awaitable<void> AddRecipient(const std::string& address) {
    std::string account = NormalizeAccountId(address);
    if (!IsValidAccountId(account)) {
      Reply("553 5.1.3 <" + address.substr(0, 256) + "> is not a valid address");
      co_return;
    }
    const DeliveryReply reply =
        co_await context_.pool.Run([&] { return context_.deliverer.CheckRecipient(account); });
    Reply(reply.line);
    if (reply.accepted) transaction_.recipients.push_back(std::move(account));
  }

 private:
  Socket socket_;
  LmtpContext& context_;
  lmtp::Receiver receiver_;
  ConnectionDeadline deadline_;
  std::string out_;
  Transaction transaction_;
  bool greeted_ = false;
  int errors_ = 0;
  std::shared_ptr<Stopping> stopping_ = std::make_shared<Stopping>();
  std::unique_ptr<imap::ShutdownNotice::Subscription> shutdown_subscription_;
};

}  // namespace

asio::awaitable<void> RunLmtpSession(tcp::socket socket, LmtpContext& context) {
  LmtpSession<tcp::socket> session(std::move(socket), context);
  co_await session.Run();
}

asio::awaitable<void> RunLmtpSession(asio::local::stream_protocol::socket socket,
                                     LmtpContext& context) {
  LmtpSession<asio::local::stream_protocol::socket> session(std::move(socket), context);
  co_await session.Run();
}

}  // namespace mailvault
