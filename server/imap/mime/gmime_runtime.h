// GMime keeps process-wide tables (charset aliases, the iconv cache) that
// g_mime_init() builds; it must run once before any other GMime call.
#pragma once

namespace mailvault::imap::mime {

// Idempotent and thread-safe; GMime is never shut down (the tables live as
// long as the process, and g_mime_shutdown() would race with other users).
void EnsureGMimeInitialized();

}  // namespace mailvault::imap::mime
