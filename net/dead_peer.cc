#include "net/dead_peer.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace mailvault {

void DetectDeadPeer(tcp::socket& socket, std::chrono::seconds within,
                    boost::system::error_code& ec) {
  ec.clear();
  // Half the time in silence before the first probe, the other half for
  // four probes: a peer that answers none is given up within `within`.
  // Linux takes at most 32,767 s of silence (MAX_TCP_KEEPIDLE).
  constexpr int kProbes = 4;
  constexpr std::chrono::seconds::rep kLongest = 2 * 32'767;
  const int seconds = static_cast<int>(std::min(within.count(), kLongest));
  if (seconds <= 0) return;
  const int idle = std::max(1, seconds / 2);
  const int interval = std::max(1, (seconds - idle) / kProbes);
  const struct {
    int level, name, value;
  } options[] = {
      {SOL_SOCKET, SO_KEEPALIVE, 1},
      {IPPROTO_TCP, TCP_KEEPIDLE, idle},
      {IPPROTO_TCP, TCP_KEEPINTVL, interval},
      {IPPROTO_TCP, TCP_KEEPCNT, kProbes},
      // Data sent to a vanished peer (an IDLE keep-alive, a FETCH answer)
      // is otherwise retransmitted for about 15 minutes (tcp_retries2).
      {IPPROTO_TCP, TCP_USER_TIMEOUT, seconds * 1000},
  };
  for (const auto& option : options) {
    if (::setsockopt(socket.native_handle(), option.level, option.name, &option.value,
                     sizeof option.value) != 0) {
      ec.assign(errno, boost::system::system_category());
      return;
    }
  }
}

}  // namespace mailvault
