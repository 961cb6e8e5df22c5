#include "net/tls_channel_binding.h"

namespace mailvault {

std::string TlsChannelBinding(SSL* ssl) {
  static constexpr char kLabel[] = "EXPORTER-Channel-Binding";
  std::string out(kChannelBindingSize, '\0');
  // RFC 9266 2: the exporter binds a TLS 1.2 connection only with the
  // extended master secret.
  if (ssl == nullptr || !SSL_is_init_finished(ssl) ||
      (SSL_version(ssl) < TLS1_3_VERSION && SSL_get_extms_support(ssl) != 1) ||
      SSL_export_keying_material(ssl, reinterpret_cast<unsigned char*>(out.data()), out.size(),
                                 kLabel, sizeof kLabel - 1, nullptr, 0, /*use_context=*/0) != 1) {
    return "";
  }
  return out;
}

}  // namespace mailvault
