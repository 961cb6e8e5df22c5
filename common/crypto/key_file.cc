#include "common/crypto/key_file.h"

#include <sodium.h>

#include <cstring>

#include "common/big_endian.h"
#include "common/crypto/sodium_init.h"

namespace mailvault {
namespace {

constexpr std::string_view kMagic = "MVKEYS";
constexpr uint8_t kVersion = 1;
constexpr uint8_t kKdfArgon2id13 = 1;
constexpr uint8_t kPayloadVersion = 1;
constexpr uint8_t kPayloadVersionWithAttachment = 2;
constexpr size_t kSaltSize = crypto_pwhash_SALTBYTES;                         // 16
constexpr size_t kNonceSize = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;   // 24
constexpr size_t kTagSize = crypto_aead_xchacha20poly1305_ietf_ABYTES;        // 16
constexpr size_t kHeaderSize = 6 + 1 + 1 + 8 + 8 + kSaltSize + kNonceSize;   // 64
constexpr size_t kKeyRecordSize = 8 + 32 + 32 + 32 + 64;
// A file asking for more than this is refused rather than obeyed: a crafted
// key file must not make the CLI allocate without bound.
constexpr uint64_t kMaxMemlimit = uint64_t{4} << 30;
constexpr uint64_t kMaxOpslimit = 64;

// Writes big-endian fields into secret memory without any std::string copy.
class SecretWriter {
 public:
  explicit SecretWriter(SecretBytes& out) : p_(out.data()) {}
  void U8(uint8_t v) { *p_++ = v; }
  void U32(uint32_t v) { BigEndian(v, 4); }
  void U64(uint64_t v) { BigEndian(v, 8); }
  void Bytes(const void* data, size_t n) {
    std::memcpy(p_, data, n);
    p_ += n;
  }

 private:
  void BigEndian(uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) *p_++ = static_cast<unsigned char>(v >> (8 * i));
  }
  unsigned char* p_;
};

SecretBytes EncodePayload(const KeyFileContents& contents) {
  const bool attached = !contents.attachment.empty();
  SecretBytes payload(1 + 4 + contents.account_id.size() + 4 +
                      contents.keys.size() * kKeyRecordSize +
                      (attached ? 4 + contents.attachment.size() : 0));
  SecretWriter w(payload);
  w.U8(attached ? kPayloadVersionWithAttachment : kPayloadVersion);
  w.U32(static_cast<uint32_t>(contents.account_id.size()));
  w.Bytes(contents.account_id.data(), contents.account_id.size());
  w.U32(static_cast<uint32_t>(contents.keys.size()));
  for (const DeviceKeys& k : contents.keys) {
    w.U64(static_cast<uint64_t>(k.created_at));
    w.Bytes(k.encryption.public_key.data(), kEncryptionPublicKeySize);
    w.Bytes(k.encryption.secret_key.data(), kEncryptionSecretKeySize);
    w.Bytes(k.signing.public_key.data(), kSigningPublicKeySize);
    w.Bytes(k.signing.secret_key.data(), kSigningSecretKeySize);
  }
  if (attached) {
    w.U32(static_cast<uint32_t>(contents.attachment.size()));
    w.Bytes(contents.attachment.data(), contents.attachment.size());
  }
  return payload;
}

Result<KeyFileContents> DecodePayload(const SecretBytes& payload) {
  const auto malformed = [] {
    return Result<KeyFileContents>(ErrorCode::kMalformed, "key file contents are malformed");
  };
  ByteReader r(payload.view());
  uint8_t version = 0;
  std::string_view account_id;
  uint32_t count = 0;
  if (!r.Read(version) ||
      (version != kPayloadVersion && version != kPayloadVersionWithAttachment)) {
    return Result<KeyFileContents>(ErrorCode::kUnknownVersion, "key file payload version unknown");
  }
  const bool attached = version == kPayloadVersionWithAttachment;
  if (!r.ReadLengthPrefixed(account_id) || !r.Read(count) ||
      (attached ? r.rest().size() < uint64_t{count} * kKeyRecordSize + 4
                : r.rest().size() != uint64_t{count} * kKeyRecordSize)) {
    return malformed();
  }
  KeyFileContents contents;
  contents.account_id = std::string(account_id);
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t created_at = 0;
    std::string_view enc_pk, enc_sk, sign_pk, sign_sk;
    r.Read(created_at);
    r.ReadBytes(kEncryptionPublicKeySize, enc_pk);
    r.ReadBytes(kEncryptionSecretKeySize, enc_sk);
    r.ReadBytes(kSigningPublicKeySize, sign_pk);
    r.ReadBytes(kSigningSecretKeySize, sign_sk);
    if (!r.ok()) return malformed();
    DeviceKeys keys{{std::string(enc_pk), SecretBytes(kEncryptionSecretKeySize)},
                    {std::string(sign_pk), SecretBytes(kSigningSecretKeySize)},
                    static_cast<int64_t>(created_at)};
    std::memcpy(keys.encryption.secret_key.data(), enc_sk.data(), enc_sk.size());
    std::memcpy(keys.signing.secret_key.data(), sign_sk.data(), sign_sk.size());
    contents.keys.push_back(std::move(keys));
  }
  if (attached) {
    std::string_view attachment;
    if (!r.ReadLengthPrefixed(attachment) || !r.empty() || attachment.empty()) return malformed();
    contents.attachment = std::string(attachment);
  }
  return contents;
}

Result<SecretBytes> DeriveFileKey(std::string_view passphrase, std::string_view salt,
                                  KdfLimits limits) {
  SecretBytes key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(),
                    reinterpret_cast<const unsigned char*>(salt.data()), limits.opslimit,
                    static_cast<size_t>(limits.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Result<SecretBytes>(ErrorCode::kIOError,
                               "Argon2id ran out of memory (memlimit " +
                                   std::to_string(limits.memlimit >> 20) + " MiB)");
  }
  return key;
}

}  // namespace

KdfLimits KdfLimits::Moderate() {
  return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
}

KdfLimits KdfLimits::Interactive() {
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

Result<std::string> EncryptKeyFile(const KeyFileContents& contents, std::string_view passphrase,
                                   KdfLimits limits) {
  EnsureSodiumInitialized();
  if (limits.opslimit < crypto_pwhash_OPSLIMIT_MIN || limits.opslimit > kMaxOpslimit ||
      limits.memlimit < crypto_pwhash_MEMLIMIT_MIN || limits.memlimit > kMaxMemlimit) {
    return Result<std::string>(ErrorCode::kInvalidArgument, "Argon2id limits out of range");
  }
  for (const DeviceKeys& k : contents.keys) {
    if (k.encryption.public_key.size() != kEncryptionPublicKeySize ||
        k.encryption.secret_key.size() != kEncryptionSecretKeySize ||
        k.signing.public_key.size() != kSigningPublicKeySize ||
        k.signing.secret_key.size() != kSigningSecretKeySize) {
      return Result<std::string>(ErrorCode::kInvalidArgument, "a device key has the wrong size");
    }
  }

  std::string file;
  file.append(kMagic);
  file.push_back(static_cast<char>(kVersion));
  file.push_back(static_cast<char>(kKdfArgon2id13));
  AppendBigEndian<uint64_t>(file, limits.opslimit);
  AppendBigEndian<uint64_t>(file, limits.memlimit);
  file.resize(kHeaderSize);  // salt and nonce, filled next
  auto* salt = reinterpret_cast<unsigned char*>(file.data()) + kHeaderSize - kNonceSize - kSaltSize;
  randombytes_buf(salt, kSaltSize + kNonceSize);

  MV_ASSIGN_OR_RETURN(
      SecretBytes key,
      DeriveFileKey(passphrase, std::string_view(reinterpret_cast<char*>(salt), kSaltSize), limits));
  const SecretBytes payload = EncodePayload(contents);
  file.resize(kHeaderSize + payload.size() + kTagSize);
  auto* bytes = reinterpret_cast<unsigned char*>(file.data());
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(bytes + kHeaderSize, &written, payload.data(),
                                             payload.size(), bytes, kHeaderSize, nullptr,
                                             bytes + kHeaderSize - kNonceSize, key.data());
  return file;
}

Result<KeyFileContents> DecryptKeyFile(std::string_view file, std::string_view passphrase) {
  EnsureSodiumInitialized();
  if (file.size() < kMagic.size() + 1 || file.substr(0, kMagic.size()) != kMagic) {
    return Result<KeyFileContents>(ErrorCode::kUnknownVersion, "not a mailvault key file");
  }
  ByteReader r(file.substr(kMagic.size()));
  uint8_t version = 0, kdf = 0;
  KdfLimits limits;
  std::string_view salt, nonce;
  r.Read(version);
  if (version != kVersion) {
    return Result<KeyFileContents>(ErrorCode::kUnknownVersion,
                                   "key file version " + std::to_string(version) + " unknown");
  }
  if (!r.Read(kdf) || !r.Read(limits.opslimit) || !r.Read(limits.memlimit) ||
      !r.ReadBytes(kSaltSize, salt) || !r.ReadBytes(kNonceSize, nonce) ||
      r.rest().size() < kTagSize) {
    return Result<KeyFileContents>(ErrorCode::kTruncated, "key file is truncated");
  }
  if (kdf != kKdfArgon2id13) {
    return Result<KeyFileContents>(ErrorCode::kUnknownVersion, "key file KDF unknown");
  }
  if (limits.opslimit < crypto_pwhash_OPSLIMIT_MIN || limits.opslimit > kMaxOpslimit ||
      limits.memlimit < crypto_pwhash_MEMLIMIT_MIN || limits.memlimit > kMaxMemlimit) {
    return Result<KeyFileContents>(ErrorCode::kMalformed, "key file KDF limits out of range");
  }
  MV_ASSIGN_OR_RETURN(SecretBytes key, DeriveFileKey(passphrase, salt, limits));
  const std::string_view ciphertext = r.rest();
  SecretBytes payload(ciphertext.size() - kTagSize);
  unsigned long long opened = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          payload.data(), &opened, nullptr,
          reinterpret_cast<const unsigned char*>(ciphertext.data()), ciphertext.size(),
          reinterpret_cast<const unsigned char*>(file.data()), kHeaderSize,
          reinterpret_cast<const unsigned char*>(nonce.data()), key.data()) != 0) {
    return Result<KeyFileContents>(ErrorCode::kWrongPassphrase,
                                   "wrong passphrase (or the key file was altered)");
  }
  return DecodePayload(payload);
}

Result<std::string> ChangeKeyFilePassphrase(std::string_view file, std::string_view old_passphrase,
                                            std::string_view new_passphrase) {
  MV_ASSIGN_OR_RETURN(KeyFileContents contents, DecryptKeyFile(file, old_passphrase));
  // The limits are read back from the file, so a passphrase change never
  // weakens them.
  MV_ASSIGN_OR_RETURN(KdfLimits limits, KeyFileLimits(file));
  return EncryptKeyFile(contents, new_passphrase, limits);
}

Result<KdfLimits> KeyFileLimits(std::string_view file) {
  if (file.size() < kMagic.size() + 1 || file.substr(0, kMagic.size()) != kMagic) {
    return Result<KdfLimits>(ErrorCode::kUnknownVersion, "not a mailvault key file");
  }
  KdfLimits limits;
  // The version and KDF bytes are read, not skipped with substr: a file cut
  // right after its magic must be "truncated", not an exception.
  ByteReader r(file.substr(kMagic.size()));
  uint8_t version = 0, kdf = 0;
  if (!r.Read(version) || !r.Read(kdf) || !r.Read(limits.opslimit) || !r.Read(limits.memlimit)) {
    return Result<KdfLimits>(ErrorCode::kTruncated, "key file is truncated");
  }
  return limits;
}

}  // namespace mailvault
