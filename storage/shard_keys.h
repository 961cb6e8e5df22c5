// Key encodings of a shard's column families (byte layouts in docs/STORAGE.md).
//
// Everything an account owns is keyed by its 8-byte big-endian account number,
// so that an account, a mailbox or one key's wraps is a contiguous key range:
// listing a mailbox is one iteration, shredding an account or revoking a key is
// one DeleteRange. Integers are big-endian so that byte order is numeric order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto/ids.h"

namespace mailvault::shard_keys {

inline constexpr size_t kAccountNumberSize = 8;

// accounts: the account id itself (the only family not keyed by number).
std::string AccountKey(std::string_view account_id);

// The 8-byte prefix shared by every key of one account in the other families.
std::string AccountPrefix(uint64_t account_number);

// mailboxes: number | name bytes.
std::string MailboxKey(uint64_t account_number, std::string_view name);
// The name part of a mailboxes key, or nullopt if the key is too short.
std::optional<std::string_view> MailboxNameOf(std::string_view key);

// index: number | mailbox id (u64) | uid (u32).
std::string IndexKey(uint64_t account_number, uint64_t mailbox_id, uint32_t uid);
std::string IndexMailboxPrefix(uint64_t account_number, uint64_t mailbox_id);
// changes: number | mailbox id | modseq | uid. A mailbox's changes after a
// modseq are one range; the prefix is the same as the index's.
std::string ChangeKey(uint64_t account_number, uint64_t mailbox_id, uint64_t modseq, uint32_t uid);
inline constexpr size_t kChangeKeySize = kAccountNumberSize + 8 + 8 + 4;
inline constexpr size_t kIndexKeySize = kAccountNumberSize + 8 + 4;
// The uid of an index key, or nullopt if the key does not have the layout.
std::optional<uint32_t> UidOf(std::string_view index_key);

// bodies and blobmeta: number | blob id.
std::string BlobKey(uint64_t account_number, const BlobId& blob_id);
std::optional<BlobId> BlobIdOfBlobKey(std::string_view key);

// keys: number | key id.
std::string PublicKeyKey(uint64_t account_number, const KeyId& key_id);

// wraps: number | key id | blob id. Key id before blob id, so that revoking a
// key is one DeleteRange over number | key id.
std::string WrapKey(uint64_t account_number, const KeyId& key_id, const BlobId& blob_id);
std::string WrapKeyPrefix(uint64_t account_number, const KeyId& key_id);

// logs: number | log kind (u8) | seq (u64): each log in order.
std::string LogKey(uint64_t account_number, uint8_t log, uint64_t seq);
std::string LogPrefix(uint64_t account_number, uint8_t log);

// credentials: number | kind (u8).
std::string CredentialKey(uint64_t account_number, uint8_t kind);

// The smallest key greater than every key that starts with `prefix`, i.e. the
// exclusive end of the prefix's range. Empty when no such key exists (the
// prefix is all 0xff), which callers treat as "to the end".
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace mailvault::shard_keys
