// The TLS connection's channel binding (RFC 9266, "tls-exporter"): 32 bytes
// exported under the label "EXPORTER-Channel-Binding" with no context. Both
// ends of one TLS connection compute the same bytes; a server that relays a
// login to another server sits on two connections and cannot make them
// agree. The Ed25519 login signs them (docs/PROTOCOL.md).
#pragma once

#include <openssl/ssl.h>

#include <string>

namespace mailvault {

inline constexpr size_t kChannelBindingSize = 32;

// Empty if the handshake is not complete or the export fails.
std::string TlsChannelBinding(SSL* ssl);

}  // namespace mailvault
