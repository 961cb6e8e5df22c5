// Noticing a peer that vanished without closing its connection: a laptop
// that lost its network, a NAT that forgot the mapping. Without this, such
// a session lives on until its inactivity timeout (30 minutes once logged
// in) and holds the account's session slot all that time, so a client that
// reconnects a few times is refused with [LIMIT].
#pragma once

#include <chrono>

#include "net/asio.h"

namespace mailvault {

// Sets TCP keepalive and TCP_USER_TIMEOUT on `socket` so that the kernel
// fails the connection about `within` after its peer stopped answering,
// whether the connection was silent (keepalive probes go unanswered) or
// had data in flight (it stays unacknowledged). The session then ends as
// for any closed connection. `within` of zero leaves the socket as it is.
void DetectDeadPeer(tcp::socket& socket, std::chrono::seconds within,
                    boost::system::error_code& ec);

}  // namespace mailvault
