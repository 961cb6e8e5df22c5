// The sealed upload: everything the vault stores for one message, in one
// blob a client can APPEND (docs/FORMAT.md, "Sealed upload"). The customer's
// CLI and bridge seal locally and upload this, so the vault never sees the
// plaintext; the vault checks its structure and stores it as is.
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/sealed_message.h"
#include "common/status.h"

namespace mailvault {

inline constexpr std::string_view kSealedUploadMagic = "MVCONT";
inline constexpr size_t kMaxUploadWraps = 64;

std::string EncodeSealedUpload(const SealedMessage& message);

// Checks the structure without any key: magic and version, wraps (count,
// sizes), the summary's version, and the body's header (magic, version,
// blob id, account tag) and length (a length some message seals to).
// kUnknownVersion, kMalformed, kTruncated, kWrongBlob or kWrongAccount.
Result<SealedMessage> ParseSealedUpload(std::string_view bytes, std::string_view account_id);

// The same checks for a sealed body alone.
Status CheckSealedBody(std::string_view body, const SealBinding& binding);

}  // namespace mailvault
