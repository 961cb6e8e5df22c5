#include "common/crypto/key_statements.h"

#include "common/big_endian.h"

namespace mailvault {
namespace {

std::string Statement(std::string_view context, std::string_view account) {
  std::string out(context);
  out.push_back('\0');
  out += account;
  out.push_back('\0');
  return out;
}

}  // namespace

std::string LoginStatement(std::string_view account, std::string_view channel_binding,
                           std::string_view challenge) {
  return Statement("mailvault-auth-v2", account).append(channel_binding).append(challenge);
}

std::string DeviceSealStatement(std::string_view account, const BlobId& blob_id,
                                std::string_view sealed_body_hash) {
  return Statement("mailvault-device-seal-v1", account)
      .append(blob_id.view())
      .append(sealed_body_hash);
}

std::string KeyRegisterStatement(std::string_view account, uint8_t kind,
                                 std::string_view public_key) {
  std::string out = Statement("mailvault-key-register-v1", account);
  out.push_back(static_cast<char>(kind));
  return out.append(public_key);
}

std::string KeyRevokeStatement(std::string_view account, const KeyId& key_id) {
  return Statement("mailvault-key-revoke-v1", account).append(key_id.view());
}

std::string MoveConsentStatement(std::string_view account, std::string_view to_region,
                                 std::string_view nonce, uint64_t issued_at) {
  std::string out = Statement("mailvault-move-consent-v1", account);
  out += to_region;
  out.push_back('\0');
  out += nonce;
  AppendBigEndian<uint64_t>(out, issued_at);
  return out;
}

}  // namespace mailvault
