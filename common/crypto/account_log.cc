#include "common/crypto/account_log.h"

#include <sodium.h>

#include <algorithm>

#include "common/big_endian.h"
#include "common/crypto/key_statements.h"
#include "common/crypto/keys.h"

namespace mailvault {
namespace {

constexpr uint8_t kLogVersion = 1;

Status Broken(uint64_t seq, const std::string& why) {
  return Status(ErrorCode::kTampered, "key log entry " + std::to_string(seq) + ": " + why);
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

std::string LogEntryHash(std::string_view encoded) {
  std::string hash(kLogHashSize, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(encoded.data()), encoded.size(),
                     nullptr, 0);
  return hash;
}

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
  std::string previous_hash(kLogHashSize, '\0');
  for (uint64_t seq = 0; seq < entries.size(); ++seq) {
    auto entry = DecodeLogEntry(entries[seq]);
    if (!entry.ok()) return Broken(seq, entry.status().message());
    if (entry->log != LogKind::kKeys || entry->seq != seq) return Broken(seq, "out of sequence");
    if (entry->prev_hash != previous_hash) {
      return Broken(seq, "does not follow the previous entry (the chain is broken)");
    }
    previous_hash = LogEntryHash(entries[seq]);
    state.entry_hashes.push_back(previous_hash);
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
                      entry->time, {}};
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
                            entry->time, event.signer});
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
      event.key = key_id;
      event.encryption = key->encryption;
    } else {
      return Broken(seq, "unknown entry type " + std::to_string(entry->type));
    }
    state.events.push_back(event);
  }
  state.head_hash = entries.empty() ? "" : previous_hash;
  return state;
}

}  // namespace mailvault
