// Value encodings of a shard's column families (layouts in docs/STORAGE.md).
//
// Every value starts with a format-version byte, so that a later build can
// change a layout and still read the old one. Decoders are strict: a short
// value, trailing bytes or an unknown version is kCorruption, never a guess.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "storage/region_shard.h"

namespace mailvault::shard_records {

inline constexpr uint8_t kVersion1 = 1;

// accounts: one per account id.
struct AccountRecord {
  uint64_t number = 0;  // the 8-byte prefix of all the account's other keys
  std::string home_region;
  int64_t created_at = 0;
  uint32_t next_uidvalidity = 1;  // never 0 (RFC 9051: uidvalidity is non-zero)
  uint64_t next_mailbox_id = 1;
  // Written as a trailing byte only when set, so records from before it
  // existed read as not suspended.
  bool suspended = false;
};
std::string EncodeAccount(const AccountRecord& record);
Result<AccountRecord> DecodeAccount(std::string_view value);

// mailboxes: one per (account, name).
struct MailboxRecord {
  uint64_t mailbox_id = 0;  // stable across renames; index keys use it
  uint32_t uidvalidity = 0;
  uint32_t uidnext = 1;
  uint64_t highest_modseq = 0;
  // Where subscriptions were kept before they had a family of their own
  // (they must outlive the mailbox, RFC 9051 6.3.7): read once, at open or
  // import, into the `subscriptions` family; written false.
  bool subscribed = false;
  // STATUS counts, kept in the same batch as every change to the mailbox's
  // entries. `counted` is false in a record written before the counts
  // existed, until the shard is next opened (it counts them then).
  bool counted = false;
  uint32_t messages = 0;
  uint32_t unseen = 0;
  uint32_t deleted = 0;
  // Every tombstone at or below this modseq has been pruned: changes since
  // an older modseq are no longer all known. 0 (nothing pruned) in records
  // written before it existed.
  uint64_t vanished_floor = 0;
  // The first uid no session has yet been told is \Recent (RFC 3501): the
  // first read-write SELECT after a delivery claims what lies from here to
  // uidnext. uidnext (nothing recent) in records written before it existed.
  uint32_t recent_from = 1;
};
std::string EncodeMailbox(const MailboxRecord& record);
Result<MailboxRecord> DecodeMailbox(std::string_view value);

// index: one per message in a mailbox. The uid lives in the key, not here.
std::string EncodeIndexEntry(const MessageEntry& entry);
Result<MessageEntry> DecodeIndexEntry(uint32_t uid, std::string_view value);

// changes: what happened to a uid at the modseq in the key.
enum class ChangeKind : uint8_t { kChanged = 1, kExpunged = 2 };
std::string EncodeChange(ChangeKind kind);
Result<ChangeKind> DecodeChange(std::string_view value);

// blobmeta: one per stored body.
struct BlobMetaRecord {
  uint32_t refcount = 0;  // index entries (in any mailbox) naming the blob
  uint64_t sealed_size = 0;
  std::string sealed_summary;
};
std::string EncodeBlobMeta(const BlobMetaRecord& record);
Result<BlobMetaRecord> DecodeBlobMeta(std::string_view value);

// keys: one per registered public key. The key id lives in the key.
std::string EncodePublicKey(const PublicKeyRecord& record);
Result<PublicKeyRecord> DecodePublicKey(const KeyId& key_id, std::string_view value);

// wraps: the version byte then the kWrapSize-byte sealed data key.
// credentials: version | expires_at (u64) | value.
std::string EncodeCredential(const Credential& credential);
Result<Credential> DecodeCredential(std::string_view value);

std::string EncodeWrap(std::string_view sealed_key);
Result<std::string> DecodeWrap(std::string_view value);

// bodies: the version byte then the sealed body verbatim. Encoding is done by
// the caller with a SliceParts (no copy of a large body); decoding returns the
// sealed body without the version byte.
inline constexpr char kBodyVersionByte = static_cast<char>(kVersion1);
Result<std::string_view> DecodeBody(std::string_view value);

}  // namespace mailvault::shard_records
