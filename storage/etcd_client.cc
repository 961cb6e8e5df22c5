#include "storage/etcd_client.h"

#include "common/base64.h"

// clang-format off
#include <utility>  // before Asio: Boost 1.74 uses std::exchange unincluded (PLATFORM.md)
// clang-format on

#include <errno.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <charconv>
#include <optional>

namespace mailvault {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

struct EtcdEndpoint {
  bool tls = false;
  std::string host;  // an IPv6 address without its brackets
  uint16_t port = 2379;
  std::string authority;  // host:port, as the Host header wants it
  std::string url;        // scheme://authority, for messages
};

// One TLS context for all connections: OpenSSL lets threads create sessions
// from a shared, fully configured SSL_CTX.
class EtcdTls {
 public:
  Status Load(const EtcdOptions& options);
  asio::ssl::context context{asio::ssl::context::tls_client};
  std::string trusted_by;  // for messages: "the CA file X" or "the system's CAs"
};

namespace {

constexpr size_t kMaxIdlePerEndpoint = 4;
// A List page of 1000 placements is well under 1 MiB; this only stops a
// confused peer from filling memory.
constexpr size_t kMaxAnswerBytes = 64 << 20;
constexpr size_t kMaxMessageBytes = 300;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

Status Unreachable(const EtcdEndpoint& endpoint, const std::string& why) {
  return Status(ErrorCode::kUnavailable, "cannot reach etcd at " + endpoint.url + ": " + why);
}

// Messages from a peer go into one-line Status messages and logs.
std::string OneLine(std::string_view text) {
  std::string line(text.substr(0, kMaxMessageBytes));
  for (char& c : line) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  }
  if (text.size() > kMaxMessageBytes) line += "...";
  return line;
}

bool IsAddress(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

Result<EtcdEndpoint> ParseEndpoint(std::string_view text) {
  const auto bad = [&](const char* why) {
    return Invalid("etcd endpoint \"" + OneLine(text) + "\" " + why);
  };
  EtcdEndpoint endpoint;
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    endpoint.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return bad("has a scheme other than http:// or https://");
  }
  if (rest.ends_with('/')) rest.remove_suffix(1);
  std::string_view host;
  std::optional<std::string_view> port;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("has an unclosed [");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("has something other than :port after ]");
      port = after.substr(1);
    }
  } else {
    const size_t colon = rest.find(':');
    if (colon != std::string_view::npos && rest.find(':', colon + 1) != std::string_view::npos) {
      return bad("needs [brackets] around an IPv6 address");
    }
    host = rest.substr(0, colon);
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("has no host");
  if (host.find_first_of(" /?#@") != std::string_view::npos)
    return bad("is not scheme://host:port");
  endpoint.host = std::string(host);
  if (port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port->data(), port->data() + port->size(), value);
    if (port->empty() || ec != std::errc() || end != port->data() + port->size() || value == 0 ||
        value > 65535) {
      return bad("has a bad port");
    }
    endpoint.port = static_cast<uint16_t>(value);
  }
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  endpoint.authority =
      (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" + std::to_string(endpoint.port);
  endpoint.url = (endpoint.tls ? "https://" : "http://") + endpoint.authority;
  return endpoint;
}

}  // namespace

Status EtcdTls::Load(const EtcdOptions& options) {
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  trusted_by = options.ca_file.empty() ? "the system's CAs" : "the CA file " + options.ca_file;
  if (options.ca_file.empty()) {
    context.set_default_verify_paths(ec);
    if (ec) return Invalid("cannot load the system's CAs for etcd (" + ec.message() + ")");
  } else {
    context.load_verify_file(options.ca_file, ec);
    if (ec)
      return Invalid("cannot read the etcd CA file " + options.ca_file + " (" + ec.message() + ")");
  }
  if (!options.client_cert_file.empty()) {
    context.use_certificate_chain_file(options.client_cert_file, ec);
    if (ec) {
      return Invalid("cannot read the etcd client certificate " + options.client_cert_file + " (" +
                     ec.message() + ")");
    }
    context.use_private_key_file(options.client_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      return Invalid("cannot read the etcd client key " + options.client_key_file + " (" +
                     ec.message() + ")");
    }
  }
  return Status::Ok();
}

// One HTTP/1.1 connection with an io_context of its own: the calling thread
// runs it until the operation completes, and tcp_stream's expiry closes the
// socket at the deadline, so a silent etcd cannot block a caller for longer.
class EtcdConnection {
 public:
  EtcdConnection(const EtcdEndpoint& endpoint, EtcdTls* tls, std::chrono::milliseconds timeout)
      : endpoint_(endpoint), timeout_(timeout) {
    if (endpoint.tls) {
      tls_stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, tls->context);
      trusted_by_ = tls->trusted_by;
    } else {
      plain_ = std::make_unique<beast::tcp_stream>(io_);
    }
  }

  // Each returns why it failed, or an empty string.
  std::string Connect(Clock::time_point deadline);
  // `sent` tells whether the whole request was written: if not, etcd cannot
  // have applied it.
  std::string Exchange(const Request& request, Response& response, Clock::time_point deadline,
                       bool& sent);

  // Whether the last failure was the deadline (not a closed connection).
  bool timed_out() const { return timed_out_; }

  // Still open, with nothing to read: etcd did not close it while it sat in
  // the pool (a restart would have left EOF or a TLS alert waiting).
  bool LooksIdle() {
    tcp::socket& socket = Tcp().socket();
    if (!socket.is_open() || buffer_.size() != 0) return false;
    char byte;
    const ssize_t n = ::recv(socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
  }

 private:
  beast::tcp_stream& Tcp() { return plain_ ? *plain_ : beast::get_lowest_layer(*tls_stream_); }

  // Starts one async operation with `start(handler)` and runs it to the end.
  template <class Start>
  boost::system::error_code Run(Start&& start) {
    boost::system::error_code result = asio::error::operation_aborted;
    start([&result](boost::system::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();
    timed_out_ = result == beast::error::timeout;
    return result;
  }

  std::string Describe(const boost::system::error_code& ec, const char* step) {
    if (ec == beast::error::timeout) {
      return std::string(step) + " timed out after " + std::to_string(timeout_.count()) + " ms";
    }
    return std::string(step) + " failed (" + OneLine(ec.message()) + ")";
  }

  const EtcdEndpoint endpoint_;
  const std::chrono::milliseconds timeout_;
  std::string trusted_by_;
  asio::io_context io_;  // before the streams, which use it until destroyed
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls_stream_;
  beast::flat_buffer buffer_;
  bool timed_out_ = false;
};

std::string EtcdConnection::Connect(Clock::time_point deadline) {
  boost::system::error_code ec;
  std::vector<tcp::endpoint> targets;
  const asio::ip::address address = asio::ip::make_address(endpoint_.host, ec);
  if (!ec) {
    targets.emplace_back(address, endpoint_.port);
  } else {
    // Name resolution is bounded by the system resolver's own timeouts
    // (resolv.conf), not by ours: getaddrinfo cannot be cancelled.
    tcp::resolver resolver(io_);
    auto results = resolver.resolve(endpoint_.host, std::to_string(endpoint_.port), ec);
    if (ec) return "cannot resolve " + endpoint_.host + " (" + OneLine(ec.message()) + ")";
    for (const auto& entry : results) targets.push_back(entry.endpoint());
  }
  Tcp().expires_at(deadline);
  ec = Run([&](auto handler) { Tcp().async_connect(targets, std::move(handler)); });
  if (ec) return Describe(ec, "connect");
  boost::system::error_code ignored;
  Tcp().socket().set_option(tcp::no_delay(true), ignored);
  if (!tls_stream_) return {};

  SSL* ssl = tls_stream_->native_handle();
  // SNI carries names only (RFC 6066); an address is checked against the
  // certificate's IP SANs by host_name_verification.
  if (!IsAddress(endpoint_.host)) SSL_set_tlsext_host_name(ssl, endpoint_.host.c_str());
  tls_stream_->set_verify_mode(asio::ssl::verify_peer);
  tls_stream_->set_verify_callback(asio::ssl::host_name_verification(endpoint_.host));
  Tcp().expires_at(deadline);
  ec = Run([&](auto handler) {
    tls_stream_->async_handshake(asio::ssl::stream_base::client, std::move(handler));
  });
  if (!ec) return {};
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    return "etcd's certificate is not trusted by " + trusted_by_ + " (" +
           X509_verify_cert_error_string(verify) + ")";
  }
  return Describe(ec, "TLS handshake");
}

std::string EtcdConnection::Exchange(const Request& request, Response& response,
                                     Clock::time_point deadline, bool& sent) {
  sent = false;
  Tcp().expires_at(deadline);
  boost::system::error_code ec = Run([&](auto handler) {
    if (plain_) {
      http::async_write(*plain_, request, std::move(handler));
    } else {
      http::async_write(*tls_stream_, request, std::move(handler));
    }
  });
  if (ec) return Describe(ec, "sending the request");
  sent = true;

  http::response_parser<http::string_body> parser;
  parser.body_limit(kMaxAnswerBytes);
  Tcp().expires_at(deadline);
  ec = Run([&](auto handler) {
    if (plain_) {
      http::async_read(*plain_, buffer_, parser, std::move(handler));
    } else {
      http::async_read(*tls_stream_, buffer_, parser, std::move(handler));
    }
  });
  if (ec) return Describe(ec, "reading the answer");
  response = parser.release();
  return {};
}

EtcdClient::EtcdClient(std::vector<EtcdEndpoint> endpoints, std::unique_ptr<EtcdTls> tls,
                       std::chrono::milliseconds timeout)
    : endpoints_(std::move(endpoints)),
      tls_(std::move(tls)),
      timeout_(timeout),
      idle_(endpoints_.size()) {}

EtcdClient::~EtcdClient() = default;

Result<std::unique_ptr<EtcdClient>> EtcdClient::Create(const EtcdOptions& options) {
  if (options.endpoints.empty()) return Invalid("no etcd endpoints are configured");
  if (options.timeout <= std::chrono::milliseconds::zero()) {
    return Invalid("the etcd timeout must be positive");
  }
  std::vector<EtcdEndpoint> endpoints;
  bool any_tls = false;
  for (const std::string& text : options.endpoints) {
    MV_ASSIGN_OR_RETURN(EtcdEndpoint endpoint, ParseEndpoint(text));
    any_tls = any_tls || endpoint.tls;
    endpoints.push_back(std::move(endpoint));
  }
  if (options.client_cert_file.empty() != options.client_key_file.empty()) {
    return Invalid("an etcd client certificate needs its key file, and a key its certificate");
  }
  std::unique_ptr<EtcdTls> tls;
  if (any_tls) {
    tls = std::make_unique<EtcdTls>();
    MV_RETURN_IF_ERROR(tls->Load(options));
  } else if (!options.ca_file.empty() || !options.client_cert_file.empty()) {
    // Most likely a forgotten https://: refuse rather than talk in clear.
    return Invalid("etcd TLS files are set but no endpoint is https://");
  }
  return std::unique_ptr<EtcdClient>(
      new EtcdClient(std::move(endpoints), std::move(tls), options.timeout));
}

std::unique_ptr<EtcdConnection> EtcdClient::TakeIdle(size_t index) {
  for (;;) {
    std::unique_ptr<EtcdConnection> connection;
    {
      std::lock_guard<std::mutex> lock(idle_mutex_);
      std::vector<std::unique_ptr<EtcdConnection>>& idle = idle_[index];
      if (idle.empty()) return nullptr;
      connection = std::move(idle.back());
      idle.pop_back();
    }
    if (connection->LooksIdle()) return connection;
    // Closed by etcd meanwhile: dropped here, outside the lock.
  }
}

void EtcdClient::ReturnIdle(size_t index, std::unique_ptr<EtcdConnection> connection) {
  std::lock_guard<std::mutex> lock(idle_mutex_);
  std::vector<std::unique_ptr<EtcdConnection>>& idle = idle_[index];
  if (idle.size() < kMaxIdlePerEndpoint) idle.push_back(std::move(connection));
  // else: more than the pool keeps; closed when `connection` goes.
}

namespace {

// An answer other than 200 with a JSON object is the gateway's form of a
// gRPC error: {"error": "...", "message": "...", "code": N}.
Result<json> Interpret(const EtcdEndpoint& endpoint, const Response& response,
                       EtcdClient::Replay replay, bool& try_next) {
  json answer = json::parse(response.body(), nullptr, /*allow_exceptions=*/false);
  const bool http_ok = response.result() == http::status::ok;
  if (http_ok && answer.is_object() && !answer.contains("error")) return answer;

  std::string message;
  int64_t grpc_code = -1;
  if (answer.is_object()) {
    const json* source = &answer;
    if (auto error = answer.find("error"); error != answer.end() && error->is_object()) {
      source = &*error;
    }
    for (const char* field : {"message", "error"}) {
      auto it = source->find(field);
      if (message.empty() && it != source->end() && it->is_string())
        message = it->get<std::string>();
    }
    if (auto code = source->find("code"); code != source->end() && code->is_number_integer()) {
      grpc_code = code->get<int64_t>();
    }
  }
  if (message.empty()) message = http_ok ? "an answer that is not a JSON object" : "no message";
  const unsigned status = response.result_int();
  // gRPC UNAVAILABLE (no leader, stopping) and DEADLINE_EXCEEDED, or a proxy
  // in front of etcd saying the same: another member may do better.
  const bool unavailable =
      grpc_code == 14 || grpc_code == 4 || status == 502 || status == 503 || status == 504;
  try_next = unavailable && replay == EtcdClient::Replay::kSafe;
  return Status(unavailable ? ErrorCode::kUnavailable : ErrorCode::kIOError,
                "etcd at " + endpoint.url + " failed the request: " + OneLine(message) + " (HTTP " +
                    std::to_string(status) + ")");
}

}  // namespace

Result<json> EtcdClient::CallEndpoint(size_t index, const std::string& path,
                                      const std::string& body, Replay replay, bool& try_next) {
  const EtcdEndpoint& endpoint = endpoints_[index];
  Request request{http::verb::post, path, 11};
  request.set(http::field::host, endpoint.authority);
  request.set(http::field::content_type, "application/json");
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();

  Response response;
  // A pooled connection can fail because etcd closed it just now; a second
  // attempt on a new connection covers that, when sending again is harmless.
  // A timeout is not that: a silent etcd costs one timeout, not two.
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<EtcdConnection> connection = attempt == 0 ? TakeIdle(index) : nullptr;
    const bool reused = connection != nullptr;
    const Clock::time_point deadline = Clock::now() + timeout_;
    if (!connection) {
      connection = std::make_unique<EtcdConnection>(endpoint, tls_.get(), timeout_);
      std::string why = connection->Connect(deadline);
      if (!why.empty()) {
        try_next = true;
        return Unreachable(endpoint, why);
      }
    }
    bool sent = false;
    std::string why = connection->Exchange(request, response, deadline, sent);
    if (why.empty()) {
      if (response.keep_alive()) ReturnIdle(index, std::move(connection));
      break;
    }
    const bool may_send_again = !sent || replay == Replay::kSafe;
    if (reused && may_send_again && !connection->timed_out()) continue;
    try_next = may_send_again;
    if (!may_send_again) why += "; the change may or may not have been applied";
    return Unreachable(endpoint, why);
  }
  return Interpret(endpoint, response, replay, try_next);
}

Result<json> EtcdClient::Call(std::string_view path, const json& request, Replay replay) {
  // Keys and values are base64, so the replacement never happens; it only
  // keeps dump() from throwing.
  const std::string body = request.dump(-1, ' ', false, json::error_handler_t::replace);
  const std::string target(path);
  const size_t count = endpoints_.size();
  const size_t first = preferred_.load(std::memory_order_relaxed) % count;
  std::string failures;
  for (size_t i = 0; i < count; ++i) {
    const size_t index = (first + i) % count;
    bool try_next = false;
    Result<json> answer = CallEndpoint(index, target, body, replay, try_next);
    if (answer.ok()) {
      preferred_.store(index, std::memory_order_relaxed);
      return answer;
    }
    if (!try_next) return answer.status();
    if (!failures.empty()) failures += "; ";
    failures += answer.status().message();
    if (i + 1 == count) return Status(answer.code(), failures);
  }
  return Status(ErrorCode::kUnavailable, "no etcd endpoint");  // not reached: count > 0
}

namespace {

const json* FindField(const json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(name);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

}  // namespace

Result<std::string> EtcdBytesField(const json& object, const char* name) {
  const json* field = FindField(object, name);
  if (field == nullptr) return std::string();
  if (!field->is_string()) {
    return Status(ErrorCode::kIOError, std::string("etcd's field ") + name + " is not a string");
  }
  auto bytes = DecodeBase64(field->get_ref<const std::string&>());
  if (!bytes.ok()) {
    return Status(ErrorCode::kIOError, std::string("etcd's field ") + name + " is not base64");
  }
  return bytes;
}

Result<int64_t> EtcdInt64Field(const json& object, const char* name) {
  const json* field = FindField(object, name);
  if (field == nullptr) return int64_t{0};
  if (field->is_number_integer()) return field->get<int64_t>();
  if (field->is_string()) {
    const std::string& text = field->get_ref<const std::string&>();
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && !text.empty()) return value;
  }
  return Status(ErrorCode::kIOError, std::string("etcd's field ") + name + " is not an int64");
}

bool EtcdBoolField(const json& object, const char* name) {
  const json* field = FindField(object, name);
  return field != nullptr && field->is_boolean() && field->get<bool>();
}

const json& EtcdArrayField(const json& object, const char* name) {
  static const json kEmpty = json::array();
  const json* field = FindField(object, name);
  return field != nullptr && field->is_array() ? *field : kEmpty;
}

const json& EtcdObjectField(const json& object, const char* name) {
  static const json kEmpty = json::object();
  const json* field = FindField(object, name);
  return field != nullptr && field->is_object() ? *field : kEmpty;
}

}  // namespace mailvault
