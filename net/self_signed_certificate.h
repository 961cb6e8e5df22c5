// The certificate mailvaultd makes for itself on first start when none is
// configured: a leaf (CA:FALSE) with the names clients check, so that mbsync
// or Thunderbird accept it once the user trusts it.
#pragma once

#include <openssl/x509.h>

#include <string>

#include "common/status.h"

namespace mailvault {

// Writes an ECDSA P-256 key (mode 0600) and a self-signed certificate valid
// for `hostname`, localhost and 127.0.0.1, for 825 days.
Status GenerateSelfSignedCertificate(const std::string& hostname, const std::string& cert_path,
                                     const std::string& key_path);

// "AB:CD:..." — the SHA-256 fingerprint of the first certificate in a PEM
// file, as `openssl x509 -fingerprint -sha256` prints it.
Result<std::string> CertificateFingerprint(const std::string& cert_path);
// The same for a certificate in memory (a TLS peer's).
std::string CertificateFingerprint(X509* cert);

}  // namespace mailvault
