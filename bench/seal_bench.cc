// Seal and open throughput beside raw crypto_secretstream on the same
// buffers, in the same run. Target (issue 2): sealing 1 MiB at >= 80 % of raw
// secretstream throughput. The sealed path does more work on purpose: Padmé
// padding (up to 12 % more bytes), the header and the length prefix.
#include <benchmark/benchmark.h>
#include <sodium.h>

#include <string>

#include "common/crypto/key_wrap.h"
#include "common/crypto/message_opener.h"
#include "common/crypto/message_sealer.h"
#include "common/crypto/sealed_body_format.h"
#include "common/crypto/sodium_init.h"

namespace mailvault {
namespace {

const SealBinding kBinding{"bench@example.com", BlobId{}};

// sodium_init() picks the fastest ChaCha20 and Poly1305 code for this CPU;
// the raw baselines must run after it too, or they measure the portable code.
std::string Plaintext(size_t size) {
  EnsureSodiumInitialized();
  std::string data(size, '\0');
  randombytes_buf(data.data(), data.size());
  return data;
}

// The baseline: push the buffer through secretstream in 64 KiB chunks, each
// into one reused chunk-sized output buffer, as any streaming user would;
// nothing else (no header, no padding, no copy to a sink).
void BM_RawSecretstreamPush(benchmark::State& state) {
  const std::string plaintext = Plaintext(state.range(0));
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  crypto_secretstream_xchacha20poly1305_keygen(key);
  unsigned char header[crypto_secretstream_xchacha20poly1305_HEADERBYTES];
  std::string out(sealed_body::kChunkSize + sealed_body::kChunkOverhead, '\0');
  for (auto _ : state) {
    crypto_secretstream_xchacha20poly1305_state st;
    crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
    size_t offset = 0;
    do {
      const size_t n = std::min(sealed_body::kChunkSize, plaintext.size() - offset);
      const bool last = offset + n == plaintext.size();
      unsigned long long written = 0;
      crypto_secretstream_xchacha20poly1305_push(
          &st, reinterpret_cast<unsigned char*>(out.data()), &written,
          reinterpret_cast<const unsigned char*>(plaintext.data()) + offset, n, nullptr, 0,
          last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
      benchmark::DoNotOptimize(out.data());
      offset += n;
    } while (offset < plaintext.size());
  }
  state.SetBytesProcessed(state.iterations() * plaintext.size());
}

void BM_Seal(benchmark::State& state) {
  const std::string plaintext = Plaintext(state.range(0));
  const SecretBytes key = GenerateDataKey();
  std::string out;
  out.reserve(SealedBodySize(plaintext.size()));
  for (auto _ : state) {
    out.clear();
    StringSink sink(out);
    auto sealer = MessageSealer::Start(key, kBinding, plaintext.size(), sink);
    if (!sealer.ok() || !(*sealer)->Write(plaintext).ok() || !(*sealer)->Finish().ok()) {
      state.SkipWithError("seal failed");
      break;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * plaintext.size());
}

void BM_RawSecretstreamPull(benchmark::State& state) {
  const std::string plaintext = Plaintext(state.range(0));
  unsigned char key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
  crypto_secretstream_xchacha20poly1305_keygen(key);
  // Seal once, then measure pulls.
  std::string sealed(plaintext.size() + (plaintext.size() / sealed_body::kChunkSize + 1) * 17 + 24,
                     '\0');
  std::vector<size_t> chunk_sizes;
  {
    crypto_secretstream_xchacha20poly1305_state st;
    auto* o = reinterpret_cast<unsigned char*>(sealed.data());
    crypto_secretstream_xchacha20poly1305_init_push(&st, o, key);
    o += crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    size_t offset = 0;
    do {
      const size_t n = std::min(sealed_body::kChunkSize, plaintext.size() - offset);
      unsigned long long written = 0;
      crypto_secretstream_xchacha20poly1305_push(
          &st, o, &written, reinterpret_cast<const unsigned char*>(plaintext.data()) + offset, n,
          nullptr, 0, offset + n == plaintext.size() ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0);
      chunk_sizes.push_back(written);
      o += written;
      offset += n;
    } while (offset < plaintext.size());
  }
  std::string out(sealed_body::kChunkSize, '\0');
  for (auto _ : state) {
    crypto_secretstream_xchacha20poly1305_state st;
    const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
    crypto_secretstream_xchacha20poly1305_init_pull(&st, in, key);
    in += crypto_secretstream_xchacha20poly1305_HEADERBYTES;
    for (size_t n : chunk_sizes) {
      unsigned long long opened = 0;
      unsigned char tag = 0;
      if (crypto_secretstream_xchacha20poly1305_pull(
              &st, reinterpret_cast<unsigned char*>(out.data()), &opened, &tag, in, n, nullptr, 0) !=
          0) {
        state.SkipWithError("pull failed");
      }
      in += n;
    }
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(state.iterations() * plaintext.size());
}

// Opens into a sink that keeps nothing, as a client streaming to a file does.
class DiscardSink final : public ByteSink {
 public:
  Status Append(std::string_view bytes) override {
    benchmark::DoNotOptimize(bytes.data());
    return Status::Ok();
  }
};

void BM_Open(benchmark::State& state) {
  const std::string plaintext = Plaintext(state.range(0));
  const SecretBytes key = GenerateDataKey();
  std::string sealed;
  StringSink sealed_sink(sealed);
  auto sealer = MessageSealer::Start(key, kBinding, plaintext.size(), sealed_sink);
  if (!sealer.ok() || !(*sealer)->Write(plaintext).ok() || !(*sealer)->Finish().ok()) {
    state.SkipWithError("seal failed");
    return;
  }
  DiscardSink sink;
  for (auto _ : state) {
    MessageOpener opener(key, kBinding, sink);
    if (!opener.Write(sealed).ok() || !opener.Finish().ok()) {
      state.SkipWithError("open failed");
      break;
    }
  }
  state.SetBytesProcessed(state.iterations() * plaintext.size());
}

BENCHMARK(BM_RawSecretstreamPush)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_Seal)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_RawSecretstreamPull)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);
BENCHMARK(BM_Open)->Arg(4 << 10)->Arg(64 << 10)->Arg(1 << 20);

}  // namespace
}  // namespace mailvault

BENCHMARK_MAIN();
