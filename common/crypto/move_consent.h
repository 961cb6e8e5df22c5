// The customer's consent to move an account to another region, as the file
// `mailvault consent move` writes and `mailvault-admin move --consent`
// reads:
//
//   mailvault-move-consent-v1
//   account alice@example.com
//   to us
//   nonce <32 hex digits>
//   issued-at <unix seconds>
//   signer <key id, 32 hex digits>
//   signature <128 hex digits>
//
// The signature is Ed25519 over MoveConsentStatement (key_statements.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto/account_log.h"
#include "common/crypto/keys.h"
#include "common/status.h"

namespace mailvault {

// A consent signed now by `signer`, with a fresh nonce.
MoveConsent SignMoveConsent(std::string_view account, std::string_view to_region,
                            const SigningKeyPair& signer, uint64_t now);

std::string EncodeMoveConsent(const MoveConsent& consent);
Result<MoveConsent> DecodeMoveConsent(std::string_view text);

// Whether the vault may move `account` to `to_region` on this consent:
// it names both, a signing key active in the key log signed it, its nonce
// was never used (the placement log), and it was issued in the last 30
// days. kInvalidArgument saying which check failed.
Status CheckMoveConsent(const MoveConsent& consent, std::string_view account,
                        std::string_view to_region, const KeyLogState& keys,
                        const PlacementLogState& placement, uint64_t now);

}  // namespace mailvault
