// Crash consistency: a writer process appending real sealed messages from
// several threads is killed with SIGKILL at a random moment; every append it
// acknowledged must then be in the shard, whole, and open to its plaintext,
// and no uid it was given may be handed out again.
//
// Every process that opens RocksDB is a fork of this test's process, which
// itself never opens it: RocksDB starts background threads, and a fork taken
// while other threads exist gets none of them and may inherit a held lock.
// The verifier runs in a fresh child too, which is also the faithful model of
// "restart after a crash".
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "shard_test_util.h"

namespace mailvault::testing {
namespace {

constexpr int kRounds = 5;
constexpr int kWriterThreads = 4;
constexpr const char* kAccounts[] = {"crash-a@example.org", "crash-b@example.org"};

// Which account and mailbox each writer thread appends to. Threads 0 and 2
// share a mailbox (contention on one account's lock); thread 3 is another
// account (group commit across accounts).
struct Target {
  const char* account;
  const char* mailbox;
};
constexpr Target kTargets[kWriterThreads] = {{kAccounts[0], "INBOX"},
                                             {kAccounts[0], "Archive"},
                                             {kAccounts[0], "INBOX"},
                                             {kAccounts[1], "INBOX"}};

// What the writer reports for each acknowledged append. 32 bytes, so that
// each report is one atomic pipe write (<= PIPE_BUF) whatever the threads do.
struct Ack {
  uint32_t round;
  uint32_t thread;
  uint32_t seq;
  uint32_t uid;
  char blob_id[16];
};
static_assert(sizeof(Ack) == 32);

// The plaintext of one message, recomputable by the verifier; sizes vary so
// that some sealed bodies go to BlobDB blob files and some stay in SSTs.
std::string PlaintextFor(uint32_t round, uint32_t thread, uint32_t seq) {
  std::string text = "Subject: crash round " + std::to_string(round) + " thread " +
                     std::to_string(thread) + " seq " + std::to_string(seq) + "\r\n\r\n";
  size_t size = 200 + (seq * 2654435761u + thread * 97 + round * 13) % 12000;
  for (size_t i = 0; text.size() < size; ++i)
    text.push_back(static_cast<char>('a' + (i + seq) % 26));
  return text;
}

bool WriteAll(int fd, const void* data, size_t size) {
  const char* bytes = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = write(fd, bytes, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool Tolerable(const Status& status) {
  return status.ok() || status.code() == ErrorCode::kAlreadyExists;
}

// The writer child. Never returns: it runs until SIGKILL.
[[noreturn]] void RunWriter(const std::string& path, const DeviceKeys& keys, uint32_t round,
                            int ack_fd) {
  Result<std::unique_ptr<RegionShard>> opened = RegionShard::Open(OptionsFor(path));
  if (!opened.ok()) _exit(2);
  RegionShard& shard = **opened;
  // Idempotent set-up: an earlier round may have been killed halfway through.
  for (const char* account : kAccounts) {
    if (!Tolerable(shard.CreateAccount(account, "eu")) ||
        !Tolerable(shard.RegisterPublicKey(account, PublicKeyKind::kEncryption,
                                           keys.encryption.public_key))) {
      _exit(3);
    }
  }
  if (!Tolerable(shard.CreateMailbox(kAccounts[0], "Archive"))) _exit(3);

  std::vector<std::thread> threads;
  for (uint32_t t = 0; t < kWriterThreads; ++t) {
    threads.emplace_back([&, t] {
      const Target& target = kTargets[t];
      std::vector<std::string> recipients = {keys.encryption.public_key};
      for (uint32_t seq = 0;; ++seq) {
        BlobId blob_id = RandomBlobId();
        Result<SealedMessage> sealed = SealMessage(
            target.account, blob_id, PlaintextFor(round, t, seq), MessageSummary{}, recipients);
        if (!sealed.ok()) _exit(4);
        AppendRequest request;
        request.mailbox = target.mailbox;
        request.blob_id = blob_id;
        request.sealed_body = std::move(sealed->body);
        request.sealed_summary = std::move(sealed->summary);
        request.wraps = std::move(sealed->wraps);
        Result<AppendResult> appended = shard.Append(target.account, std::move(request));
        if (!appended.ok()) _exit(5);
        // Reported only now, after Append returned ok: this is the promise.
        Ack ack{round, t, seq, appended->uid, {}};
        memcpy(ack.blob_id, blob_id.bytes.data(), sizeof(ack.blob_id));
        if (!WriteAll(ack_fd, &ack, sizeof(ack))) _exit(6);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  _exit(7);
}

// Checks the shard after a crash; returns what is wrong, one line each.
std::vector<std::string> Verify(const std::string& path, const DeviceKeys& keys,
                                const std::vector<Ack>& acks) {
  std::vector<std::string> problems;
  Result<std::unique_ptr<RegionShard>> opened = RegionShard::Open(OptionsFor(path));
  if (!opened.ok()) return {"reopen failed: " + opened.status().ToString()};
  RegionShard& shard = **opened;

  std::map<std::pair<std::string, std::string>, uint32_t> highest_acked;
  for (const Ack& ack : acks) {
    const Target& target = kTargets[ack.thread];
    std::string where =
        std::string(target.account) + "/" + target.mailbox + " uid " + std::to_string(ack.uid);
    uint32_t& highest = highest_acked[{target.account, target.mailbox}];
    highest = std::max(highest, ack.uid);
    BlobId blob_id = *BlobId::FromBytes(std::string_view(ack.blob_id, sizeof(ack.blob_id)));
    Result<MessageEntry> entry = shard.GetMessage(target.account, target.mailbox, ack.uid);
    if (!entry.ok()) {
      problems.push_back("acknowledged " + where + " is missing: " + entry.status().ToString());
      continue;
    }
    if (entry->blob_id != blob_id) {
      problems.push_back("acknowledged " + where + " names another blob");
      continue;
    }
    Result<std::string> plaintext = OpenStored(shard, target.account, blob_id, keys);
    if (!plaintext.ok()) {
      problems.push_back("acknowledged " + where +
                         " does not open: " + plaintext.status().ToString());
    } else if (*plaintext != PlaintextFor(ack.round, ack.thread, ack.seq)) {
      problems.push_back("acknowledged " + where + " opens to other bytes");
    }
  }

  for (const auto& [mailbox, highest] : highest_acked) {
    Result<MailboxInfo> info = shard.GetMailbox(mailbox.first, mailbox.second);
    if (!info.ok()) {
      problems.push_back(mailbox.first + "/" + mailbox.second + ": " + info.status().ToString());
      continue;
    }
    if (info->uidnext <= highest) {
      problems.push_back(mailbox.first + "/" + mailbox.second + " uidnext " +
                         std::to_string(info->uidnext) + " is not above acknowledged uid " +
                         std::to_string(highest));
    }
  }

  // Appends that were durable but not yet acknowledged when the kill came may
  // be there too; each batch is atomic, so every entry must be whole.
  for (const Target& target : kTargets) {
    Result<std::vector<MessageEntry>> entries =
        shard.ListMessages(target.account, target.mailbox, 1, UINT32_MAX);
    if (!entries.ok()) continue;  // reported above if the mailbox is missing
    for (const MessageEntry& entry : *entries) {
      if (!OpenStored(shard, target.account, entry.blob_id, keys).ok()) {
        problems.push_back(std::string(target.account) + "/" + target.mailbox + " uid " +
                           std::to_string(entry.uid) + " is a partial append");
      }
    }
  }
  if (problems.size() > 20) problems.resize(20);
  return problems;
}

// Runs Verify in a child process and returns its findings.
std::vector<std::string> VerifyInChild(const std::string& path, const DeviceKeys& keys,
                                       const std::vector<Ack>& acks) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return {"pipe failed"};
  pid_t pid = fork();
  if (pid < 0) return {"fork failed"};
  if (pid == 0) {
    close(fds[0]);
    std::string report;
    for (const std::string& problem : Verify(path, keys, acks)) report += problem + "\n";
    _exit(WriteAll(fds[1], report.data(), report.size()) ? 0 : 1);
  }
  close(fds[1]);
  std::string report;
  char buffer[4096];
  for (;;) {
    pollfd poll_fd{fds[0], POLLIN, 0};
    if (poll(&poll_fd, 1, 30000) <= 0) {  // a hung verifier is a failure too
      kill(pid, SIGKILL);
      report += "verifier timed out\n";
      break;
    }
    ssize_t n = read(fds[0], buffer, sizeof(buffer));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    report.append(buffer, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  std::vector<std::string> problems;
  size_t start = 0;
  for (size_t end; (end = report.find('\n', start)) != std::string::npos; start = end + 1) {
    problems.push_back(report.substr(start, end - start));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    problems.push_back("verifier did not exit cleanly (status " + std::to_string(status) + ")");
  }
  return problems;
}

TEST(ShardCrashTest, AcknowledgedAppendsSurviveSigkill) {
  TempDir dir;
  const std::string path = dir.Sub("shard");
  DeviceKeys keys = DeviceKeys::Generate();
  std::random_device seed_source;
  const uint32_t seed = seed_source();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> kill_after_ms(50, 400);
  SCOPED_TRACE("random seed " + std::to_string(seed));

  std::vector<Ack> acks;  // over all rounds: earlier rounds must survive too
  for (uint32_t round = 0; round < kRounds; ++round) {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      RunWriter(path, keys, round, fds[1]);
    }
    close(fds[1]);

    // Even rounds count the delay from the fork, so some kills land in the
    // writer's recovery and set-up; odd rounds count it from the first
    // acknowledgement, so that even a slow machine kills amid appends.
    const bool from_first_ack = round % 2 == 1;
    const auto delay = std::chrono::milliseconds(kill_after_ms(random));
    auto deadline = std::chrono::steady_clock::now() +
                    (from_first_ack ? std::chrono::milliseconds(15000) : delay);
    std::string pending;
    bool killed = false;
    char buffer[4096];
    for (;;) {
      int timeout_ms = -1;
      if (!killed) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
          kill(pid, SIGKILL);
          killed = true;
        } else {
          timeout_ms = static_cast<int>(left.count());
        }
      }
      pollfd poll_fd{fds[0], POLLIN, 0};
      int ready = poll(&poll_fd, 1, timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready == 0) continue;  // deadline reached: kill on the next turn
      ssize_t n = read(fds[0], buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the writer is dead and the pipe drained
      if (from_first_ack && pending.empty() && !killed) {
        deadline = std::chrono::steady_clock::now() + delay;
      }
      pending.append(buffer, static_cast<size_t>(n));
    }
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "writer exited on its own with status " << status;
    ASSERT_EQ(pending.size() % sizeof(Ack), 0u) << "a torn acknowledgement";

    size_t before = acks.size();
    for (size_t offset = 0; offset < pending.size(); offset += sizeof(Ack)) {
      Ack ack;
      memcpy(&ack, pending.data() + offset, sizeof(Ack));
      acks.push_back(ack);
    }
    std::cout << "round " << round << ": " << acks.size() - before << " acknowledged appends\n";

    std::vector<std::string> problems = VerifyInChild(path, keys, acks);
    EXPECT_TRUE(problems.empty()) << "round " << round << ":\n"
                                  << ::testing::PrintToString(problems);
    if (!problems.empty()) break;
  }
  EXPECT_GT(acks.size(), 0u) << "no append was acknowledged in any round";
}

}  // namespace
}  // namespace mailvault::testing
