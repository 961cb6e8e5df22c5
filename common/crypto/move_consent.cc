#include "common/crypto/move_consent.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>

#include "common/crypto/hex.h"
#include "common/crypto/key_statements.h"

namespace mailvault {
namespace {

constexpr std::string_view kHeader = "mailvault-move-consent-v1";

Status Refused(const std::string& why) {
  return Status(ErrorCode::kInvalidArgument, "consent refused: " + why);
}

}  // namespace

MoveConsent SignMoveConsent(std::string_view account, std::string_view to_region,
                            const SigningKeyPair& signer, uint64_t now) {
  MoveConsent consent;
  consent.account = std::string(account);
  consent.to_region = std::string(to_region);
  consent.nonce.assign(16, '\0');
  randombytes_buf(consent.nonce.data(), consent.nonce.size());
  consent.issued_at = now;
  consent.signer = signer.id();
  consent.signature =
      signer.Sign(MoveConsentStatement(account, to_region, consent.nonce, consent.issued_at));
  return consent;
}

std::string EncodeMoveConsent(const MoveConsent& consent) {
  return std::string(kHeader) + "\naccount " + consent.account + "\nto " + consent.to_region +
         "\nnonce " + ToHex(consent.nonce) + "\nissued-at " + std::to_string(consent.issued_at) +
         "\nsigner " + consent.signer.ToHex() + "\nsignature " + ToHex(consent.signature) + "\n";
}

Result<MoveConsent> DecodeMoveConsent(std::string_view text) {
  const Status malformed(ErrorCode::kMalformed,
                         "not a move consent (it comes from `mailvault consent move`)");
  MoveConsent consent;
  std::string_view lines[7];
  for (std::string_view& line : lines) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) return malformed;
    line = text.substr(0, end);
    text.remove_prefix(end + 1);
  }
  if (lines[0] != kHeader || !text.empty()) return malformed;
  auto field = [&](int i, std::string_view name, std::string_view& value) {
    if (lines[i].substr(0, name.size() + 1) != std::string(name) + " ") return false;
    value = lines[i].substr(name.size() + 1);
    return true;
  };
  std::string_view account, to, nonce, issued, signer, signature;
  if (!field(1, "account", account) || !field(2, "to", to) || !field(3, "nonce", nonce) ||
      !field(4, "issued-at", issued) || !field(5, "signer", signer) ||
      !field(6, "signature", signature) ||
      std::from_chars(issued.data(), issued.data() + issued.size(), consent.issued_at).ec !=
          std::errc()) {
    return malformed;
  }
  auto nonce_bytes = FromHex(nonce, 16);
  auto signer_bytes = FromHex(signer, 16);
  auto signature_bytes = FromHex(signature, 64);
  if (!nonce_bytes || !signer_bytes || !signature_bytes) return malformed;
  consent.nonce = std::move(*nonce_bytes);
  consent.signature = std::move(*signature_bytes);
  consent.account = std::string(account);
  consent.to_region = std::string(to);
  consent.signer = *KeyId::FromBytes(*signer_bytes);
  return consent;
}

Status CheckMoveConsent(const MoveConsent& consent, std::string_view account,
                        std::string_view to_region, const KeyLogState& keys,
                        const PlacementLogState& placement, uint64_t now) {
  if (consent.account != account) return Refused("it is for another account");
  if (consent.to_region != to_region) return Refused("it is for a move to " + consent.to_region);
  const LoggedKey* signer = keys.Find(consent.signer);
  if (signer == nullptr || signer->encryption || !signer->active) {
    return Refused("it is not signed by an active signing key of the account");
  }
  if (!SignedWhileActive(*signer, consent.issued_at)) {
    return Refused("it is dated before its signing key was registered (check the device's clock)");
  }
  if (!VerifySignature(signer->public_key,
                       MoveConsentStatement(account, to_region, consent.nonce, consent.issued_at),
                       consent.signature)) {
    return Refused("the signature does not verify");
  }
  if (std::find(placement.nonces.begin(), placement.nonces.end(), consent.nonce) !=
      placement.nonces.end()) {
    return Refused("it was used for a move already");
  }
  if (consent.issued_at > now + kMoveConsentClockSkew ||
      (now > consent.issued_at && now - consent.issued_at > kMoveConsentMaxAge)) {
    return Refused("it was issued more than 30 days ago (or in the future)");
  }
  return Status::Ok();
}

}  // namespace mailvault
