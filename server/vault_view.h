// How a generic IMAP client sees a sealed message on the vault: a valid RFC
// 5322 message from the vault whose single part is the sealed body
// (application/vnd.mailvault.sealed, base64). The bytes depend only on the
// blob id, account, internal date and sealed body, so RFC822.SIZE is known
// from the index without reading the body, and the message never changes
// under its uid (wraps are not part of it: they change with key rotation
// and are fetched with the vault's own commands). docs/PROTOCOL.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto/ids.h"

namespace mailvault {

inline constexpr std::string_view kSealedContentType = "application/vnd.mailvault.sealed";

struct VaultViewParams {
  std::string_view hostname;   // the vault's name, in From and Message-ID
  std::string_view account_id;
  BlobId blob_id;
  int64_t internal_date = 0;   // unix seconds
};

// The wrapper's size for a sealed body of `sealed_size` bytes.
uint64_t VaultViewSize(const VaultViewParams& params, uint64_t sealed_size);

// The wrapper itself.
std::string RenderVaultView(const VaultViewParams& params, std::string_view sealed_body);

}  // namespace mailvault
