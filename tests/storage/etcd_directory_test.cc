// EtcdDirectory against a real etcd (/usr/bin/etcd, started here on ports the
// OS picks, with a temporary data directory): the Directory contract, sharing
// between nodes, outages, and TLS with client certificates. A missing etcd
// fails these tests; scripts/install-deps.sh installs it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <latch>
#include <random>
#include <sstream>
#include <thread>

#include "shard_test_util.h"
#include "directory_contract.h"
#include "storage/directory.h"
#include "storage/shard_validation.h"

extern char** environ;

namespace mailvault::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kEtcdBinary = "/usr/bin/etcd";
constexpr auto kStartTimeout = 20s;
// "Does not hang": far above the 1 s timeout the outage tests set.
constexpr auto kHangBound = 20s;

// A port nobody listens on right now (it may be taken by the time it is
// used; EtcdServer retries with new ports when etcd fails to start).
uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    ADD_FAILURE() << "cannot bind a port on 127.0.0.1";
  }
  close(fd);
  return ntohs(address.sin_port);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Shell(const std::string& command) { return std::system(command.c_str()) == 0; }

// Certificates for a TLS etcd, made with the openssl CLI: a CA, a server
// certificate for 127.0.0.1, a client certificate, and an unrelated CA.
struct TestPki {
  std::string ca, server_cert, server_key, client_cert, client_key, other_ca;
};

TestPki MakePki(const std::string& dir) {
  const std::string quiet = " >>" + dir + "/openssl.log 2>&1";
  const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  const auto make_ca = [&](const std::string& name) {
    EXPECT_TRUE(Shell("openssl req -x509" + ec + " -days 2 -subj /CN=" + name + " -keyout " + dir +
                      "/" + name + ".key -out " + dir + "/" + name + ".crt" +
                      " -addext basicConstraints=critical,CA:TRUE" +
                      " -addext keyUsage=critical,keyCertSign,cRLSign" + quiet))
        << ReadFile(dir + "/openssl.log");
  };
  // etcd's gateway dials etcd itself with the server certificate, so that
  // certificate must allow client authentication too.
  const auto make_leaf = [&](const std::string& name, const std::string& extensions) {
    std::ofstream(dir + "/" + name + ".ext") << extensions;
    EXPECT_TRUE(Shell("openssl req" + ec + " -subj /CN=" + name + " -keyout " + dir + "/" + name +
                      ".key -out " + dir + "/" + name + ".csr" + quiet) &&
                Shell("openssl x509 -req -days 2 -in " + dir + "/" + name + ".csr -CA " + dir +
                      "/ca.crt -CAkey " + dir + "/ca.key -CAcreateserial -extfile " + dir + "/" +
                      name + ".ext -out " + dir + "/" + name + ".crt" + quiet))
        << ReadFile(dir + "/openssl.log");
  };
  make_ca("ca");
  make_ca("other-ca");
  make_leaf("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n");
  make_leaf("client", "extendedKeyUsage=clientAuth\n");
  return TestPki{dir + "/ca.crt",     dir + "/server.crt", dir + "/server.key",
                 dir + "/client.crt", dir + "/client.key", dir + "/other-ca.crt"};
}

// One etcd process. Kill() or the destructor kills it and waits for it.
class EtcdServer {
 public:
  explicit EtcdServer(std::string dir, const TestPki* pki = nullptr)
      : dir_(std::move(dir)), pki_(pki) {
    if (access(kEtcdBinary, X_OK) != 0) {
      ADD_FAILURE() << kEtcdBinary << " is missing: scripts/install-deps.sh installs etcd-server";
      return;
    }
    for (int attempt = 0; attempt < 3 && pid_ <= 0; ++attempt) StartOnce(attempt);
  }
  ~EtcdServer() { Kill(); }
  EtcdServer(const EtcdServer&) = delete;
  EtcdServer& operator=(const EtcdServer&) = delete;

  bool running() const { return pid_ > 0; }
  const std::string& endpoint() const { return endpoint_; }

  EtcdOptions Options(std::string prefix, std::chrono::milliseconds timeout = 5s) const {
    EtcdOptions options;
    options.endpoints = {endpoint_};
    options.prefix = std::move(prefix);
    options.timeout = timeout;
    if (pki_ != nullptr) {
      options.ca_file = pki_->ca;
      options.client_cert_file = pki_->client_cert;
      options.client_key_file = pki_->client_key;
    }
    return options;
  }

  void Kill() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  // A silent etcd: the kernel still accepts connections, nobody answers.
  // Both wait until the signal has taken effect.
  void Pause() {
    int status = 0;
    kill(pid_, SIGSTOP);
    waitpid(pid_, &status, WUNTRACED);
  }
  void Resume() {
    int status = 0;
    kill(pid_, SIGCONT);
    waitpid(pid_, &status, WCONTINUED);
  }

 private:
  void StartOnce(int attempt) {
    const std::string scheme = pki_ != nullptr ? "https://" : "http://";
    const std::string client_url = scheme + "127.0.0.1:" + std::to_string(FreePort());
    const std::string peer_url = "http://127.0.0.1:" + std::to_string(FreePort());
    const std::string log = dir_ + "/etcd-" + std::to_string(attempt) + ".log";
    std::vector<std::string> args = {kEtcdBinary,
                                     "--name=test",
                                     "--data-dir=" + dir_ + "/data-" + std::to_string(attempt),
                                     "--listen-client-urls=" + client_url,
                                     "--advertise-client-urls=" + client_url,
                                     "--listen-peer-urls=" + peer_url,
                                     "--initial-advertise-peer-urls=" + peer_url,
                                     "--initial-cluster=test=" + peer_url,
                                     "--logger=zap",
                                     "--log-outputs=stderr",
                                     "--log-level=warn"};
    if (pki_ != nullptr) {
      args.push_back("--cert-file=" + pki_->server_cert);
      args.push_back("--key-file=" + pki_->server_key);
      args.push_back("--trusted-ca-file=" + pki_->ca);
      args.push_back("--client-cert-auth");
    }
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const int spawned = posix_spawn(&pid, kEtcdBinary, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      ADD_FAILURE() << "cannot start " << kEtcdBinary << ": " << strerror(spawned);
      return;
    }
    pid_ = pid;
    endpoint_ = client_url;
    const auto until = std::chrono::steady_clock::now() + kStartTimeout;
    Status last;
    while (std::chrono::steady_clock::now() < until) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {  // e.g. lost a port to another process
        pid_ = -1;
        std::cerr << "etcd exited at start (attempt " << attempt << "):\n" << ReadFile(log);
        return;
      }
      Result<std::unique_ptr<Directory>> probe = OpenEtcdDirectory(Options("/probe/", 1s));
      if (probe.ok()) return;
      last = probe.status();
      std::this_thread::sleep_for(100ms);
    }
    ADD_FAILURE() << "etcd did not answer within 20 s: " << last.ToString() << "\n"
                  << ReadFile(log);
    Kill();
  }

  const std::string dir_;
  const TestPki* const pki_;
  pid_t pid_ = -1;
  std::string endpoint_;
};

std::unique_ptr<Directory> OpenOrDie(const EtcdOptions& options) {
  Result<std::unique_ptr<Directory>> directory = OpenEtcdDirectory(options);
  EXPECT_TRUE(directory.ok()) << directory.status().ToString();
  return directory.ok() ? std::move(directory).value() : nullptr;
}

// The contract tests share one etcd; each test keeps to a prefix of its own.
class EtcdDirectoryTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new EtcdServer(dir_->path());
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  void SetUp() override {
    ASSERT_TRUE(server_->running());
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    prefix_ = std::string("/test/") + test->name() + "/";
    directory_ = OpenOrDie(Options());
    ASSERT_NE(directory_, nullptr);
  }
  EtcdOptions Options() const { return server_->Options(prefix_); }

  static TempDir* dir_;
  static EtcdServer* server_;
  std::string prefix_;
  std::unique_ptr<Directory> directory_;
};
TempDir* EtcdDirectoryTest::dir_ = nullptr;
EtcdServer* EtcdDirectoryTest::server_ = nullptr;

TEST_F(EtcdDirectoryTest, PlaceLookupAndUpdate) {
  EXPECT_EQ(directory_->Lookup("alice@example.org").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(directory_->Place("alice@example.org", "eu").ok());
  Result<Placement> placement = directory_->Lookup("alice@example.org");
  ASSERT_TRUE(placement.ok()) << placement.status().ToString();
  EXPECT_EQ(placement->account_id, "alice@example.org");
  EXPECT_EQ(placement->home_region, "eu");

  ASSERT_TRUE(directory_->Place("alice@example.org", "us").ok());
  EXPECT_EQ(directory_->Lookup("alice@example.org")->home_region, "us");
}

TEST_F(EtcdDirectoryTest, RemoveForgetsThePlacement) {
  ASSERT_TRUE(directory_->Place("alice@example.org", "eu").ok());
  ASSERT_TRUE(directory_->Remove("alice@example.org").ok());
  EXPECT_EQ(directory_->Lookup("alice@example.org").code(), ErrorCode::kNotFound);
  EXPECT_EQ(directory_->Remove("alice@example.org").code(), ErrorCode::kNotFound);
  EXPECT_EQ(directory_->Remove("nobody@example.org").code(), ErrorCode::kNotFound);
}

TEST_F(EtcdDirectoryTest, RejectsInvalidIdsAndRegions) {
  const std::string too_long_id(kMaxAccountIdSize + 1, 'a');
  const std::string too_long_region(kMaxRegionSize + 1, 'r');
  for (const std::string& id :
       {std::string(), too_long_id, std::string("a\nb@example.org"), std::string("a\0b", 3)}) {
    EXPECT_EQ(directory_->Place(id, "eu").code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(directory_->Lookup(id).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(directory_->Remove(id).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(directory_->Rehome(id, "eu", "us").code(), ErrorCode::kInvalidArgument);
  }
  for (const std::string& region : {std::string(), too_long_region, std::string("e\tu")}) {
    EXPECT_EQ(directory_->Place("bob@example.org", region).code(), ErrorCode::kInvalidArgument);
    EXPECT_EQ(directory_->Rehome("bob@example.org", "eu", region).code(),
              ErrorCode::kInvalidArgument);
  }
  // The longest valid values go through.
  const std::string longest_id(kMaxAccountIdSize, 'a');
  ASSERT_TRUE(directory_->Place(longest_id, std::string(kMaxRegionSize, 'r')).ok());
  EXPECT_EQ(directory_->Lookup(longest_id)->home_region, std::string(kMaxRegionSize, 'r'));
}

TEST_F(EtcdDirectoryTest, ListPagesInAccountOrder) {
  constexpr int kAccounts = 2500;
  std::vector<std::string> accounts;
  for (int i = 0; i < kAccounts; ++i) {
    char name[32];
    snprintf(name, sizeof(name), "user%04d@example.org", i);
    accounts.push_back(name);
  }
  std::vector<std::string> shuffled = accounts;  // placed out of order on purpose
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(7));
  // Four writers: quicker, and they share the connection pool.
  std::vector<std::thread> writers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      for (size_t i = w; i < shuffled.size(); i += 4) {
        const bool even = (shuffled[i][7] - '0') % 2 == 0;  // the number's last digit
        if (!directory_->Place(shuffled[i], even ? "eu" : "us").ok()) ++failures;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  ASSERT_EQ(failures.load(), 0);

  std::vector<size_t> page_sizes;
  const std::vector<std::string> seen = ListInPages(*directory_, 1000, page_sizes);
  EXPECT_EQ(page_sizes, (std::vector<size_t>{1000, 1000, 500, 0}));
  EXPECT_EQ(seen, accounts);
  EXPECT_TRUE(directory_->List("", 0)->empty());
  // `after` is exclusive and need not be an existing account.
  Result<std::vector<Placement>> from = directory_->List("user0010@example.org", 2);
  ASSERT_TRUE(from.ok());
  ASSERT_EQ(from->size(), 2u);
  EXPECT_EQ((*from)[0].account_id, "user0011@example.org");
  EXPECT_EQ((*from)[1].account_id, "user0012@example.org");
  Result<std::vector<Placement>> tail = directory_->List("user2495", 100);
  ASSERT_TRUE(tail.ok());
  ASSERT_EQ(tail->size(), 5u);
  EXPECT_EQ(tail->front().account_id, "user2495@example.org");
  EXPECT_EQ(tail->front().home_region, "us");
  EXPECT_TRUE(directory_->List("zzz", 100)->empty());
  EXPECT_TRUE(directory_->List("\xff\xff", 100)->empty());

  size_t visited = 0;
  ASSERT_TRUE(ForEachPlacement(*directory_, [&](const Placement&) {
                ++visited;
                return Status::Ok();
              }).ok());
  EXPECT_EQ(visited, accounts.size());
}

TEST_F(EtcdDirectoryTest, ListOrderIsBytewise) {
  std::vector<std::string> accounts = {"zed@example.org",      "Zed@example.org", "a@example.org",
                                       "\xc3\xbc@example.org", "a.b@example.org", "a@"};
  for (const std::string& account : accounts) ASSERT_TRUE(directory_->Place(account, "eu").ok());
  std::sort(accounts.begin(), accounts.end());  // std::string compares as unsigned bytes
  Result<std::vector<Placement>> all = directory_->List("", 100);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> listed;
  for (const Placement& placement : *all) listed.push_back(placement.account_id);
  EXPECT_EQ(listed, accounts);
}

TEST_F(EtcdDirectoryTest, RehomeMovesOnlyFromTheCurrentRegion) {
  ExpectRehomeMovesOnlyFromTheCurrentRegion(*directory_);
}

TEST_F(EtcdDirectoryTest, ConcurrentRehomesHaveOneWinner) {
  // Two nodes (two Directory objects) race to move the same accounts.
  std::unique_ptr<Directory> other = OpenOrDie(Options());
  ASSERT_NE(other, nullptr);
  ExpectConcurrentRehomesHaveOneWinner(*directory_, *other);
}

TEST_F(EtcdDirectoryTest, SamePrefixIsSharedOtherPrefixesAreNot) {
  std::unique_ptr<Directory> same = OpenOrDie(Options());
  EtcdOptions elsewhere = Options();
  elsewhere.prefix = prefix_ + "other/";  // nested under ours, still separate
  std::unique_ptr<Directory> other = OpenOrDie(elsewhere);
  ASSERT_NE(same, nullptr);
  ASSERT_NE(other, nullptr);

  ASSERT_TRUE(directory_->Place("alice@example.org", "eu").ok());
  EXPECT_EQ(same->Lookup("alice@example.org")->home_region, "eu");
  ASSERT_TRUE(same->Place("bob@example.org", "us").ok());
  EXPECT_EQ(directory_->Lookup("bob@example.org")->home_region, "us");
  ASSERT_TRUE(same->Remove("alice@example.org").ok());
  EXPECT_EQ(directory_->Lookup("alice@example.org").code(), ErrorCode::kNotFound);

  EXPECT_EQ(other->Lookup("bob@example.org").code(), ErrorCode::kNotFound);
  EXPECT_TRUE(other->List("", 10)->empty());
  ASSERT_TRUE(other->Place("carol@example.org", "ap").ok());
  EXPECT_EQ(directory_->Lookup("carol@example.org").code(), ErrorCode::kNotFound);
  Result<std::vector<Placement>> ours = directory_->List("", 10);
  ASSERT_TRUE(ours.ok());
  ASSERT_EQ(ours->size(), 1u);
  EXPECT_EQ(ours->front().account_id, "bob@example.org");
}

TEST_F(EtcdDirectoryTest, LookupRecentMayBeStaleLookupIsNot) {
  EtcdOptions cached = Options();
  cached.cache_ttl = std::chrono::minutes(10);
  std::unique_ptr<Directory> node_a = OpenOrDie(cached);
  std::unique_ptr<Directory> node_b = OpenOrDie(cached);
  ASSERT_NE(node_a, nullptr);
  ASSERT_NE(node_b, nullptr);
  ASSERT_TRUE(node_a->Place("alice@example.org", "eu").ok());
  EXPECT_EQ(node_b->LookupRecent("alice@example.org")->home_region, "eu");  // now cached

  // A move made through node A: A sees it at once, B's cache lags ...
  ASSERT_TRUE(node_a->Rehome("alice@example.org", "eu", "us").ok());
  EXPECT_EQ(node_a->LookupRecent("alice@example.org")->home_region, "us");
  EXPECT_EQ(node_b->LookupRecent("alice@example.org")->home_region, "eu");
  // ... until a fresh Lookup, which also refreshes the cache.
  EXPECT_EQ(node_b->Lookup("alice@example.org")->home_region, "us");
  EXPECT_EQ(node_b->LookupRecent("alice@example.org")->home_region, "us");

  // Unknown accounts are never cached; a removal is seen by its node at once.
  EXPECT_EQ(node_b->LookupRecent("bob@example.org").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(node_a->Place("bob@example.org", "eu").ok());
  EXPECT_EQ(node_b->LookupRecent("bob@example.org")->home_region, "eu");
  ASSERT_TRUE(node_b->Remove("bob@example.org").ok());
  EXPECT_EQ(node_b->LookupRecent("bob@example.org").code(), ErrorCode::kNotFound);

  // Without a cache, LookupRecent is Lookup.
  EtcdOptions uncached = Options();
  uncached.cache_ttl = std::chrono::milliseconds(0);
  std::unique_ptr<Directory> node_c = OpenOrDie(uncached);
  ASSERT_NE(node_c, nullptr);
  EXPECT_EQ(node_c->LookupRecent("alice@example.org")->home_region, "us");
  ASSERT_TRUE(node_a->Rehome("alice@example.org", "us", "ap").ok());
  EXPECT_EQ(node_c->LookupRecent("alice@example.org")->home_region, "ap");
}

TEST_F(EtcdDirectoryTest, ConcurrentCallersShareOneDirectory) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string account = "t" + std::to_string(t) + "-" + std::to_string(i) + "@x";
        const std::string region = "r" + std::to_string(t);
        Result<Placement> placement(ErrorCode::kNotFound, "");
        if (!directory_->Place(account, region).ok() ||
            !(placement = directory_->Lookup(account)).ok() || placement->home_region != region) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  Result<std::vector<Placement>> all = directory_->List("", 10000);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), size_t{kThreads * kPerThread});
}

TEST_F(EtcdDirectoryTest, TriesTheNextEndpointWhenOneIsDown) {
  EtcdOptions options = Options();
  const std::string dead = "http://127.0.0.1:" + std::to_string(FreePort());
  // A dead member first, and the live one written without a scheme.
  options.endpoints = {dead, server_->endpoint().substr(std::string("http://").size())};
  std::unique_ptr<Directory> directory = OpenOrDie(options);
  ASSERT_NE(directory, nullptr);
  ASSERT_TRUE(directory->Place("alice@example.org", "eu").ok());
  EXPECT_EQ(directory_->Lookup("alice@example.org")->home_region, "eu");

  options.endpoints = {dead};
  Result<std::unique_ptr<Directory>> unreachable = OpenEtcdDirectory(options);
  EXPECT_EQ(unreachable.code(), ErrorCode::kUnavailable);
  EXPECT_NE(unreachable.status().message().find(dead), std::string::npos)
      << unreachable.status().message();
}

TEST_F(EtcdDirectoryTest, OpenRejectsBadOptions) {
  const auto code_for = [&](const std::function<void(EtcdOptions&)>& change) {
    EtcdOptions options = Options();
    change(options);
    return OpenEtcdDirectory(options).code();
  };
  EXPECT_EQ(code_for([](EtcdOptions& o) { o.endpoints.clear(); }), ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_for([](EtcdOptions& o) { o.endpoints = {"ftp://127.0.0.1:2379"}; }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_for([](EtcdOptions& o) { o.endpoints = {"127.0.0.1:http"}; }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_for([](EtcdOptions& o) { o.endpoints = {"http://127.0.0.1:2379/v3"}; }),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(code_for([](EtcdOptions& o) { o.timeout = 0ms; }), ErrorCode::kInvalidArgument);
  // TLS files with only http endpoints: most likely a forgotten https://.
  EXPECT_EQ(code_for([](EtcdOptions& o) { o.ca_file = "/etc/ssl/certs/ca-certificates.crt"; }),
            ErrorCode::kInvalidArgument);
}

// Outages: each test has an etcd of its own to kill or freeze.
class EtcdOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<EtcdServer>(dir_.path());
    ASSERT_TRUE(server_->running());
    directory_ = OpenOrDie(server_->Options("/outage/", 1s));
    ASSERT_NE(directory_, nullptr);
    ASSERT_TRUE(directory_->Place("alice@example.org", "eu").ok());
  }

  // Runs `call`, which must fail with kUnavailable naming the endpoint, and
  // must not hang.
  void ExpectUnavailable(const std::function<Status()>& call) {
    const auto start = std::chrono::steady_clock::now();
    Status status = call();
    EXPECT_LT(std::chrono::steady_clock::now() - start, kHangBound);
    EXPECT_EQ(status.code(), ErrorCode::kUnavailable) << status.ToString();
    EXPECT_NE(status.message().find(server_->endpoint()), std::string::npos) << status.ToString();
  }

  TempDir dir_;
  std::unique_ptr<EtcdServer> server_;
  std::unique_ptr<Directory> directory_;
};

TEST_F(EtcdOutageTest, KilledEtcdGivesUnavailable) {
  server_->Kill();
  ExpectUnavailable([&] { return directory_->Lookup("alice@example.org").status(); });
  ExpectUnavailable([&] { return directory_->Place("bob@example.org", "eu"); });
  ExpectUnavailable([&] { return directory_->Rehome("alice@example.org", "eu", "us"); });
  ExpectUnavailable([&] { return directory_->List("", 10).status(); });
}

TEST_F(EtcdOutageTest, SilentEtcdGivesUnavailableAndRecovers) {
  server_->Pause();
  ExpectUnavailable([&] { return directory_->Lookup("alice@example.org").status(); });
  // etcd may still apply this put when it wakes up (the request sits in its
  // socket buffer), so nothing below depends on bob.
  ExpectUnavailable([&] { return directory_->Place("bob@example.org", "us"); });
  server_->Resume();
  // The timed-out connections were dropped; new ones work.
  Result<Placement> placement = directory_->Lookup("alice@example.org");
  ASSERT_TRUE(placement.ok()) << placement.status().ToString();
  EXPECT_EQ(placement->home_region, "eu");
}

// TLS with client certificates (etcd --client-cert-auth); one etcd for all.
class EtcdTlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    pki_ = new TestPki(MakePki(dir_->path()));
    server_ = new EtcdServer(dir_->path(), pki_);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete pki_;
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(server_->running()); }

  static TempDir* dir_;
  static TestPki* pki_;
  static EtcdServer* server_;
};
TempDir* EtcdTlsTest::dir_ = nullptr;
TestPki* EtcdTlsTest::pki_ = nullptr;
EtcdServer* EtcdTlsTest::server_ = nullptr;

TEST_F(EtcdTlsTest, WorksWithTheCaAndAClientCertificate) {
  std::unique_ptr<Directory> directory = OpenOrDie(server_->Options("/tls/"));
  ASSERT_NE(directory, nullptr);
  ASSERT_TRUE(directory->Place("alice@example.org", "eu").ok());
  ASSERT_TRUE(directory->Rehome("alice@example.org", "eu", "us").ok());
  EXPECT_EQ(directory->Lookup("alice@example.org")->home_region, "us");
  EXPECT_EQ(directory->List("", 10)->size(), 1u);
}

TEST_F(EtcdTlsTest, FailsWithAnotherCa) {
  EtcdOptions options = server_->Options("/tls/");
  options.ca_file = pki_->other_ca;
  Result<std::unique_ptr<Directory>> directory = OpenEtcdDirectory(options);
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.code(), ErrorCode::kUnavailable);
  EXPECT_NE(directory.status().message().find("certificate"), std::string::npos)
      << directory.status().ToString();
  EXPECT_NE(directory.status().message().find(server_->endpoint()), std::string::npos)
      << directory.status().ToString();
}

TEST_F(EtcdTlsTest, FailsWithoutAClientCertificate) {
  EtcdOptions options = server_->Options("/tls/");
  options.client_cert_file.clear();
  options.client_key_file.clear();
  Result<std::unique_ptr<Directory>> directory = OpenEtcdDirectory(options);
  ASSERT_FALSE(directory.ok());
  EXPECT_TRUE(directory.code() == ErrorCode::kUnavailable ||
              directory.code() == ErrorCode::kIOError)
      << directory.status().ToString();
  EXPECT_NE(directory.status().message().find(server_->endpoint()), std::string::npos)
      << directory.status().ToString();
}

TEST_F(EtcdTlsTest, OpenRejectsUnreadableTlsFiles) {
  EtcdOptions options = server_->Options("/tls/");
  options.ca_file = dir_->Sub("missing.crt");
  EXPECT_EQ(OpenEtcdDirectory(options).code(), ErrorCode::kInvalidArgument);
  options = server_->Options("/tls/");
  options.client_key_file.clear();
  EXPECT_EQ(OpenEtcdDirectory(options).code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace mailvault::testing
