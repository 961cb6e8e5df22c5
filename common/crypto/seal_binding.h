// What a sealed message is bound to. Both are authenticated as associated
// data, so an operator cannot move a body or summary to another message or
// another account without opening failing.
#pragma once

#include <string>
#include <string_view>

#include "common/crypto/ids.h"

namespace mailvault {

struct SealBinding {
  std::string account_id;  // the customer's address, e.g. "alice@example.com"
  BlobId blob_id;
};

// The 16-byte account tag written into sealed headers: the first 16 bytes of
// BLAKE2b-256(account id), the same construction as a key id.
std::string AccountTag(std::string_view account_id);

}  // namespace mailvault
