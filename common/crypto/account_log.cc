#include "common/crypto/account_log.h"

#include <sodium.h>

#include <algorithm>

#include "common/big_endian.h"
#include "common/crypto/hash.h"
#include "common/crypto/key_statements.h"
#include "common/crypto/keys.h"

namespace mailvault {
namespace {

constexpr uint8_t kLogVersion = 1;

Status Broken(uint64_t seq, const std::string& why, std::string_view log = "key") {
  return Status(ErrorCode::kTampered,
                std::string(log) + " log entry " + std::to_string(seq) + ": " + why);
}

// The chain itself: seq, log kind and each entry's link to the previous.
// Returns the decoded entries and their hashes.
Status CheckChain(LogKind kind, const std::vector<std::string>& entries,
                  std::vector<LogEntry>& decoded, std::vector<std::string>& hashes,
                  std::string_view name) {
  std::string previous_hash(kLogHashSize, '\0');
  for (uint64_t seq = 0; seq < entries.size(); ++seq) {
    auto entry = DecodeLogEntry(entries[seq]);
    if (!entry.ok()) return Broken(seq, entry.status().message(), name);
    if (entry->log != kind || entry->seq != seq) return Broken(seq, "out of sequence", name);
    if (entry->prev_hash != previous_hash) {
      return Broken(seq, "does not follow the previous entry (the chain is broken)", name);
    }
    // Times never go back: a key's "active at" and a consent's age are read
    // from them, so an entry dated before its predecessor is a lie.
    if (!decoded.empty() && entry->time < decoded.back().time) {
      return Broken(seq, "dated before the entry it follows", name);
    }
    previous_hash = LogEntryHash(entries[seq]);
    hashes.push_back(previous_hash);
    decoded.push_back(std::move(entry).value());
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeLogEntry(const LogEntry& entry) {
  std::string out;
  out.push_back(static_cast<char>(kLogVersion));
  out.push_back(static_cast<char>(entry.log));
  AppendBigEndian<uint64_t>(out, entry.seq);
  out += entry.prev_hash;
  AppendBigEndian<uint64_t>(out, static_cast<uint64_t>(entry.time));
  out.push_back(static_cast<char>(entry.type));
  AppendLengthPrefixed(out, entry.payload);
  return out;
}

Result<LogEntry> DecodeLogEntry(std::string_view bytes) {
  ByteReader reader(bytes);
  uint8_t version = 0, log = 0;
  uint64_t time = 0;
  std::string_view prev, payload;
  LogEntry entry;
  if (!reader.Read(version) || version != kLogVersion) {
    return Result<LogEntry>(ErrorCode::kUnknownVersion, "log entry version unknown");
  }
  reader.Read(log);
  reader.Read(entry.seq);
  reader.ReadBytes(kLogHashSize, prev);
  reader.Read(time);
  reader.Read(entry.type);
  reader.ReadLengthPrefixed(payload);
  if (!reader.ok() || !reader.empty()) {
    return Result<LogEntry>(ErrorCode::kMalformed, "log entry does not parse");
  }
  entry.log = static_cast<LogKind>(log);
  entry.prev_hash = std::string(prev);
  entry.time = static_cast<int64_t>(time);
  entry.payload = std::string(payload);
  return entry;
}

std::string LogEntryHash(std::string_view encoded) { return Blake2b256(encoded); }

LogEntry NextLogEntry(LogKind log, std::string_view previous_encoded, int64_t time, uint8_t type,
                      std::string payload) {
  LogEntry entry;
  entry.log = log;
  entry.time = time;
  entry.type = type;
  entry.payload = std::move(payload);
  if (previous_encoded.empty()) {
    entry.prev_hash = std::string(kLogHashSize, '\0');
  } else {
    entry.prev_hash = LogEntryHash(previous_encoded);
    auto previous = DecodeLogEntry(previous_encoded);
    entry.seq = previous.ok() ? previous->seq + 1 : 0;
    // A replay refuses times that go back: a clock stepped back (NTP, or
    // another node after a move) dates the entry as its predecessor.
    if (previous.ok()) entry.time = std::max(entry.time, previous->time);
  }
  return entry;
}

std::string EnrollPayload(std::string_view encryption_key, std::string_view signing_key) {
  return std::string(encryption_key) + std::string(signing_key);
}

std::string RegisterPayload(uint8_t kind, std::string_view public_key, const KeyId& signer,
                            std::string_view signature) {
  std::string out(1, static_cast<char>(kind));
  out += public_key;
  out += signer.view();
  out += signature;
  return out;
}

std::string RevokePayload(const KeyId& key_id, const KeyId& signer, std::string_view signature) {
  return std::string(key_id.view()) + std::string(signer.view()) + std::string(signature);
}

std::vector<std::string> KeyLogState::ActiveEncryptionKeys() const {
  std::vector<std::string> out;
  for (const LoggedKey& key : keys) {
    if (key.encryption && key.active) out.push_back(key.public_key);
  }
  return out;
}

const LoggedKey* KeyLogState::Find(const KeyId& id) const {
  for (const LoggedKey& key : keys) {
    if (key.id == id) return &key;
  }
  return nullptr;
}

Result<KeyLogState> ReplayKeyLog(std::string_view account_id,
                                 const std::vector<std::string>& entries) {
  KeyLogState state;
  std::vector<LogEntry> decoded;
  MV_RETURN_IF_ERROR(CheckChain(LogKind::kKeys, entries, decoded, state.entry_hashes, "key"));
  for (uint64_t seq = 0; seq < decoded.size(); ++seq) {
    const LogEntry* entry = &decoded[seq];
    const std::string& p = entry->payload;
    const auto type = static_cast<KeyLogType>(entry->type);
    KeyEvent event{seq, entry->time, type, {}, false, {}};

    // The signing key active now that signed `statement`, or an error.
    auto check_signer = [&](std::string_view signer_bytes, std::string_view statement,
                            std::string_view signature) -> Status {
      const auto signer = KeyId::FromBytes(signer_bytes);
      const LoggedKey* key = signer ? state.Find(*signer) : nullptr;
      if (key == nullptr || key->encryption || !key->active) {
        return Broken(seq, "signed by a key that was not an active signing key of the account");
      }
      if (!VerifySignature(key->public_key, statement, signature)) {
        return Broken(seq, "the signature does not verify");
      }
      event.signer = *signer;
      return Status::Ok();
    };

    if (type == KeyLogType::kEnroll) {
      if (seq != 0 || p.size() != 64) return Broken(seq, "an enrollment that is not the first entry");
      for (int i = 0; i < 2; ++i) {
        LoggedKey key{KeyIdOf(p.substr(32 * i, 32)), i == 0, p.substr(32 * i, 32), true,
                      entry->time, 0, {}};
        state.keys.push_back(key);
        event.key = key.id;
        event.encryption = key.encryption;
        state.events.push_back(event);
      }
      continue;
    }
    if (seq == 0) return Broken(seq, "the log does not start with the enrollment");
    if (type == KeyLogType::kRegister) {
      if (p.size() != 1 + 32 + 16 + 64 || (p[0] != 1 && p[0] != 2)) {
        return Broken(seq, "malformed registration");
      }
      const uint8_t kind = static_cast<uint8_t>(p[0]);
      const std::string public_key = p.substr(1, 32);
      MV_RETURN_IF_ERROR(check_signer(p.substr(33, 16),
                                      KeyRegisterStatement(account_id, kind, public_key),
                                      p.substr(49, 64)));
      if (state.Find(KeyIdOf(public_key)) != nullptr) return Broken(seq, "a key registered twice");
      state.keys.push_back({KeyIdOf(public_key), kind == kStatementEncryptionKey, public_key, true,
                            entry->time, 0, event.signer});
      event.key = KeyIdOf(public_key);
      event.encryption = kind == kStatementEncryptionKey;
    } else if (type == KeyLogType::kRevoke) {
      if (p.size() != 16 + 16 + 64) return Broken(seq, "malformed revocation");
      const KeyId key_id = *KeyId::FromBytes(p.substr(0, 16));
      MV_RETURN_IF_ERROR(check_signer(p.substr(16, 16), KeyRevokeStatement(account_id, key_id),
                                      p.substr(32, 64)));
      auto key = std::find_if(state.keys.begin(), state.keys.end(),
                              [&](const LoggedKey& k) { return k.id == key_id; });
      if (key == state.keys.end()) return Broken(seq, "revokes a key that was never registered");
      key->active = false;
      key->revoked_at = entry->time;
      event.key = key_id;
      event.encryption = key->encryption;
    } else {
      return Broken(seq, "unknown entry type " + std::to_string(entry->type));
    }
    state.events.push_back(event);
  }
  state.head_hash = state.entry_hashes.empty() ? "" : state.entry_hashes.back();
  return state;
}

bool SignedWhileActive(const LoggedKey& key, uint64_t issued_at) {
  const int64_t at = static_cast<int64_t>(issued_at);
  return !key.encryption && key.since <= at + static_cast<int64_t>(kMoveConsentClockSkew) &&
         (key.active || key.revoked_at > at);
}

std::string CreatedPayload(std::string_view region) { return std::string(region); }

std::string MovedPayload(std::string_view from_region, const MoveConsent& consent) {
  std::string out;
  AppendLengthPrefixed(out, from_region);
  AppendLengthPrefixed(out, consent.to_region);
  out += consent.nonce;
  AppendBigEndian<uint64_t>(out, consent.issued_at);
  out += consent.signer.view();
  out += consent.signature;
  return out;
}

Result<PlacementLogState> ReplayPlacementLog(std::string_view account_id,
                                             const std::vector<std::string>& entries,
                                             const KeyLogState& keys) {
  PlacementLogState state;
  std::vector<LogEntry> decoded;
  std::vector<std::string> hashes;
  MV_RETURN_IF_ERROR(CheckChain(LogKind::kPlacement, entries, decoded, hashes, "placement"));
  for (uint64_t seq = 0; seq < decoded.size(); ++seq) {
    const LogEntry& entry = decoded[seq];
    const auto type = static_cast<PlacementLogType>(entry.type);
    if (type == PlacementLogType::kCreated) {
      if (seq != 0) return Broken(seq, "a creation that is not the first entry", "placement");
      state.region = entry.payload;
      continue;
    }
    if (seq == 0 || type != PlacementLogType::kMoved) {
      return Broken(seq, "the log does not start with the creation", "placement");
    }
    ByteReader reader(entry.payload);
    std::string_view from, to, nonce, signer, signature;
    uint64_t issued_at = 0;
    reader.ReadLengthPrefixed(from);
    reader.ReadLengthPrefixed(to);
    reader.ReadBytes(16, nonce);
    reader.Read(issued_at);
    reader.ReadBytes(16, signer);
    reader.ReadBytes(64, signature);
    if (!reader.ok() || !reader.empty()) return Broken(seq, "malformed move", "placement");
    if (from != state.region) return Broken(seq, "moves from a region the account was not in", "placement");
    const LoggedKey* key = keys.Find(*KeyId::FromBytes(signer));
    if (key == nullptr || key->encryption || !key->ActiveAt(entry.time) ||
        !SignedWhileActive(*key, issued_at) ||
        !VerifySignature(key->public_key, MoveConsentStatement(account_id, to, nonce, issued_at),
                         signature)) {
      return Broken(seq, "a move without the customer's signed consent", "placement");
    }
    // The vault takes a consent only while it is fresh (CheckMoveConsent);
    // the log must show the move made within that time.
    const int64_t age = entry.time - static_cast<int64_t>(issued_at);
    if (age < -static_cast<int64_t>(kMoveConsentClockSkew) ||
        age > static_cast<int64_t>(kMoveConsentMaxAge)) {
      return Broken(seq, "a move made on a consent too old (or not yet issued)", "placement");
    }
    if (std::find(state.nonces.begin(), state.nonces.end(), nonce) != state.nonces.end()) {
      return Broken(seq, "a consent used twice", "placement");
    }
    state.nonces.emplace_back(nonce);
    state.moves.push_back({seq, entry.time, std::string(from), std::string(to), *KeyId::FromBytes(signer)});
    state.region = std::string(to);
  }
  return state;
}

std::string DisclosedPayload(const Disclosure& disclosure) {
  std::string out;
  AppendLengthPrefixed(out, disclosure.region);
  AppendLengthPrefixed(out, disclosure.order);
  AppendBigEndian<uint64_t>(out, disclosure.embargo_until);
  out += disclosure.manifest_hash;
  AppendBigEndian<uint64_t>(out, disclosure.messages);
  return out;
}

Result<Disclosure> DecodeDisclosure(const LogEntry& entry) {
  ByteReader reader(entry.payload);
  std::string_view region, order, hash;
  Disclosure d;
  d.seq = entry.seq;
  d.time = entry.time;
  reader.ReadLengthPrefixed(region);
  reader.ReadLengthPrefixed(order);
  reader.Read(d.embargo_until);
  reader.ReadBytes(kLogHashSize, hash);
  reader.Read(d.messages);
  if (entry.type != static_cast<uint8_t>(DisclosureLogType::kDisclosed) || !reader.ok() ||
      !reader.empty()) {
    return Broken(entry.seq, "malformed disclosure", "disclosure");
  }
  d.region = std::string(region);
  d.order = std::string(order);
  d.manifest_hash = std::string(hash);
  return d;
}

Result<std::vector<Disclosure>> ReplayDisclosureLog(const std::vector<std::string>& entries) {
  std::vector<LogEntry> decoded;
  std::vector<std::string> hashes;
  MV_RETURN_IF_ERROR(CheckChain(LogKind::kDisclosure, entries, decoded, hashes, "disclosure"));
  std::vector<Disclosure> out;
  for (const LogEntry& entry : decoded) {
    MV_ASSIGN_OR_RETURN(Disclosure d, DecodeDisclosure(entry));
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace mailvault
