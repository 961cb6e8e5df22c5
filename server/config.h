// mailvaultd's configuration: a TOML file (docs/OPERATIONS.md has an
// annotated example), or the embedded default that ./run.sh uses.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "net/endpoint.h"
#include "storage/directory.h"

namespace mailvault {


struct HostedRegion {
  std::string name;
  std::string data_dir;
};

// A region served by other nodes: where to refer IMAP clients and MTAs.
struct RemoteRegion {
  std::string name;
  std::string imap_url;  // RFC 2221 referral target, e.g. "imap://us.example.net:993/"
  std::string lmtp;      // host:port, for the transport map
};

struct Limits {
  size_t max_line_pre_auth = 64 << 10;  // RFC 2971's largest ID (ReceiverLimits::PreAuth)
  size_t max_line = 64 << 10;
  uint64_t max_message = 50ull << 20;
  uint32_t max_nesting = 16;
  uint32_t max_bad_commands_pre_auth = 3;
  uint32_t max_bad_commands = 20;
  uint32_t max_connections_per_address = 50;
  uint32_t max_sessions_per_account = 20;
  // Password verification (Argon2id, 64 MiB and ~0.1 s each) has a pool of
  // its own: this many threads, and this many logins waiting beyond them
  // before further ones get NO [UNAVAILABLE].
  uint32_t login_threads = 2;
  uint32_t max_logins_queued = 32;
  std::chrono::seconds idle_pre_auth{60};
  std::chrono::seconds idle_authenticated{30 * 60};  // RFC 9051 5.4
  // An untagged OK this often during IDLE, which then lasts as long as
  // the client likes (the inactivity timeout counts from the last one).
  std::chrono::seconds idle_keepalive{2 * 60};
  std::chrono::seconds lmtp_idle{5 * 60};            // RFC 5321 4.5.3.2
  // A client that vanished without closing (a laptop that lost its
  // network) is noticed about this long after it stopped answering, and its
  // session ends and frees its slots (net/dead_peer.h); 0: never.
  std::chrono::seconds dead_peer{2 * 60};
};

struct Config {
  unsigned threads = 0;  // 0: one per core
  std::string log_level = "info";
  std::string state_dir = "var";            // certificate, directory
  std::string admin_socket = "var/admin.sock";
  std::string tls_certificate;              // PEM; empty: <state_dir>/tls/cert.pem
  std::string tls_private_key;              // PEM; empty: <state_dir>/tls/key.pem
  bool generate_self_signed = true;         // when the certificate files are missing
  Endpoint imaps{"127.0.0.1", 9993};
  std::vector<Endpoint> imap_starttls;      // optional cleartext listeners
  Endpoint lmtp{"127.0.0.1", 2424};
  std::string lmtp_socket;                  // optional unix socket for LMTP (mode 0660)
  Endpoint metrics;                         // /metrics and /healthz; port 0: off
  std::string hostname = "localhost";       // in greetings and generated certificates
  std::vector<HostedRegion> regions;
  std::vector<RemoteRegion> remote_regions;
  // [directory]: no etcd endpoints means the embedded directory under
  // state_dir, for a node on its own; with them, the directory the nodes
  // of a deployment share.
  EtcdOptions etcd;
  Limits limits;
  // [storage]: how many of a mailbox's newest modseqs keep their expunge
  // tombstones (docs/STORAGE.md, "Changes"); 0 keeps them all.
  uint64_t tombstone_window = 100'000;

  std::string CertificatePath() const;
  std::string PrivateKeyPath() const;
  std::string DirectoryPath() const;
};

// 127.0.0.1 only, IMAPS 9993, LMTP 2424, one region "local", all under ./var.
Config DefaultConfig();

// kInvalidArgument with "FILE:LINE:COL: what" for a file that does not parse
// or names an unknown key.
Result<Config> LoadConfig(const std::string& path);
// The same for a file's contents; `path` names it in messages.
Result<Config> ParseConfig(std::string_view text, const std::string& path);

}  // namespace mailvault
