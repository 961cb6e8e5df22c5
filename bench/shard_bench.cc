// RegionShard throughput with durable acknowledgement (every Append returns
// after its batch is in the fsync'd WAL), and body fetches by uid.
//
//   BM_ShardAppend                 one writer: bound by one fsync per append
//   BM_ShardAppend/threads:8       eight writers, each on its own account, so
//                                  their batches share RocksDB group commit
//   BM_ShardFetchBody              GetMessage + FetchBody of a random uid among
//                                  1000, read from blob files (warm page cache)
//
// Messages are 10 KiB of plaintext sealed once with the real format; each
// append reuses the sealed bytes under a fresh blob id (the shard does not
// open what it stores, so this measures storage, not sealing).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <random>
#include <string>

#include "common/crypto/keys.h"
#include "common/crypto/sealed_message.h"
#include "storage/region_shard.h"

namespace mailvault {
namespace {

constexpr size_t kPlaintextSize = 10 * 1024;
constexpr uint32_t kFetchMessages = 1000;

// One shard for the whole run, in a temporary directory removed at exit.
class BenchShard {
 public:
  BenchShard() {
    std::string pattern = "/tmp/mailvault-shard-bench-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) abort();
    dir_ = pattern;
    Reopen();
    // Only the public key is kept: this object lives until exit, and secret
    // key memory must not (common's per-thread secret buffer cache is
    // destroyed before objects with static storage duration).
    public_key_ = DeviceKeys::Generate().encryption.public_key;

    BlobId blob_id = RandomBlobId();
    Result<SealedMessage> sealed =
        SealMessage("bench@example.org", blob_id, std::string(kPlaintextSize, 'm'),
                    MessageSummary{}, std::vector<std::string>{public_key_});
    if (!sealed.ok()) abort();
    message_.mailbox = "INBOX";
    message_.sealed_body = std::move(sealed->body);
    message_.sealed_summary = std::move(sealed->summary);
    message_.wraps = std::move(sealed->wraps);
  }
  ~BenchShard() {
    shard_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // Closing and opening replays the WAL into SST and blob files, so that
  // reads afterwards come from files (in the page cache), not memtables.
  void Reopen() {
    shard_.reset();
    ShardOptions options;
    options.path = dir_ + "/shard";
    options.region = "eu";
    Result<std::unique_ptr<RegionShard>> shard = RegionShard::Open(options);
    if (!shard.ok()) abort();
    shard_ = std::move(shard).value();
  }

  RegionShard& shard() { return *shard_; }
  size_t sealed_size() const { return message_.sealed_body.size(); }

  // A new account with the bench key registered; one per benchmark thread.
  std::string NewAccount() {
    static std::atomic<int> counter{0};
    std::string account = "bench" + std::to_string(counter++) + "@example.org";
    if (!shard_->CreateAccount(account, "eu").ok() ||
        !shard_->RegisterPublicKey(account, PublicKeyKind::kEncryption, public_key_).ok()) {
      abort();
    }
    return account;
  }

  AppendRequest NextMessage() const {
    AppendRequest request = message_;
    request.blob_id = RandomBlobId();
    return request;
  }

 private:
  std::string dir_;
  std::unique_ptr<RegionShard> shard_;
  std::string public_key_;
  AppendRequest message_;
};

BenchShard& Shared() {
  static BenchShard shard;
  return shard;
}

void BM_ShardAppend(benchmark::State& state) {
  BenchShard& bench = Shared();
  const std::string account = bench.NewAccount();
  for (auto _ : state) {
    Result<AppendResult> appended = bench.shard().Append(account, bench.NextMessage());
    if (!appended.ok()) {
      state.SkipWithError(appended.status().ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * bench.sealed_size());
}
BENCHMARK(BM_ShardAppend)->UseRealTime();
BENCHMARK(BM_ShardAppend)->Threads(8)->UseRealTime();

void BM_ShardFetchBody(benchmark::State& state) {
  BenchShard& bench = Shared();
  static const std::string account = [&bench] {
    std::string name = bench.NewAccount();
    for (uint32_t i = 0; i < kFetchMessages; ++i) {
      if (!bench.shard().Append(name, bench.NextMessage()).ok()) abort();
    }
    bench.Reopen();
    return name;
  }();
  std::mt19937 random(42);
  std::uniform_int_distribution<uint32_t> uids(1, kFetchMessages);
  size_t bytes = 0;
  for (auto _ : state) {
    Result<MessageEntry> entry = bench.shard().GetMessage(account, "INBOX", uids(random));
    if (!entry.ok()) {
      state.SkipWithError(entry.status().ToString().c_str());
      break;
    }
    Result<std::string> body = bench.shard().FetchBody(account, entry->blob_id);
    if (!body.ok()) {
      state.SkipWithError(body.status().ToString().c_str());
      break;
    }
    bytes += body->size();
    benchmark::DoNotOptimize(body->data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_ShardFetchBody);

}  // namespace
}  // namespace mailvault

BENCHMARK_MAIN();
