// account_logs: the replays of the hash-chained account logs
// (common/crypto/account_log.h) that the CLI runs on what the vault
// serves. The first byte picks:
//  - a key log built from a script of registrations and revocations,
//    signed with deterministic keys, optionally with one byte flipped: an
//    honest log replays to exactly the keys the script left active, and a
//    flipped byte in any entry but the last breaks the chain;
//  - a disclosure log built from the input's values: it replays to them;
//  - raw entries (u16-length-prefixed) through every replay and the entry
//    codec, which must re-encode what it decodes.
#include <sodium.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "common/crypto/account_log.h"
#include "common/crypto/key_statements.h"
#include "common/crypto/keys.h"
#include "common/crypto/sodium_init.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

constexpr std::string_view kAccount = "alice@example.org";

// Key pair number n, the same on every run.
const SigningKeyPair& SigningKey(uint32_t n) {
  static std::map<uint32_t, SigningKeyPair> cache;  // a map: references stay valid
  auto it = cache.find(n);
  if (it != cache.end()) return it->second;
  EnsureSodiumInitialized();
  unsigned char seed[crypto_sign_SEEDBYTES] = {};
  std::memcpy(seed, &n, sizeof n);
  SigningKeyPair pair{std::string(crypto_sign_PUBLICKEYBYTES, '\0'),
                      SecretBytes(crypto_sign_SECRETKEYBYTES)};
  crypto_sign_seed_keypair(reinterpret_cast<unsigned char*>(pair.public_key.data()),
                           pair.secret_key.data(), seed);
  return cache.emplace(n, std::move(pair)).first->second;
}

std::string EncryptionKey(uint32_t n) {
  std::string key(32, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                     reinterpret_cast<const unsigned char*>(&n), sizeof n, nullptr, 0);
  return key;
}

struct ModelKey {
  std::string public_key;
  bool encryption = false;
  bool active = true;
  uint32_t signing_number = 0;  // signing keys: which SigningKey(n)
};

std::string CheckKeyLog(FuzzInput& in) {
  std::vector<std::string> entries;
  std::vector<ModelKey> keys = {{EncryptionKey(0), true, true, 0}, {SigningKey(0).public_key, false, true, 0}};
  int64_t time = 1700000000;
  entries.push_back(EncodeLogEntry(NextLogEntry(LogKind::kKeys, "", time, 1,
                                                EnrollPayload(keys[0].public_key, keys[1].public_key))));
  uint32_t next_number = 1;
  std::optional<uint32_t> flip;
  while (!in.empty() && entries.size() < 40) {
    const uint8_t op = in.Byte();
    time += in.Byte();
    std::vector<size_t> signers;
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!keys[i].encryption && keys[i].active) signers.push_back(i);
    }
    if (signers.empty()) break;
    const ModelKey& signer_key = keys[signers[in.Byte() % signers.size()]];
    const SigningKeyPair& signer = SigningKey(signer_key.signing_number);
    std::string payload;
    uint8_t type = 0;
    if (op % 4 == 0 || op % 4 == 1) {
      const bool encryption = op % 4 == 0;
      const uint32_t number = next_number++;
      ModelKey key{encryption ? EncryptionKey(number) : SigningKey(number).public_key, encryption,
                   true, number};
      const uint8_t kind = encryption ? kStatementEncryptionKey : kStatementSigningKey;
      payload = RegisterPayload(kind, key.public_key, signer.id(),
                                signer.Sign(KeyRegisterStatement(kAccount, kind, key.public_key)));
      type = static_cast<uint8_t>(KeyLogType::kRegister);
      keys.push_back(key);
    } else if (op % 4 == 2) {
      std::vector<size_t> active;
      for (size_t i = 0; i < keys.size(); ++i) {
        if (keys[i].active) active.push_back(i);
      }
      ModelKey& victim = keys[active[in.Byte() % active.size()]];
      const KeyId id = KeyIdOf(victim.public_key);
      payload = RevokePayload(id, signer.id(), signer.Sign(KeyRevokeStatement(kAccount, id)));
      type = static_cast<uint8_t>(KeyLogType::kRevoke);
      victim.active = false;
    } else {
      flip = in.U32();
      continue;
    }
    entries.push_back(
        EncodeLogEntry(NextLogEntry(LogKind::kKeys, entries.back(), time, type, std::move(payload))));
  }

  if (flip && entries.size() > 1) {
    const size_t which = *flip % (entries.size() - 1);  // never the last: see above
    std::string& entry = entries[which];
    entry[(*flip >> 8) % entry.size()] ^= 0x01;
    if (ReplayKeyLog(kAccount, entries).ok()) {
      return "a flipped bit in entry " + std::to_string(which) + " went unnoticed";
    }
    return "";
  }
  Result<KeyLogState> state = ReplayKeyLog(kAccount, entries);
  if (!state.ok()) return "an honest key log was refused: " + state.status().message();
  if (state->head_hash != LogEntryHash(entries.back())) return "head hash is not the last entry's";
  if (state->entry_hashes.size() != entries.size()) return "one hash per entry";
  for (const ModelKey& key : keys) {
    const LoggedKey* logged = state->Find(KeyIdOf(key.public_key));
    if (logged == nullptr) return "a registered key is missing";
    if (logged->active != key.active || logged->encryption != key.encryption) {
      return "a key's state differs from the script";
    }
  }
  // Replaying any prefix works too (a vault may serve an older head).
  const std::vector<std::string> prefix(entries.begin(), entries.begin() + (entries.size() + 1) / 2);
  if (!ReplayKeyLog(kAccount, prefix).ok()) return "a prefix of an honest log was refused";
  return "";
}

std::string CheckDisclosureLog(FuzzInput& in) {
  std::vector<std::string> entries;
  std::vector<Disclosure> written;
  int64_t time = 1700000000;
  while (!in.empty() && entries.size() < 20) {
    Disclosure d;
    d.region = std::string(in.Bytes(16));
    d.order = std::string(in.Bytes(64));
    d.embargo_until = in.U32();
    d.manifest_hash = std::string(32, static_cast<char>(in.Byte()));
    d.messages = in.U32();
    time += in.Byte();
    const std::string previous = entries.empty() ? "" : entries.back();
    LogEntry entry = NextLogEntry(LogKind::kDisclosure, previous, time,
                                  static_cast<uint8_t>(DisclosureLogType::kDisclosed),
                                  DisclosedPayload(d));
    d.seq = entry.seq;
    d.time = entry.time;
    entries.push_back(EncodeLogEntry(entry));
    written.push_back(d);
  }
  Result<std::vector<Disclosure>> replayed = ReplayDisclosureLog(entries);
  if (!replayed.ok()) return "an honest disclosure log was refused: " + replayed.status().message();
  if (replayed->size() != written.size()) return "disclosures lost";
  for (size_t i = 0; i < written.size(); ++i) {
    const Disclosure& a = written[i];
    const Disclosure& b = (*replayed)[i];
    if (a.region != b.region || a.order != b.order || a.embargo_until != b.embargo_until ||
        a.manifest_hash != b.manifest_hash || a.messages != b.messages || a.seq != b.seq ||
        a.time != b.time) {
      return "disclosure " + std::to_string(i) + " does not round-trip";
    }
  }
  return "";
}

std::string CheckRawEntries(FuzzInput& in) {
  std::vector<std::string> entries;
  while (!in.empty() && entries.size() < 64) {
    const size_t size = (size_t{in.Byte()} << 8) | in.Byte();
    std::string entry;
    for (size_t i = 0; i < size && !in.empty(); ++i) entry.push_back(static_cast<char>(in.Byte()));
    Result<LogEntry> decoded = DecodeLogEntry(entry);
    if (decoded.ok() && EncodeLogEntry(*decoded) != entry) {
      return "a log entry does not re-encode to its bytes";
    }
    if (decoded.ok() && decoded->log == LogKind::kDisclosure) (void)DecodeDisclosure(*decoded);
    entries.push_back(std::move(entry));
  }
  Result<KeyLogState> keys = ReplayKeyLog(kAccount, entries);
  (void)ReplayDisclosureLog(entries);
  (void)ReplayPlacementLog(kAccount, entries, keys.ok() ? *keys : KeyLogState{});
  if (keys.ok() && keys->entry_hashes.size() != entries.size()) return "one hash per entry";
  return "";
}

}  // namespace

std::string CheckAccountLogs(std::string_view input) {
  FuzzInput in(input);
  switch (in.Byte() % 3) {
    case 0: return CheckKeyLog(in);
    case 1: return CheckDisclosureLog(in);
    default: return CheckRawEntries(in);
  }
}

}  // namespace mailvault::fuzz
