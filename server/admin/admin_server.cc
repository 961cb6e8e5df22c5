#include "server/admin/admin_server.h"

#include "net/unix_listener.h"
#include "common/base64.h"
#include "common/big_endian.h"
#include "common/crypto/move_consent.h"
#include "common/mail/account_id.h"
#include "server/admin/disclosure.h"

#include <sodium.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <ctime>
#include <map>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace mailvault {
namespace {

using json = nlohmann::json;
constexpr size_t kMaxRequest = 64 << 10;
constexpr size_t kMaxListPage = 10000;

json Fail(const Status& status) {
  return {{"ok", false}, {"error", status.message()}, {"code", ErrorCodeName(status.code())}};
}

json KeysJson(const std::vector<PublicKeyRecord>& keys) {
  json list = json::array();
  for (const PublicKeyRecord& key : keys) {
    list.push_back({{"key_id", key.key_id.ToHex()},
                    {"kind", key.kind == PublicKeyKind::kEncryption ? "encryption" : "signing"},
                    {"registered_at", key.registered_at},
                    {"state", key.revoked ? "revoked" : "active"}});
  }
  return list;
}

// One line per account: `address transport`, Postfix's transport(5) table.
json TransportMap(AdminContext& context) {
  json entries = json::array();
  const Status listed = ForEachPlacement(context.shards.directory(), [&](const Placement& p) {
    std::string transport;
    if (context.shards.Find(p.home_region) != nullptr) {
      transport = context.local_lmtp_transport;
    } else if (const RemoteRegion* remote = context.shards.FindRemote(p.home_region);
               remote != nullptr && !remote->lmtp.empty()) {
      auto endpoint = ParseEndpoint(remote->lmtp);
      if (endpoint.ok()) transport = LmtpTransport(endpoint->host, endpoint->port);
    }
    entries.push_back({{"account", p.account_id}, {"region", p.home_region},
                       {"transport", transport}});
    return Status::Ok();
  });
  if (!listed.ok()) return Fail(listed);
  return {{"ok", true}, {"entries", entries}};
}

// A hot backup of every region hosted here and of the directory: RocksDB
// checkpoints (each consistent in itself) under `out`, with a manifest.
json Backup(AdminContext& context, const std::string& out) {
  if (out.empty() || out.front() != '/') {
    return Fail(Status(ErrorCode::kInvalidArgument, "the backup needs an absolute --out path"));
  }
  std::error_code ec;
  if (std::filesystem::exists(out, ec)) {
    return Fail(Status(ErrorCode::kAlreadyExists, out + " exists; a backup goes into a new directory"));
  }
  std::filesystem::create_directories(out + "/regions", ec);
  if (ec) return Fail(Status(ErrorCode::kIOError, "cannot create " + out + ": " + ec.message()));
  std::filesystem::permissions(out, std::filesystem::perms::owner_all, ec);
  json regions = json::array();
  for (const std::string& region : context.shards.hosted()) {
    const Status status = context.shards.Find(region)->Checkpoint(out + "/regions/" + region);
    if (!status.ok()) return Fail(status);
    regions.push_back(region);
  }
  // A directory in etcd is backed up with `etcdctl snapshot save`.
  const bool embedded = !context.shards.shared_directory();
  if (embedded) {
    const Status directory = context.shards.directory().Checkpoint(out + "/directory");
    if (!directory.ok()) return Fail(directory);
  }
  const json manifest = {{"format", "mailvault-backup-v1"},
                         {"created_at", static_cast<int64_t>(std::time(nullptr))},
                         {"regions", regions},
                         {"directory", embedded ? "directory" : "etcd"}};
  std::ofstream(out + "/manifest.json") << manifest.dump(2) << "\n";
  return {{"ok", true}, {"out", out}, {"regions", regions}, {"directory_included", embedded}};
}

// Disclosures and moves per region since a time, from every account's
// disclosure and placement logs (accounts deleted since are not counted).
json TransparencyReport(AdminContext& context, int64_t since) {
  std::map<std::string, std::array<uint64_t, 3>> counts;  // disclosures, moves in, moves out
  for (const std::string& region : context.shards.hosted()) counts[region];
  const Status counted = ForEachPlacement(context.shards.directory(), [&](const Placement& p) {
    RegionShard* shard = context.shards.Find(p.home_region);
    if (shard == nullptr) return Status::Ok();  // another node reports it
    MV_ASSIGN_OR_RETURN(auto disclosures, shard->ReadLog(p.account_id, LogKind::kDisclosure));
    MV_ASSIGN_OR_RETURN(auto replayed, ReplayDisclosureLog(disclosures));
    for (const Disclosure& d : replayed) {
      if (d.time >= since) ++counts[d.region][0];
    }
    MV_ASSIGN_OR_RETURN(auto placement, shard->ReadLog(p.account_id, LogKind::kPlacement));
    for (const std::string& bytes : placement) {
      auto entry = DecodeLogEntry(bytes);
      if (!entry.ok() || entry->type != static_cast<uint8_t>(PlacementLogType::kMoved) ||
          entry->time < since) {
        continue;
      }
      ByteReader reader(entry->payload);
      std::string_view from, to;
      reader.ReadLengthPrefixed(from);
      reader.ReadLengthPrefixed(to);
      ++counts[std::string(to)][1];
      ++counts[std::string(from)][2];
    }
    return Status::Ok();
  });
  if (!counted.ok()) return Fail(counted);
  json regions = json::array();
  for (const auto& [region, c] : counts) {
    regions.push_back({{"region", region}, {"disclosures", c[0]}, {"moves_in", c[1]},
                       {"moves_out", c[2]}});
  }
  return {{"ok", true}, {"since", since}, {"regions", regions}};
}

json Verify(AdminContext& context) {
  json regions = json::array();
  size_t problems = 0;
  for (const std::string& region : context.shards.hosted()) {
    auto report = context.shards.Find(region)->Scrub();
    if (!report.ok()) return Fail(report.status());
    problems += report->problems.size();
    regions.push_back({{"region", region},
                       {"accounts", report->accounts},
                       {"messages", report->messages},
                       {"bodies", report->bodies},
                       {"wraps", report->wraps},
                       {"problems", report->problems}});
  }
  return {{"ok", true}, {"regions", regions}, {"problems", problems}};
}

json DeleteReportJson(const DeleteReport& report) {
  return {{"ok", true},
          {"bodies", report.bodies},
          {"wraps", report.wraps},
          {"messages", report.messages},
          {"mailboxes", report.mailboxes},
          {"public_keys", report.public_keys},
          {"credentials", report.credentials}};
}

// The steps of a move between nodes, which mailvault-admin drives on both
// admin sockets (Accounts::BeginMoveOut and the rest say what each does).
json MoveBetweenNodes(AdminContext& context, const std::string& op, const json& request) {
  Accounts& accounts = context.accounts;
  const std::string account = NormalizeAccountId(request.value("account", ""));
  if (op == "move.out.begin") {
    auto consent = DecodeMoveConsent(request.value("consent", ""));
    if (!consent.ok()) return Fail(consent.status());
    // A move run again after an interrupted one: the account is suspended
    // by that attempt, and what it was before is remembered here.
    const std::optional<bool> earlier = context.transfers.OutgoingWasSuspended(account);
    if (earlier.has_value()) {
      if (Status s = accounts.AbortMoveOut(account, *earlier); !s.ok()) return Fail(s);
    }
    auto outgoing = accounts.BeginMoveOut(account, request.value("to", ""), *consent);
    if (!outgoing.ok()) return Fail(outgoing.status());
    std::string bytes = EncodeAccountDump(outgoing->dump);
    const uint64_t size = bytes.size();
    context.transfers.PutOutgoing(account, {std::move(bytes), outgoing->was_suspended});
    return {{"ok", true},
            {"size", size},
            {"from", outgoing->from_region},
            {"was_suspended", outgoing->was_suspended}};
  }
  if (op == "move.out.read") {
    uint64_t total = 0;
    auto chunk =
        context.transfers.ReadOutgoing(account, request.value("offset", uint64_t{0}), &total);
    if (!chunk.ok()) return Fail(chunk.status());
    return {{"ok", true}, {"size", total}, {"data", EncodeBase64(*chunk)}};
  }
  if (op == "move.out.abort") {
    const std::optional<bool> was_suspended = context.transfers.OutgoingWasSuspended(account);
    if (!was_suspended.has_value()) {
      return Fail(Status(ErrorCode::kNotFound, "no move of " + account + " is under way here"));
    }
    if (Status s = accounts.AbortMoveOut(account, *was_suspended); !s.ok()) return Fail(s);
    context.transfers.DropOutgoing(account);
    return {{"ok", true}};
  }
  if (op == "move.out.finish") {
    auto report = accounts.FinishMoveOut(account);
    if (!report.ok()) return Fail(report.status());
    context.transfers.DropOutgoing(account);
    return DeleteReportJson(*report);
  }
  if (op == "move.in.write") {
    auto chunk = DecodeBase64(request.value("data", ""));
    if (!chunk.ok()) return Fail(chunk.status());
    const Status written =
        context.transfers.WriteIncoming(account, request.value("offset", uint64_t{0}), *chunk);
    if (!written.ok()) return Fail(written);
    return {{"ok", true}};
  }
  if (op == "move.in.accept") {
    auto consent = DecodeMoveConsent(request.value("consent", ""));
    if (!consent.ok()) return Fail(consent.status());
    auto bytes = context.transfers.TakeIncoming(account);
    if (!bytes.ok()) return Fail(bytes.status());
    auto dump = DecodeAccountDump(*bytes);
    if (!dump.ok()) return Fail(dump.status());
    if (dump->account_id != account) {
      return Fail(Status(ErrorCode::kInvalidArgument, "the transfer holds another account"));
    }
    const Status accepted = accounts.AcceptMoveIn(*dump, request.value("from", ""), *consent,
                                                  request.value("suspended", false));
    if (!accepted.ok()) return Fail(accepted);
    return {{"ok", true}, {"to", consent->to_region}};
  }
  return Fail(Status(ErrorCode::kInvalidArgument, "unknown op '" + op.substr(0, 64) + "'"));
}

json Dispatch(AdminContext& context, const json& request) {
  Accounts& accounts = context.accounts;
  const std::string op = request.value("op", "");
  const std::string account = request.value("account", "");
  if (op == "account.show") {
    auto details = accounts.Show(account);
    if (!details.ok()) return Fail(details.status());
    return {{"ok", true},
            {"account", details->info.account_id},
            {"region", details->info.home_region},
            {"created_at", details->info.created_at},
            {"suspended", details->info.suspended},
            {"keys", KeysJson(details->keys)},
            {"mailboxes", details->usage.mailboxes},
            {"messages", details->usage.messages},
            {"bodies", details->usage.bodies},
            {"sealed_bytes", details->usage.sealed_bytes}};
  }
  if (op == "account.suspend" || op == "account.resume") {
    const Status status = accounts.SetSuspended(account, op == "account.suspend");
    if (!status.ok()) return Fail(status);
    return {{"ok", true}};
  }
  if (op == "account.delete") {
    auto report = accounts.Delete(account);
    if (!report.ok()) return Fail(report.status());
    return DeleteReportJson(*report);
  }
  if (op.starts_with("move.")) return MoveBetweenNodes(context, op, request);
  if (op == "account.move") {
    auto consent = DecodeMoveConsent(request.value("consent", ""));
    if (!consent.ok()) return Fail(consent.status());
    auto report = accounts.Move(account, request.value("to", ""), *consent);
    if (!report.ok()) return Fail(report.status());
    return {{"ok", true}, {"to", request.value("to", "")}, {"bodies", report->bodies},
            {"messages", report->messages}};
  }
  if (op == "account.disclose") {
    auto shard = accounts.ShardFor(NormalizeAccountId(account));
    if (!shard.ok()) return Fail(shard.status());
    auto disclosed = DiscloseAccount(**shard, NormalizeAccountId(account),
                                     request.value("order", ""),
                                     request.value("embargo_until", uint64_t{0}),
                                     request.value("out", ""));
    if (!disclosed.ok()) return Fail(disclosed.status());
    return {{"ok", true}, {"messages", disclosed->messages}, {"region", disclosed->region}};
  }
  if (op == "transparency") return TransparencyReport(context, request.value("since", int64_t{0}));
  if (op == "region.list") {
    auto regions = accounts.SummarizeRegions();
    if (!regions.ok()) return Fail(regions.status());
    json list = json::array();
    for (const RegionSummary& r : *regions) {
      list.push_back({{"region", r.region}, {"accounts", r.accounts}, {"messages", r.messages},
                      {"sealed_bytes", r.sealed_bytes}});
    }
    return {{"ok", true}, {"regions", list}};
  }
  if (op == "transport.map") return TransportMap(context);
  if (op == "backup") return Backup(context, request.value("out", ""));
  if (op == "verify") return Verify(context);
  if (op == "account.create" || op == "account.token") {
    auto token = op == "account.create" ? accounts.Create(account, request.value("region", ""))
                                        : accounts.IssueEnrollmentToken(account);
    if (!token.ok()) return Fail(token.status());
    return {{"ok", true},
            {"token", token->token},
            {"expires_at", token->expires_at},
            {"imaps_endpoint", context.imaps_endpoint}};
  }
  if (op == "account.list") {
    const size_t limit = std::min<size_t>(request.value("limit", kMaxListPage), kMaxListPage);
    auto page = accounts.List(request.value("region", ""), request.value("after", ""), limit);
    if (!page.ok()) return Fail(page.status());
    json list = json::array();
    for (const Placement& p : *page) list.push_back({{"account", p.account_id}, {"region", p.home_region}});
    return {{"ok", true}, {"accounts", list}};
  }
  if (op == "password.set") {
    const Status status =
        accounts.SetPassword(request.value("account", ""), request.value("password", ""));
    if (!status.ok()) return Fail(status);
    return {{"ok", true}};
  }
  return Fail(Status(ErrorCode::kInvalidArgument, "unknown op '" + op.substr(0, 64) + "'"));
}

}  // namespace

std::string LmtpTransport(std::string_view host, uint16_t port) {
  return "lmtp:[" + std::string(host) + "]:" + std::to_string(port);
}

std::string HandleAdminRequest(AdminContext& context, std::string_view request_line) {
  json request = json::parse(request_line, nullptr, /*allow_exceptions=*/false);
  if (!request.is_object()) {
    return Fail(Status(ErrorCode::kInvalidArgument, "request is not a JSON object")).dump();
  }
  try {
    return Dispatch(context, request).dump();
  } catch (const json::exception&) {  // a field of the wrong type
    return Fail(Status(ErrorCode::kInvalidArgument, "request has a field of the wrong type"))
        .dump();
  }
}

AdminServer::AdminServer(asio::io_context& io, std::string path, AdminContext& context,
                         StoragePool& pool)
    : acceptor_(io), path_(std::move(path)), context_(context), pool_(pool) {}

AdminServer::~AdminServer() { Close(); }

Result<std::unique_ptr<AdminServer>> AdminServer::Bind(asio::io_context& io,
                                                       const std::string& path,
                                                       AdminContext& context, StoragePool& pool) {
  std::unique_ptr<AdminServer> server(new AdminServer(io, path, context, pool));
  // 0600: only the operator's user may connect.
  MV_RETURN_IF_ERROR(BindUnixSocket(server->acceptor_, path, 0600));
  return server;
}

void AdminServer::Close() {
  if (!acceptor_.is_open()) return;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  ::unlink(path_.c_str());
}

asio::awaitable<void> AdminServer::AcceptLoop() {
  for (;;) {
    boost::system::error_code ec;
    auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    // Mode 0600 already keeps other users out; the uid check also covers a
    // socket directory with looser permissions.
    ucred peer{};
    socklen_t size = sizeof peer;
    if (::getsockopt(socket.native_handle(), SOL_SOCKET, SO_PEERCRED, &peer, &size) != 0 ||
        (peer.uid != ::geteuid() && peer.uid != 0)) {
      spdlog::warn("admin: refused a connection from uid {}", peer.uid);
      continue;
    }
    asio::co_spawn(acceptor_.get_executor(), Serve(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> AdminServer::Serve(asio::local::stream_protocol::socket socket) {
  std::string buffer;
  for (;;) {
    boost::system::error_code ec;
    const size_t n = co_await asio::async_read_until(
        socket, asio::dynamic_buffer(buffer, kMaxRequest), '\n',
        asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    std::string line = buffer.substr(0, n - 1);
    buffer.erase(0, n);
    std::string reply = co_await pool_.Run([&] { return HandleAdminRequest(context_, line); });
    sodium_memzero(line.data(), line.size());  // may hold a password
    reply.push_back('\n');
    co_await asio::async_write(socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

}  // namespace mailvault
