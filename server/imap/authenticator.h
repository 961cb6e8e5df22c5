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

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  virtual LoginResult Login(std::string_view user, std::string_view password) = 0;
};

}  // namespace mailvault::imap
