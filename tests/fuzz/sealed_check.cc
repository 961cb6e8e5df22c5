// sealed: the vault's binary formats (common/crypto), chosen by the first
// byte: a sealed upload as a client sends it, the sealed body opened
// whole and streamed in pieces (after sealing the input, so the opener's
// paths past authentication are reached), raw bytes as a sealed body, and
// the key file (its payload encrypted here under a cheap KDF, so that the
// decoder behind the AEAD is reached too).
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "common/big_endian.h"
#include "common/crypto/key_file.h"
#include "common/crypto/keys.h"
#include "common/crypto/message_opener.h"
#include "common/crypto/sealed_message.h"
#include "common/crypto/sealed_upload.h"
#include "common/crypto/sodium_init.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

constexpr std::string_view kAccount = "alice@example.org";
constexpr std::string_view kPassphrase = "fuzz";

const EncryptionKeyPair& Keys() {
  static const EncryptionKeyPair keys = [] {
    EnsureSodiumInitialized();
    return EncryptionKeyPair::Generate();
  }();
  return keys;
}

BlobId FixedBlob() { return *BlobId::FromBytes(std::string(16, '\x42')); }

// A structurally valid upload is exactly its own encoding.
std::string CheckUpload(std::string_view bytes) {
  Result<SealedMessage> upload = ParseSealedUpload(bytes, kAccount);
  if (!upload.ok()) return "";
  if (upload->wraps.empty() || upload->wraps.size() > kMaxUploadWraps) return "wrap count";
  if (!CheckSealedBody(upload->body, {std::string(kAccount), upload->blob_id}).ok()) {
    return "upload accepted with a body CheckSealedBody refuses";
  }
  if (EncodeSealedUpload(*upload) != bytes) return "upload does not re-encode to its bytes";
  return "";
}

// Sealing then opening gives the plaintext back, whole or streamed in any
// pieces; one flipped byte anywhere, or a cut, makes opening fail.
std::string CheckSealOpen(FuzzInput& in) {
  const uint32_t flip = in.U32();
  const std::string_view plaintext = in.Rest();
  const std::string keys[] = {Keys().public_key};
  Result<SealedMessage> sealed = SealMessage(kAccount, FixedBlob(), plaintext, {}, keys);
  if (!sealed.ok()) return "sealing failed: " + sealed.status().message();
  Result<SecretBytes> data_key = UnwrapFor(sealed->wraps, Keys());
  if (!data_key.ok()) return "unwrap failed";
  const SealBinding binding{std::string(kAccount), FixedBlob()};
  Result<std::string> opened = OpenBody(sealed->body, *data_key, binding);
  if (!opened.ok() || *opened != plaintext) return "open(seal(x)) != x";

  std::string streamed;
  StringSink sink(streamed);
  MessageOpener opener(*data_key, binding, sink);
  std::string_view body = sealed->body;
  const std::vector<size_t> chunks = SplitsFor(plaintext);
  for (size_t i = 0; !body.empty(); ++i) {
    const size_t take = std::min(body.size(), chunks[i % chunks.size()] * 97);
    if (!opener.Write(body.substr(0, take)).ok()) return "streamed open failed";
    body.remove_prefix(take);
  }
  if (!opener.Finish().ok() || streamed != plaintext) return "streamed open differs";

  Result<SealedMessage> upload = ParseSealedUpload(EncodeSealedUpload(*sealed), kAccount);
  if (!upload.ok()) return "a sealed message is not a valid upload: " + upload.status().message();

  std::string tampered = sealed->body;
  tampered[flip % tampered.size()] ^= static_cast<char>(1 + (flip >> 24) % 255);
  if (OpenBody(tampered, *data_key, binding).ok()) return "a flipped byte went unnoticed";
  if (OpenBody(std::string_view(sealed->body).substr(0, flip % sealed->body.size()), *data_key,
               binding)
          .ok()) {
    return "a cut body opened";
  }
  return "";
}

// Random bytes never open, and nothing of them reaches the sink.
std::string CheckRawBody(std::string_view bytes) {
  static const SecretBytes key = [] {
    SecretBytes k(32);
    std::memset(k.data(), 7, k.size());
    return k;
  }();
  std::string out;
  StringSink sink(out);
  MessageOpener opener(key, {std::string(kAccount), FixedBlob()}, sink);
  const Status written = opener.Write(bytes);
  const Status finished = written.ok() ? opener.Finish() : written;
  if (finished.ok()) return "random bytes opened as a sealed body";
  if (!out.empty()) return "unauthenticated bytes reached the sink";
  return "";
}

// The key file: its header as a CLI reads it, and a payload of the
// fuzzer's choosing under a valid header and tag.
std::string CheckKeyFile(FuzzInput& in) {
  const uint8_t mode = in.Byte();
  const std::string_view rest = in.Rest();
  if (mode & 1) {
    (void)KeyFileLimits(rest);
    // Only cheap KDF limits: the fuzzer must not spend its time in Argon2id.
    ByteReader header(rest.substr(std::min<size_t>(rest.size(), 8)));
    uint64_t ops = 0, mem = 0;
    if (header.Read(ops) && header.Read(mem) && ops <= 1 && mem <= 8192) {
      (void)DecryptKeyFile(rest, kPassphrase);
    }
    return "";
  }
  std::string file = "MVKEYS";
  file.push_back(1);  // version
  file.push_back(1);  // Argon2id
  AppendBigEndian<uint64_t>(file, crypto_pwhash_OPSLIMIT_MIN);
  AppendBigEndian<uint64_t>(file, crypto_pwhash_MEMLIMIT_MIN);
  file.append(16, 's');  // salt
  file.append(24, 'n');  // nonce
  static const std::string key = [&file] {
    std::string k(crypto_aead_xchacha20poly1305_ietf_KEYBYTES, '\0');
    if (crypto_pwhash(reinterpret_cast<unsigned char*>(k.data()), k.size(), kPassphrase.data(),
                      kPassphrase.size(), reinterpret_cast<const unsigned char*>(file.data() + 24),
                      crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
      std::abort();
    }
    return k;
  }();
  const size_t header_size = file.size();
  file.resize(header_size + rest.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  auto* bytes = reinterpret_cast<unsigned char*>(file.data());
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      bytes + header_size, nullptr, reinterpret_cast<const unsigned char*>(rest.data()),
      rest.size(), bytes, header_size, nullptr, bytes + header_size - 24,
      reinterpret_cast<const unsigned char*>(key.data()));
  Result<KeyFileContents> contents = DecryptKeyFile(file, kPassphrase);
  if (!contents.ok()) {
    return contents.code() == ErrorCode::kWrongPassphrase ? "a valid tag was refused" : "";
  }
  // What decodes re-encrypts to a file that decodes the same.
  Result<std::string> again = EncryptKeyFile(
      *contents, "other", {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN});
  if (!again.ok()) return "decoded contents do not re-encrypt: " + again.status().message();
  Result<KeyFileContents> back = DecryptKeyFile(*again, "other");
  if (!back.ok() || back->account_id != contents->account_id ||
      back->keys.size() != contents->keys.size() || back->attachment != contents->attachment) {
    return "key file round trip changed the contents";
  }
  for (size_t i = 0; i < back->keys.size(); ++i) {
    if (back->keys[i].encryption.public_key != contents->keys[i].encryption.public_key ||
        back->keys[i].created_at != contents->keys[i].created_at) {
      return "key file round trip changed a key";
    }
  }
  return "";
}

}  // namespace

std::string CheckSealed(std::string_view input) {
  FuzzInput in(input);
  switch (in.Byte() % 4) {
    case 0: return CheckUpload(in.Rest());
    case 1: return CheckSealOpen(in);
    case 2: return CheckRawBody(in.Rest());
    default: return CheckKeyFile(in);
  }
}

}  // namespace mailvault::fuzz
