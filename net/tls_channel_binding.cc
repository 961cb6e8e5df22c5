#include "net/tls_channel_binding.h"

namespace mailvault {

std::string TlsChannelBinding(SSL* ssl) {
  static constexpr char kLabel[] = "EXPORTER-Channel-Binding";
  std::string out(kChannelBindingSize, '\0');
  if (ssl == nullptr || !SSL_is_init_finished(ssl) ||
      SSL_export_keying_material(ssl, reinterpret_cast<unsigned char*>(out.data()), out.size(),
                                 kLabel, sizeof kLabel - 1, nullptr, 0, /*use_context=*/0) != 1) {
    return "";
  }
  return out;
}

}  // namespace mailvault
