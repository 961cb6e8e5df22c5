#include "net/self_signed_certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

namespace mailvault {
namespace {

template <auto Free>
struct Deleter {
  template <typename T>
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, Deleter<X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using FilePtr = std::unique_ptr<FILE, FileCloser>;

Status OpenSslError(const std::string& what) {
  return Status(ErrorCode::kIOError, what + " failed (OpenSSL)");
}

Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) return OpenSslError("certificate extension");
  return Status::Ok();
}

}  // namespace

Status GenerateSelfSignedCertificate(const std::string& hostname, const std::string& cert_path,
                                     const std::string& key_path) {
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("EC key generation");

  CertPtr cert(X509_new());
  if (!cert) return OpenSslError("X509_new");
  X509_set_version(cert.get(), 2);  // v3
  unsigned char serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;  // a positive serial number
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 825L * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());

  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("mailvault"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);

  std::string san = "DNS:" + hostname + ",IP:127.0.0.1";
  if (hostname != "localhost") san += ",DNS:localhost";
  MV_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  MV_RETURN_IF_ERROR(AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature"));
  MV_RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
  MV_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_alt_name, san.c_str()));
  MV_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_key_identifier, "hash"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return OpenSslError("X509_sign");

  // The key file is created 0600 from the start, never chmod'ed afterwards.
  const mode_t old_mask = umask(077);
  FilePtr key_file(std::fopen(key_path.c_str(), "wx"));
  umask(old_mask);
  if (!key_file) return Status(ErrorCode::kIOError, "cannot create " + key_path);
  if (PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("writing the private key");
  }
  FilePtr cert_file(std::fopen(cert_path.c_str(), "w"));
  if (!cert_file) return Status(ErrorCode::kIOError, "cannot create " + cert_path);
  if (PEM_write_X509(cert_file.get(), cert.get()) != 1) return OpenSslError("writing the certificate");
  return Status::Ok();
}

std::string CertificateFingerprint(X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  X509_digest(cert, EVP_sha256(), digest, &size);
  std::string out;
  char hex[4];
  for (unsigned int i = 0; i < size; ++i) {
    std::snprintf(hex, sizeof hex, i + 1 < size ? "%02X:" : "%02X", digest[i]);
    out += hex;
  }
  return out;
}

Result<std::string> CertificateFingerprint(const std::string& cert_path) {
  FilePtr file(std::fopen(cert_path.c_str(), "r"));
  if (!file) return Result<std::string>(ErrorCode::kNotFound, "cannot read " + cert_path);
  CertPtr cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr));
  if (!cert) return Result<std::string>(ErrorCode::kMalformed, cert_path + " holds no certificate");
  return CertificateFingerprint(cert.get());
}

}  // namespace mailvault
