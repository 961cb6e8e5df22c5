#include "server/imap/engine.h"

#include "server/imap/session.h"

namespace mailvault::imap {

asio::awaitable<void> RunImapSession(Connection connection, bool implicit_tls,
                                     EngineContext& context) {
  Session session(std::move(connection), implicit_tls, context);
  co_await session.Run();
}

}  // namespace mailvault::imap
