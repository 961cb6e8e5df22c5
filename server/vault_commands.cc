#include "server/vault_commands.h"

#include <sodium.h>

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/crypto/account_log.h"
#include "common/crypto/key_statements.h"
#include "common/crypto/keys.h"
#include "common/imap/mailbox_name.h"
#include "common/base64.h"
#include "common/imap/sequence_set.h"
#include "common/mail/account_id.h"

namespace mailvault {
namespace {

imap::ExtensionReply Bad(std::string text) { return {{}, "BAD", "", std::move(text)}; }
imap::ExtensionReply No(std::string code, std::string text) {
  return {{}, "NO", std::move(code), std::move(text)};
}

// Binary arguments and values are standard base64 with padding, the same
// encoding as SASL exchanges.
std::optional<std::string> Base64Decode(std::string_view text, size_t expected_size) {
  auto decoded = DecodeBase64(text);
  if (!decoded.ok() || decoded->size() != expected_size) return std::nullopt;
  return std::move(decoded).value();
}

// Atoms, numbers ("XWRAPS 2024 key 1" has two), quoted strings and literals.
bool IsStringArg(const imap::ImapToken& t) {
  return t.IsString() || t.kind == imap::TokenKind::kAtom || t.kind == imap::TokenKind::kNumber;
}

// An atom equal to `keyword` without regard to case (IMAP keywords).
bool IsKeyword(const imap::ImapToken& t, std::string_view keyword) {
  if (t.kind != imap::TokenKind::kAtom || t.text.size() != keyword.size()) return false;
  for (size_t i = 0; i < keyword.size(); ++i) {
    char c = t.text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != keyword[i]) return false;
  }
  return true;
}

// A 32-byte public key that delivery can actually use: an X25519 key whose
// shared secret with a random scalar is not all zeros (a low-order point
// would make crypto_box_seal fail for every message), or an Ed25519 key that
// is a canonical point of the main subgroup.
bool IsUsablePublicKey(PublicKeyKind kind, std::string_view key) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(key.data());
  if (kind == PublicKeyKind::kSigning) return crypto_core_ed25519_is_valid_point(bytes) == 1;
  unsigned char scalar[crypto_scalarmult_SCALARBYTES];
  unsigned char shared[crypto_scalarmult_BYTES];
  randombytes_buf(scalar, sizeof scalar);
  const bool usable = crypto_scalarmult(shared, scalar, bytes) == 0;
  sodium_memzero(scalar, sizeof scalar);
  sodium_memzero(shared, sizeof shared);
  return usable;
}

std::string KindName(PublicKeyKind kind) {
  return kind == PublicKeyKind::kEncryption ? "encryption" : "signing";
}

const PublicKeyRecord* FindKey(const std::vector<PublicKeyRecord>& keys, const KeyId& id) {
  for (const PublicKeyRecord& key : keys) {
    if (key.key_id == id) return &key;
  }
  return nullptr;
}

size_t CountActive(const std::vector<PublicKeyRecord>& keys, PublicKeyKind kind) {
  return static_cast<size_t>(std::count_if(keys.begin(), keys.end(), [&](const auto& key) {
    return key.kind == kind && !key.revoked;
  }));
}

// Refuses unless `signature` is a valid signature of `statement` by an
// active signing key of the account named `signer`. The same code for an
// unknown signer and a bad signature; the texts say which, since the
// account's own keys are no secret to its logged-in owner.
std::optional<imap::ExtensionReply> CheckSigner(const std::vector<PublicKeyRecord>& keys,
                                                const KeyId& signer, std::string_view statement,
                                                std::string_view signature) {
  const PublicKeyRecord* key = FindKey(keys, signer);
  if (key == nullptr || key->kind != PublicKeyKind::kSigning || key->revoked) {
    return No("AUTHORIZATIONFAILED",
              "Key " + signer.ToHex() + " is not an active signing key of this account");
  }
  if (!VerifySignature(key->public_key, statement, signature)) {
    return No("AUTHORIZATIONFAILED", "The signature does not verify with key " + signer.ToHex());
  }
  return std::nullopt;
}

// A storage failure, without the storage's own words.
imap::ExtensionReply StorageRefusal(const Status& s, std::string_view what) {
  if (s.code() == ErrorCode::kWrongRegion) {
    return No("UNAVAILABLE", "The account is now homed in another region");
  }
  if (s.code() == ErrorCode::kIOError) {
    return No("UNAVAILABLE", std::string(what) + " failed in storage; try again");
  }
  return No("SERVERBUG", std::string(what) + " failed; try again");
}

}  // namespace

bool VaultCommands::Handles(std::string_view name) const {
  return name == "XENROLL" || name == "XKEYS" || name == "XKEY" || name == "XWRAPS" ||
         name == "XSUMMARIES" || name == "XLOG";
}

imap::ExtensionReply VaultCommands::Execute(const imap::ImapCommand& command,
                                            imap::MailBackend* backend, bool key_login) {
  if (command.uid) return Bad("UID is not valid with " + command.name);
  if (command.name == "XENROLL") {
    if (backend != nullptr) return Bad("XENROLL is for an account that is not logged in");
    return Enroll(command);
  }
  if (backend == nullptr) return Bad("Log in first");
  if (command.name == "XKEYS") {
    if (!command.args.empty()) return Bad("Syntax: XKEYS (no arguments)");
    return ListKeys(backend);
  }
  if (command.name == "XLOG") return FetchLog(command, backend);
  // "XWRAPS PUT key-id (...)": the list tells it from "XWRAPS mailbox key-id
  // uid-set", so a mailbox may still be called PUT.
  const bool put_wraps = command.name == "XWRAPS" && command.args.size() == 3 &&
                         command.args[2].kind == imap::TokenKind::kList;
  // A password (for generic clients) reads mail; changing keys or wraps can
  // make mail unreadable, so it takes a login with the account's own key.
  if ((command.name == "XKEY" || put_wraps) && !key_login) {
    return No("AUTHORIZATIONFAILED",
              "Key and wrap changes need a login with the account's key "
              "(AUTHENTICATE X-MAILVAULT-ED25519)");
  }
  if (command.name == "XKEY") return KeyCommand(command, backend);
  if (put_wraps) return PutWraps(command, backend);
  return FetchSealedParts(command, backend);
}

// XENROLL account token encryption-public-key signing-public-key
// (keys in base64): registers the first device's keys with the one-time
// enrollment token, which is burnt.
imap::ExtensionReply VaultCommands::Enroll(const imap::ImapCommand& command) {
  const auto& args = command.args;
  if (args.size() != 4 || !std::all_of(args.begin(), args.end(), IsStringArg)) {
    return Bad("Syntax: XENROLL account token encryption-key signing-key");
  }
  const auto encryption = Base64Decode(args[2].text, kEncryptionPublicKeySize);
  const auto signing = Base64Decode(args[3].text, kSigningPublicKeySize);
  if (!encryption || !signing) return Bad("Keys must be 32 bytes in base64");
  if (!IsUsablePublicKey(PublicKeyKind::kEncryption, *encryption) ||
      !IsUsablePublicKey(PublicKeyKind::kSigning, *signing)) {
    return Bad("Not a valid X25519 encryption key and Ed25519 signing key");
  }
  const std::string& account = args[0].text;
  // The enrollment starts the key log: its first entry names both keys. The
  // token is burnt in the same write that registers them, so of two
  // XENROLLs with one token exactly one succeeds.
  const LogAppend enrolled{LogKind::kKeys, static_cast<uint8_t>(KeyLogType::kEnroll),
                           EnrollPayload(*encryption, *signing)};
  const Status s = accounts_.EnrollFirstDevice(account, args[1].text, *encryption, *signing,
                                               enrolled);
  switch (s.code()) {
    case ErrorCode::kOk:
      break;
    case ErrorCode::kNotFound:          // no such account
    case ErrorCode::kWrongRegion:       // homed elsewhere: no token of it here
    case ErrorCode::kWrongPassphrase:   // no token open, a wrong or an expired one
    case ErrorCode::kAlreadyExists:     // enrolled already (the loser of a race too)
      // One answer for all: an unknown account and a bad token look alike.
      return No("AUTHENTICATIONFAILED", "Enrollment refused: unknown account or invalid token");
    default:
      return No("UNAVAILABLE", "Enrollment failed; try again later");
  }
  return {{}, "OK", "", "Enrolled: encryption key " + KeyIdOf(*encryption).ToHex() +
                            ", signing key " + KeyIdOf(*signing).ToHex()};
}

// XLOG KEYS|PLACEMENT|DISCLOSURE: "* XLOG seq base64-entry" for every entry
// of the account's log, in order (common/crypto/account_log.h; the customer
// checks them).
imap::ExtensionReply VaultCommands::FetchLog(const imap::ImapCommand& command,
                                             imap::MailBackend* backend) {
  std::optional<LogKind> log;
  if (command.args.size() == 1 && IsKeyword(command.args[0], "KEYS")) log = LogKind::kKeys;
  if (command.args.size() == 1 && IsKeyword(command.args[0], "PLACEMENT")) log = LogKind::kPlacement;
  if (command.args.size() == 1 && IsKeyword(command.args[0], "DISCLOSURE")) log = LogKind::kDisclosure;
  if (!log) return Bad("Syntax: XLOG KEYS|PLACEMENT|DISCLOSURE");
  const std::string account = NormalizeAccountId(backend->account());
  auto shard = accounts_.ShardFor(account);
  if (!shard.ok()) return No("UNAVAILABLE", "The account is not served here");
  auto entries = (*shard)->ReadLog(account, *log);
  if (!entries.ok()) return StorageRefusal(entries.status(), "Reading the log");
  if (*log == LogKind::kDisclosure) {
    // An embargoed disclosure is not shown before its date, nor anything
    // after it: the chain shown is a prefix, so it still verifies. The
    // chain itself is the customer's to check: a broken one is served as is.
    const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
    size_t shown = 0;
    for (; shown < entries->size(); ++shown) {
      auto entry = DecodeLogEntry((*entries)[shown]);
      auto disclosure = entry.ok() ? DecodeDisclosure(*entry) : Result<Disclosure>(entry.status());
      if (disclosure.ok() && disclosure->embargo_until > now) break;
    }
    entries->resize(shown);
  }
  imap::ExtensionReply reply{{}, "OK", "", "XLOG completed"};
  for (size_t seq = 0; seq < entries->size(); ++seq) {
    reply.untagged.push_back("XLOG " + std::to_string(seq) + " " +
                             EncodeBase64((*entries)[seq]));
  }
  return reply;
}

// XWRAPS mailbox key-id uid-set: "* XWRAP uid blob-id base64-wrap" for each
// message that has a wrap for the key.
// XSUMMARIES mailbox uid-set: "* XSUMMARY uid blob-id base64-summary".
imap::ExtensionReply VaultCommands::FetchSealedParts(const imap::ImapCommand& command,
                                                     imap::MailBackend* backend) {
  const bool wraps = command.name == "XWRAPS";
  const auto& args = command.args;
  const size_t expected = wraps ? 3 : 2;
  if (args.size() != expected || !std::all_of(args.begin(), args.end(), IsStringArg)) {
    return Bad(wraps ? "Syntax: XWRAPS mailbox key-id uid-set, or XWRAPS PUT key-id "
                       "(blob-id base64-wrap ...)"
                     : "Syntax: XSUMMARIES mailbox uid-set");
  }
  auto mailbox = imap::MailboxNameFromWire(args[0].text, imap::MailboxNameEncoding::kUtf8);
  if (!mailbox.ok()) return Bad(mailbox.status().message());
  std::optional<KeyId> key_id;
  if (wraps) {
    key_id = KeyId::FromHex(args[1].text);
    if (!key_id) return Bad("The key id must be 32 hex digits");
  }
  auto set = imap::SequenceSet::Parse(args.back().text);
  if (!set.ok() || set->is_saved_result()) return Bad("Invalid uid set");
  auto shard = accounts_.ShardFor(backend->account());
  if (!shard.ok()) return No("UNAVAILABLE", "The account is not served here");
  const std::string& account = backend->account();
  auto entries = (*shard)->ListMessages(account, *mailbox, 1, UINT32_MAX);
  if (!entries.ok()) {
    if (entries.code() == ErrorCode::kNotFound) return No("NONEXISTENT", "No such mailbox");
    return No("SERVERBUG", "Messages could not be read; try again");
  }
  const uint32_t max_uid = entries->empty() ? 0 : entries->back().uid;
  const imap::NumberSet uids = set->Resolve(max_uid);
  imap::ExtensionReply reply;
  for (const MessageEntry& entry : *entries) {
    if (!uids.Contains(entry.uid)) continue;
    std::string line = (wraps ? "XWRAP " : "XSUMMARY ") + std::to_string(entry.uid) + " " +
                       entry.blob_id.ToHex() + " ";
    if (wraps) {
      auto wrap = (*shard)->FetchWrap(account, entry.blob_id, *key_id);
      if (!wrap.ok()) continue;  // no wrap for this key: nothing to say
      line += EncodeBase64(wrap->sealed_key);
    } else {
      auto summary = (*shard)->FetchSummary(account, entry.blob_id);
      if (!summary.ok()) continue;
      line += EncodeBase64(*summary);
    }
    reply.untagged.push_back(std::move(line));
  }
  reply.text = command.name + " completed";
  return reply;
}

// XKEYS: "* XKEY keyid ENCRYPTION|SIGNING base64-key registered-at ACTIVE|REVOKED"
imap::ExtensionReply VaultCommands::ListKeys(imap::MailBackend* backend) {
  auto shard = accounts_.ShardFor(backend->account());
  if (!shard.ok()) return No("UNAVAILABLE", "The account is not served here");
  auto keys = (*shard)->ListPublicKeys(backend->account());
  if (!keys.ok()) return No("SERVERBUG", "Keys could not be read; try again");
  imap::ExtensionReply reply;
  for (const PublicKeyRecord& key : *keys) {
    reply.untagged.push_back(
        "XKEY " + key.key_id.ToHex() +
        (key.kind == PublicKeyKind::kEncryption ? " ENCRYPTION " : " SIGNING ") +
        EncodeBase64(key.public_key) + " " + std::to_string(key.registered_at) +
        (key.revoked ? " REVOKED" : " ACTIVE"));
  }
  reply.text = "XKEYS completed";
  return reply;
}

// XKEY REGISTER ENCRYPTION|SIGNING base64-key signer-key-id base64-signature
// XKEY REVOKE key-id signer-key-id base64-signature
imap::ExtensionReply VaultCommands::KeyCommand(const imap::ImapCommand& command,
                                               imap::MailBackend* backend) {
  if (!command.args.empty() && IsKeyword(command.args[0], "REGISTER")) {
    return RegisterKey(command, backend);
  }
  if (!command.args.empty() && IsKeyword(command.args[0], "REVOKE")) {
    return RevokeKey(command, backend);
  }
  return Bad("Syntax: XKEY REGISTER kind key signer-key-id signature, or XKEY REVOKE key-id "
             "signer-key-id signature");
}

// What XKEY REGISTER and REVOKE share: the signer key id and signature are
// parsed, the key-change lock is taken (held in `change` until the caller's
// write is done, so "the signer is active" and "not the last key" still hold
// when it commits), the account's keys are read and the signature over
// `statement` is checked. A reply when refused.
std::optional<imap::ExtensionReply> VaultCommands::VerifySignedChange(
    const std::string& account, const imap::ImapToken& signer_arg,
    const imap::ImapToken& signature_arg, std::string_view statement, SignedChange& change) {
  const auto signer = KeyId::FromHex(signer_arg.text);
  if (!signer) return Bad("The signer key id must be 32 hex digits");
  const auto signature = Base64Decode(signature_arg.text, kSignatureSize);
  if (!signature) return Bad("The signature must be 64 bytes in base64");
  auto shard = accounts_.ShardFor(account);
  if (!shard.ok()) return No("UNAVAILABLE", "The account is not served here");
  change.shard = *shard;
  change.signer = *signer;
  change.signature = *signature;
  change.lock = std::unique_lock(key_changes_);
  auto keys = change.shard->ListPublicKeys(account);
  if (!keys.ok()) return StorageRefusal(keys.status(), "Reading the keys");
  change.keys = std::move(keys).value();
  return CheckSigner(change.keys, *signer, statement, *signature);
}

imap::ExtensionReply VaultCommands::RegisterKey(const imap::ImapCommand& command,
                                                imap::MailBackend* backend) {
  const auto& args = command.args;
  if (args.size() != 5 || !std::all_of(args.begin(), args.end(), IsStringArg)) {
    return Bad("Syntax: XKEY REGISTER ENCRYPTION|SIGNING base64-public-key signer-key-id "
               "base64-signature");
  }
  PublicKeyKind kind;
  if (IsKeyword(args[1], "ENCRYPTION")) {
    kind = PublicKeyKind::kEncryption;
  } else if (IsKeyword(args[1], "SIGNING")) {
    kind = PublicKeyKind::kSigning;
  } else {
    return Bad("The key kind must be ENCRYPTION or SIGNING");
  }
  const auto public_key = Base64Decode(args[2].text, kEncryptionPublicKeySize);
  if (!public_key) return Bad("The public key must be 32 bytes in base64");
  if (!IsUsablePublicKey(kind, *public_key)) {
    return Bad(kind == PublicKeyKind::kEncryption ? "Not a valid X25519 public key"
                                                  : "Not a valid Ed25519 public key");
  }
  const std::string account = NormalizeAccountId(backend->account());
  SignedChange change;
  if (auto refused = VerifySignedChange(account, args[3], args[4],
                                        KeyRegisterStatement(account, static_cast<uint8_t>(kind), *public_key), change)) {
    return *refused;
  }
  const KeyId key_id = KeyIdOf(*public_key);
  if (const PublicKeyRecord* existing = FindKey(change.keys, key_id)) {
    // A revoked key stays revoked: the customer declared it lost.
    return No("ALREADYEXISTS", "Key " + key_id.ToHex() +
                                   (existing->revoked ? " was revoked and cannot be registered again"
                                                      : " is already registered"));
  }
  const LogAppend logged{LogKind::kKeys, static_cast<uint8_t>(KeyLogType::kRegister),
                         RegisterPayload(static_cast<uint8_t>(kind), *public_key,
                                         change.signer, change.signature)};
  Status s = change.shard->RegisterPublicKey(account, kind, *public_key, &logged);
  if (s.code() == ErrorCode::kAlreadyExists) {
    return No("ALREADYEXISTS", "Key " + key_id.ToHex() + " is already registered");
  }
  if (!s.ok()) return StorageRefusal(s, "Registering the key");
  return {{}, "OK", "", "Registered " + KindName(kind) + " key " + key_id.ToHex()};
}

imap::ExtensionReply VaultCommands::RevokeKey(const imap::ImapCommand& command,
                                              imap::MailBackend* backend) {
  const auto& args = command.args;
  if (args.size() != 4 || !std::all_of(args.begin(), args.end(), IsStringArg)) {
    return Bad("Syntax: XKEY REVOKE key-id signer-key-id base64-signature");
  }
  const auto key_id = KeyId::FromHex(args[1].text);
  if (!key_id) return Bad("The key id must be 32 hex digits");
  const std::string account = NormalizeAccountId(backend->account());
  SignedChange change;
  if (auto refused = VerifySignedChange(account, args[2], args[3],
                                        KeyRevokeStatement(account, *key_id), change)) {
    return *refused;
  }
  const PublicKeyRecord* key = FindKey(change.keys, *key_id);
  if (key == nullptr) {
    return No("NONEXISTENT", "Key " + key_id->ToHex() + " is not registered for this account");
  }
  if (key->revoked) {
    // Revocation is one-way, so repeating it (a retry after a lost reply)
    // changes nothing and is answered as done.
    return {{}, "OK", "", "Key " + key_id->ToHex() + " was already revoked"};
  }
  // The last active key of a kind stays: without an encryption key the
  // account could never receive mail again (LMTP answers 450 for ever), and
  // without a signing key no key could ever be registered or revoked again.
  // Register the replacement first, then revoke.
  if (CountActive(change.keys, key->kind) <= 1) {
    return No("CANNOT", "Key " + key_id->ToHex() + " is the account's last active " +
                            KindName(key->kind) + " key; register its replacement first");
  }
  const LogAppend logged{LogKind::kKeys, static_cast<uint8_t>(KeyLogType::kRevoke),
                         RevokePayload(*key_id, change.signer, change.signature)};
  Status s = change.shard->RevokePublicKey(account, *key_id, &logged);
  if (!s.ok()) return StorageRefusal(s, "Revoking the key");
  return {{}, "OK", "",
          "Revoked " + KindName(key->kind) + " key " + key_id->ToHex() +
              (key->kind == PublicKeyKind::kEncryption ? "; its wraps are deleted" : "")};
}

// XWRAPS PUT key-id (blob-id base64-wrap ...): writes (or replaces) the
// wraps of one active encryption key, all or none.
imap::ExtensionReply VaultCommands::PutWraps(const imap::ImapCommand& command,
                                             imap::MailBackend* backend) {
  const auto& args = command.args;
  if (!IsKeyword(args[0], "PUT") || !IsStringArg(args[1])) {
    return Bad("Syntax: XWRAPS PUT key-id (blob-id base64-wrap ...)");
  }
  const auto key_id = KeyId::FromHex(args[1].text);
  if (!key_id) return Bad("The key id must be 32 hex digits");
  const auto& items = args[2].children;
  if (items.size() % 2 != 0) return Bad("The list must hold blob-id and wrap pairs");
  if (items.size() / 2 > kMaxWrapsPerPut) {
    return Bad("At most " + std::to_string(kMaxWrapsPerPut) + " wraps per XWRAPS PUT");
  }
  std::vector<std::pair<BlobId, std::string>> wraps;
  wraps.reserve(items.size() / 2);
  std::set<BlobId> seen;
  for (size_t i = 0; i < items.size(); i += 2) {
    if (!IsStringArg(items[i]) || !IsStringArg(items[i + 1])) {
      return Bad("The list must hold blob-id and wrap pairs");
    }
    const auto blob_id = BlobId::FromHex(items[i].text);
    if (!blob_id) return Bad("Pair " + std::to_string(i / 2 + 1) + ": a blob id is 32 hex digits");
    auto wrap = Base64Decode(items[i + 1].text, kWrapSize);
    if (!wrap) {
      return Bad("The wrap for blob " + blob_id->ToHex() + " must be " +
                 std::to_string(kWrapSize) + " bytes in base64");
    }
    if (!seen.insert(*blob_id).second) return Bad("Blob " + blob_id->ToHex() + " is listed twice");
    wraps.emplace_back(*blob_id, std::move(*wrap));
  }

  const std::string account = NormalizeAccountId(backend->account());
  auto shard = accounts_.ShardFor(account);
  if (!shard.ok()) return No("UNAVAILABLE", "The account is not served here");
  auto keys = (*shard)->ListPublicKeys(account);
  if (!keys.ok()) return StorageRefusal(keys.status(), "Reading the keys");
  const PublicKeyRecord* key = FindKey(*keys, *key_id);
  if (key == nullptr) {
    return No("NONEXISTENT", "Key " + key_id->ToHex() + " is not registered for this account");
  }
  if (key->kind != PublicKeyKind::kEncryption) {
    return No("CANNOT", "Key " + key_id->ToHex() + " is a signing key; wraps are for encryption keys");
  }
  if (key->revoked) return No("CANNOT", "Key " + key_id->ToHex() + " is revoked");
  // The shard checks the key again, and every blob, under the account's
  // lock: a revocation or an expunge in between is refused, not half-done.
  Status s = (*shard)->PutWraps(account, *key_id, wraps);
  if (s.code() == ErrorCode::kKeyNotActive) {
    return No("CANNOT", "Key " + key_id->ToHex() + " is no longer active");
  }
  if (s.code() == ErrorCode::kNotFound) {
    for (const auto& [blob_id, wrap] : wraps) {
      auto count = (*shard)->BodyReferenceCount(account, blob_id);
      if (count.ok() && *count == 0) {
        return No("NONEXISTENT",
                  "No message of this account has blob " + blob_id.ToHex() + "; nothing written");
      }
    }
    return No("NONEXISTENT", "A listed message no longer exists; nothing written");
  }
  if (!s.ok()) return StorageRefusal(s, "Writing the wraps");
  return {{}, "OK", "",
          "XWRAPS PUT completed: " + std::to_string(wraps.size()) + " wraps written for key " +
              key_id->ToHex()};
}

}  // namespace mailvault
