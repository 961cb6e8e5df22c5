#include "server/imap/mime/gmime_runtime.h"

#include <gmime/gmime.h>

#include <mutex>

namespace mailvault::imap::mime {

void EnsureGMimeInitialized() {
  static std::once_flag once;
  std::call_once(once, [] { g_mime_init(); });
}

}  // namespace mailvault::imap::mime
