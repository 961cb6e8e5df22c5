#include "common/crypto/seal_binding.h"

#include "common/crypto/ids.h"

namespace mailvault {

std::string AccountTag(std::string_view account_id) {
  return std::string(KeyIdOf(account_id).view());
}

}  // namespace mailvault
