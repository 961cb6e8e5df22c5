// A blocking IMAP client for the vault: one command at a time, every reply
// parsed into Responses. The CLI and the bridge build the vault's commands
// on it (vault_session.h); nothing here knows about keys or sealing.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/net/tls_transport.h"
#include "client/protocol/response_parser.h"
#include "common/status.h"

namespace mailvault::client {

// Builds one command line. Strings go out quoted when they can, otherwise as
// LITERAL+ literals ({n+}), so a command is written in one go without
// waiting for continuations (the vault advertises LITERAL+).
class CommandBuilder {
 public:
  explicit CommandBuilder(std::string_view name) : text_(name) {}
  CommandBuilder& Atom(std::string_view atom);
  CommandBuilder& String(std::string_view text);   // quoted or literal
  CommandBuilder& Literal(std::string_view bytes);  // always a literal
  CommandBuilder& Raw(std::string_view text);       // appended as is, after a space
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

struct CommandResult {
  std::vector<Response> untagged;
  Response tagged;

  bool ok() const { return tagged.status == "OK"; }
  // kRefused with "WHAT: NO [CODE] text" when the command was not OK.
  Status ToStatus(std::string_view what) const;
  // The untagged data responses whose word after the optional number is
  // `name` (FETCH, LIST, XKEY, ...).
  std::vector<const Response*> Data(std::string_view name) const;
};

class ImapClient {
 public:
  static Result<std::unique_ptr<ImapClient>> Connect(const std::string& endpoint,
                                                     const ServerTrust& trust,
                                                     std::chrono::seconds timeout);

  const std::string& peer_fingerprint() const { return transport_->peer_fingerprint(); }
  std::string channel_binding() { return transport_->channel_binding(); }
  const std::vector<std::string>& capabilities() const { return capabilities_; }
  bool HasCapability(std::string_view name) const;

  // Sends the command under a new tag and reads until its tagged reply.
  // Errors are transport failures; a NO or BAD is a result with !ok().
  // `on_continuation` answers "+" requests with the next line (without CRLF).
  Result<CommandResult> Run(const CommandBuilder& command,
                            const std::function<Result<std::string>(const Response&)>&
                                on_continuation = nullptr);

  // IDLE: Start waits for the continuation; Wait returns what arrived within
  // `wait` (possibly nothing); Stop sends DONE and reads the tagged reply.
  Status StartIdle();
  Result<std::vector<Response>> WaitIdle(std::chrono::milliseconds wait);
  Status StopIdle();

 private:
  explicit ImapClient(std::unique_ptr<TlsTransport> transport);
  Result<Response> ReadResponse();
  // Reads what is buffered or arrives within `wait`; nullopt if nothing did.
  Result<std::optional<Response>> ReadResponseWithin(std::chrono::milliseconds wait);
  void NoteCapabilities(const Response& response);

  std::unique_ptr<TlsTransport> transport_;
  ResponseParser parser_;
  std::vector<std::string> capabilities_;
  uint64_t next_tag_ = 1;
  std::string idle_tag_;
};

}  // namespace mailvault::client
