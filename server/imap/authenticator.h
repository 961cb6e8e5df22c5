// How the engine logs a user in: the server checks a password against the
// account's Argon2id hash (or, on the bridge, the local password) and hands
// back the account's MailBackend. Blocking: called on the storage pool.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "server/imap/mail_backend.h"

namespace mailvault::imap {

struct LoginResult {
  std::unique_ptr<MailBackend> backend;  // set on success
  // On failure: the response code and text of the tagged NO, e.g.
  // "AUTHENTICATIONFAILED" or "REFERRAL imap://us.example.net/".
  std::string response_code;
  std::string text;
};

// The SASL mechanism with which the customer's CLI and bridge log in to the
// vault without a reusable secret: the server sends a random challenge, the
// client answers with its signing key's id and an Ed25519 signature of
// LoginStatement(account, channel binding, challenge)
// (common/crypto/key_statements.h). Offered over TLS only.
inline constexpr std::string_view kSignatureMechanism = "X-MAILVAULT-ED25519";

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual LoginResult Login(std::string_view user, std::string_view password) = 0;
  // Whether kSignatureMechanism is offered.
  virtual bool SupportsSignatureLogin() const { return false; }
  virtual LoginResult LoginWithSignature(std::string_view /*user*/,
                                         std::string_view /*channel_binding*/,
                                         std::string_view /*challenge*/,
                                         std::string_view /*key_id*/,
                                         std::string_view /*signature*/) {
    return {nullptr, "CANNOT", "Signature login is not offered here"};
  }
};

}  // namespace mailvault::imap
