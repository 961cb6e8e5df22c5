// The account's hash-chained logs (docs/FORMAT.md, "Account logs"): the key
// log (every public key registered or revoked), later the placement and
// disclosure logs. The vault appends; the customer's CLI fetches a log and
// checks it here, with the same code the vault uses to decide which keys
// new mail is sealed to.
//
// An entry: version (1) | log (1) | seq (u64) | previous entry's hash (32)
//           | time (i64, unix s) | type (1) | u32 length | payload
// Its hash is BLAKE2b-256 of those bytes; the first entry's previous hash
// is 32 zero bytes, and seq counts from 0 without gaps.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/ids.h"
#include "common/status.h"

namespace mailvault {

enum class LogKind : uint8_t { kKeys = 1, kPlacement = 2, kDisclosure = 3 };

inline constexpr size_t kLogHashSize = 32;

struct LogEntry {
  LogKind log = LogKind::kKeys;
  uint64_t seq = 0;
  std::string prev_hash;  // kLogHashSize bytes
  int64_t time = 0;
  uint8_t type = 0;
  std::string payload;
};

std::string EncodeLogEntry(const LogEntry& entry);
Result<LogEntry> DecodeLogEntry(std::string_view bytes);
// BLAKE2b-256 of the encoded entry.
std::string LogEntryHash(std::string_view encoded);

// The entry that follows `previous_encoded` (empty: the first of its log),
// dated `time` or, if that is earlier, as its predecessor.
LogEntry NextLogEntry(LogKind log, std::string_view previous_encoded, int64_t time, uint8_t type,
                      std::string payload);

// Key log entry types and payloads.
enum class KeyLogType : uint8_t {
  kEnroll = 1,    // encryption key (32) | signing key (32): the enrollment, authorised by the token
  kRegister = 2,  // kind (1: encryption, 2: signing) | key (32) | signer id (16) | signature (64)
  kRevoke = 3,    // key id (16) | signer id (16) | signature (64)
};

std::string EnrollPayload(std::string_view encryption_key, std::string_view signing_key);
std::string RegisterPayload(uint8_t kind, std::string_view public_key, const KeyId& signer,
                            std::string_view signature);
std::string RevokePayload(const KeyId& key_id, const KeyId& signer, std::string_view signature);

// One key as the replay of the key log leaves it.
struct LoggedKey {
  KeyId id;
  bool encryption = false;
  std::string public_key;
  bool active = true;
  int64_t since = 0;
  int64_t revoked_at = 0;  // when !active
  KeyId signer;  // zero for the enrollment's keys

  // Whether the key was registered and not yet revoked at `time`.
  bool ActiveAt(int64_t time) const { return since <= time && (active || revoked_at > time); }
};

// A key change, for `mailvault verify` to show.
struct KeyEvent {
  uint64_t seq = 0;
  int64_t time = 0;
  KeyLogType type = KeyLogType::kEnroll;
  KeyId key;
  bool encryption = false;
  KeyId signer;
};

struct KeyLogState {
  std::vector<LoggedKey> keys;
  std::vector<KeyEvent> events;
  std::string head_hash;  // hash of the last entry (empty for an empty log)
  std::vector<std::string> entry_hashes;

  std::vector<std::string> ActiveEncryptionKeys() const;
  const LoggedKey* Find(const KeyId& id) const;
};

// Checks the chain (seq, previous hashes) and every statement: the first
// entry is the enrollment, each later registration and revocation must be
// signed by a signing key active at that point, over exactly the bytes
// XKEY REGISTER / REVOKE sign. kTampered naming the entry on any failure.
Result<KeyLogState> ReplayKeyLog(std::string_view account_id,
                                 const std::vector<std::string>& entries);

// Placement log entry types and payloads.
enum class PlacementLogType : uint8_t {
  kCreated = 1,  // region (the rest of the payload)
  kMoved = 2,    // u32 len | from | u32 len | to | nonce (16) | issued at (u64) | signer (16) | signature (64)
};

struct MoveConsent {
  std::string account;
  std::string to_region;
  std::string nonce;  // 16 bytes
  uint64_t issued_at = 0;
  KeyId signer;
  std::string signature;  // 64 bytes, over MoveConsentStatement
};

// A consent is good for a move within 30 days of being issued, allowing
// five minutes of clock difference between the device and the vault.
inline constexpr uint64_t kMoveConsentMaxAge = 30 * 24 * 3600;
inline constexpr uint64_t kMoveConsentClockSkew = 300;

// Whether `key` may have signed a consent issued at `issued_at`: a signing
// key registered by then (allowing the clock skew: the device dates the
// consent, the vault the key) and not revoked before it. The vault checks
// this when it takes a consent, the replay when it reads the move.
bool SignedWhileActive(const LoggedKey& key, uint64_t issued_at);

std::string CreatedPayload(std::string_view region);
std::string MovedPayload(std::string_view from_region, const MoveConsent& consent);

struct Move {
  uint64_t seq = 0;
  int64_t time = 0;
  std::string from;
  std::string to;
  KeyId signer;
};

struct PlacementLogState {
  std::string region;  // where the log says the account is
  std::vector<Move> moves;
  std::vector<std::string> nonces;  // of every consent used
};

// Checks the chain (times never going back), that it starts with the
// creation, and that every move carries the customer's consent: a signature
// over MoveConsentStatement by a signing key the key log shows active both
// when the consent was issued and at the time of the move, made within the
// consent's 30 days, with a nonce never used before. kTampered naming the
// entry otherwise.
Result<PlacementLogState> ReplayPlacementLog(std::string_view account_id,
                                             const std::vector<std::string>& entries,
                                             const KeyLogState& keys);

// The disclosure log: what was handed over under a legal order.
struct Disclosure {
  uint64_t seq = 0;
  int64_t time = 0;
  std::string region;
  std::string order;         // the order's reference
  uint64_t embargo_until = 0;  // unix seconds; 0: none
  std::string manifest_hash;   // BLAKE2b-256 of the bundle's manifest.json
  uint64_t messages = 0;
};
enum class DisclosureLogType : uint8_t { kDisclosed = 1 };

std::string DisclosedPayload(const Disclosure& disclosure);
// One entry's disclosure, without checking the chain (the vault uses it to
// decide what is still under embargo).
Result<Disclosure> DecodeDisclosure(const LogEntry& entry);
// Checks the chain; returns the disclosures in order.
Result<std::vector<Disclosure>> ReplayDisclosureLog(const std::vector<std::string>& entries);

}  // namespace mailvault
