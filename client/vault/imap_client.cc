#include "client/vault/imap_client.h"

#include <algorithm>
#include <cctype>

#include "common/imap/response_writer.h"
#include "net/endpoint.h"

namespace mailvault::client {
namespace {

// The vault may be hostile: what it sends is bounded before it is buffered.
// A literal is at most a sealed body (BINARY[1]) of a 64 MiB message: the
// vault stores 50 MiB by default, Padme padding adds at most 2 MiB at that
// size and each 64 KiB chunk 17 bytes (docs/FORMAT.md).
constexpr uint64_t kMaxResponseLiteral = 72ull << 20;
// A response line without its literals: the longest the vault writes are
// XKEY and XLOG entries of a few KiB and ESEARCH sets.
constexpr size_t kMaxResponseLine = 1 << 20;
// All responses to one command, with the memory of their tokens counted
// (about 1.4 KiB per message of a FETCH 1:*): a listing of some 350,000
// messages, or several bodies.
constexpr uint64_t kMaxResponsesPerCommand = 512ull << 20;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
  });
}

}  // namespace

CommandBuilder& CommandBuilder::Atom(std::string_view atom) {
  text_ += ' ';
  text_ += atom;
  return *this;
}

CommandBuilder& CommandBuilder::String(std::string_view text) {
  if (!imap::CanQuote(text, imap::Charset::kUtf8)) return Literal(text);
  text_ += ' ';
  imap::AppendQuoted(text_, text);
  return *this;
}

CommandBuilder& CommandBuilder::Literal(std::string_view bytes) {
  text_ += " {" + std::to_string(bytes.size()) + "+}\r\n";
  text_ += bytes;
  return *this;
}

CommandBuilder& CommandBuilder::Raw(std::string_view text) { return Atom(text); }

Status CommandResult::ToStatus(std::string_view what) const {
  if (ok()) return Status::Ok();
  // The response codes a caller acts on keep their meaning (RFC 5530).
  ErrorCode code = ErrorCode::kRefused;
  if (tagged.code == "NONEXISTENT" || tagged.code == "TRYCREATE") code = ErrorCode::kNotFound;
  if (tagged.code == "ALREADYEXISTS") code = ErrorCode::kAlreadyExists;
  std::string message(what);
  message += ": the vault answered " + tagged.status;
  if (!tagged.code.empty()) message += " [" + tagged.code + "]";
  if (!tagged.text.empty()) message += " " + tagged.text;
  return Status(code, message);
}

std::vector<const Response*> CommandResult::Data(std::string_view name) const {
  std::vector<const Response*> out;
  for (const Response& r : untagged) {
    if (!r.status.empty() || r.data.empty()) continue;
    size_t word = r.data[0].kind == imap::TokenKind::kNumber && r.data.size() > 1 ? 1 : 0;
    if (r.data[word].IsAtomLike() && EqualsIgnoreCase(r.data[word].text, name)) out.push_back(&r);
  }
  return out;
}

ImapClient::ImapClient(std::unique_ptr<TlsTransport> transport)
    : transport_(std::move(transport)),
      parser_(kMaxResponseLiteral, kMaxResponseLine, kMaxResponsesPerCommand) {}

Result<std::unique_ptr<ImapClient>> ImapClient::Connect(const std::string& endpoint,
                                                        const ServerTrust& trust,
                                                        std::chrono::seconds timeout) {
  MV_ASSIGN_OR_RETURN(Endpoint parsed, ParseEndpoint(endpoint));
  if (parsed.port == 0) {
    return Result<std::unique_ptr<ImapClient>>(ErrorCode::kInvalidArgument,
                                               "'" + endpoint + "' has no port to connect to");
  }
  MV_ASSIGN_OR_RETURN(auto transport,
                      TlsTransport::Connect(parsed.host, parsed.port, trust, timeout));
  std::unique_ptr<ImapClient> client(new ImapClient(std::move(transport)));
  MV_ASSIGN_OR_RETURN(Response greeting, client->ReadResponse());
  if (greeting.status != "OK") {
    return Result<std::unique_ptr<ImapClient>>(
        ErrorCode::kUnavailable,
        "the vault at " + endpoint + " does not accept connections: " + greeting.text);
  }
  return client;
}

bool ImapClient::HasCapability(std::string_view name) const {
  return std::any_of(capabilities_.begin(), capabilities_.end(),
                     [&](const std::string& c) { return EqualsIgnoreCase(c, name); });
}

void ImapClient::NoteCapabilities(const Response& response) {
  std::string_view list;
  if (response.code.rfind("CAPABILITY ", 0) == 0) {
    list = std::string_view(response.code).substr(11);
  } else if (response.status.empty() && !response.data.empty() &&
             EqualsIgnoreCase(response.data[0].text, "CAPABILITY")) {
    capabilities_.clear();
    for (size_t i = 1; i < response.data.size(); ++i) capabilities_.push_back(response.data[i].text);
    return;
  } else {
    return;
  }
  capabilities_.clear();
  size_t pos = 0;
  while (pos < list.size()) {
    size_t end = list.find(' ', pos);
    if (end == std::string_view::npos) end = list.size();
    if (end > pos) capabilities_.emplace_back(list.substr(pos, end - pos));
    pos = end + 1;
  }
}

Result<std::optional<Response>> ImapClient::ReadResponseWithin(std::chrono::milliseconds wait) {
  char buffer[64 << 10];
  for (;;) {
    auto next = parser_.Next();
    if (!next.ok()) {
      // The stream cannot be resynchronised, and a vault over a limit is
      // not sent anything more.
      transport_->Close();
      const bool oversized = next.status().code() == ErrorCode::kInvalidArgument;
      return Result<std::optional<Response>>(
          ErrorCode::kMalformed, (oversized ? "the vault sent an oversized response ("
                                            : "the vault sent a reply this client cannot read (") +
                                     next.status().message() + "); the connection was closed");
    }
    if (next->has_value()) {
      NoteCapabilities(**next);
      return std::move(next).value();
    }
    MV_ASSIGN_OR_RETURN(size_t read, wait.count() > 0
                                         ? transport_->ReadSomeWithin(buffer, sizeof buffer, wait)
                                         : transport_->ReadSome(buffer, sizeof buffer));
    if (read == 0) return std::optional<Response>();
    parser_.Feed(std::string_view(buffer, read));
  }
}

Result<Response> ImapClient::ReadResponse() {
  MV_ASSIGN_OR_RETURN(auto response, ReadResponseWithin(std::chrono::milliseconds(0)));
  // Without a wait, ReadSome fails rather than return nothing; checking
  // anyway also keeps GCC's -Wmaybe-uninitialized quiet at -O3.
  if (!response.has_value()) {
    return Result<Response>(ErrorCode::kUnavailable, "the vault sent nothing");
  }
  return std::move(*response);
}

Result<CommandResult> ImapClient::Run(
    const CommandBuilder& command,
    const std::function<Result<std::string>(const Response&)>& on_continuation) {
  const std::string tag = "m" + std::to_string(next_tag_++);
  parser_.StartBatch();
  MV_RETURN_IF_ERROR(transport_->Write(tag + " " + command.text() + "\r\n"));
  CommandResult result;
  for (;;) {
    MV_ASSIGN_OR_RETURN(Response response, ReadResponse());
    switch (response.kind) {
      case Response::Kind::kTagged:
        if (response.tag != tag) {
          return Result<CommandResult>(ErrorCode::kMalformed,
                                       "the vault answered tag " + response.tag + ", expected " + tag);
        }
        result.tagged = std::move(response);
        return result;
      case Response::Kind::kContinuation: {
        if (!on_continuation) {
          return Result<CommandResult>(ErrorCode::kMalformed,
                                       "the vault asked for a continuation this command has none for");
        }
        MV_ASSIGN_OR_RETURN(std::string line, on_continuation(response));
        MV_RETURN_IF_ERROR(transport_->Write(line + "\r\n"));
        break;
      }
      case Response::Kind::kUntagged:
        if (response.status == "BYE") {
          return Result<CommandResult>(ErrorCode::kUnavailable,
                                       "the vault closed the connection: " + response.text);
        }
        result.untagged.push_back(std::move(response));
        break;
    }
  }
}

Status ImapClient::StartIdle() {
  idle_tag_ = "m" + std::to_string(next_tag_++);
  parser_.StartBatch();
  MV_RETURN_IF_ERROR(transport_->Write(idle_tag_ + " IDLE\r\n"));
  for (;;) {
    MV_ASSIGN_OR_RETURN(Response response, ReadResponse());
    if (response.kind == Response::Kind::kContinuation) return Status::Ok();
    if (response.kind == Response::Kind::kTagged) {
      return Status(ErrorCode::kRefused, "the vault refused IDLE: " + response.text);
    }
  }
}

Result<std::vector<Response>> ImapClient::WaitIdle(std::chrono::milliseconds wait) {
  std::vector<Response> out;
  parser_.StartBatch();  // bounds `out`
  MV_ASSIGN_OR_RETURN(auto first, ReadResponseWithin(wait));
  if (!first) return out;
  out.push_back(std::move(*first));
  // Whatever else is already buffered, without waiting again.
  for (;;) {
    MV_ASSIGN_OR_RETURN(auto more, ReadResponseWithin(std::chrono::milliseconds(1)));
    if (!more) return out;
    out.push_back(std::move(*more));
  }
}

Status ImapClient::StopIdle() {
  parser_.StartBatch();
  MV_RETURN_IF_ERROR(transport_->Write("DONE\r\n"));
  for (;;) {
    MV_ASSIGN_OR_RETURN(Response response, ReadResponse());
    if (response.kind == Response::Kind::kTagged && response.tag == idle_tag_) {
      idle_tag_.clear();
      return response.status == "OK" ? Status::Ok()
                                     : Status(ErrorCode::kRefused, "IDLE ended with " + response.text);
    }
  }
}

}  // namespace mailvault::client
