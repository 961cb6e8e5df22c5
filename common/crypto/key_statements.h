// The exact bytes a customer's signing key signs, shared by the vault that
// checks them and the CLI that makes them (docs/PROTOCOL.md). Each starts
// with its own context string and names the account, so a signature made
// for one purpose or account is worthless for any other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto/ids.h"

namespace mailvault {

// The kind byte of a registration statement (also the storage's PublicKeyKind).
inline constexpr uint8_t kStatementEncryptionKey = 1;
inline constexpr uint8_t kStatementSigningKey = 2;

// "mailvault-auth-v2" || 0x00 || account || 0x00 || channel binding (32,
// the TLS exporter of RFC 9266) || challenge (32). The binding makes a
// signature good on one TLS connection only: a server that relays another
// server's challenge to the customer gets a signature over its own
// connection's binding, which the other server refuses.
std::string LoginStatement(std::string_view account, std::string_view channel_binding,
                           std::string_view challenge);

// "mailvault-device-seal-v1" || 0x00 || account || 0x00 || blob id (16) ||
// BLAKE2b-256 of the sealed body (32)
std::string DeviceSealStatement(std::string_view account, const BlobId& blob_id,
                                std::string_view sealed_body_hash);

// "mailvault-key-register-v1" || 0x00 || account || 0x00 || kind || public key
std::string KeyRegisterStatement(std::string_view account, uint8_t kind,
                                 std::string_view public_key);

// "mailvault-key-revoke-v1" || 0x00 || account || 0x00 || key id (16 bytes)
std::string KeyRevokeStatement(std::string_view account, const KeyId& key_id);

// "mailvault-move-consent-v1" || 0x00 || account || 0x00 || to region || 0x00
// || nonce (16) || issued at (u64, unix s): the customer's consent to move
// the account to another region (`mailvault consent move`). The nonce makes
// each consent usable once; the placement log records it.
std::string MoveConsentStatement(std::string_view account, std::string_view to_region,
                                 std::string_view nonce, uint64_t issued_at);

}  // namespace mailvault
