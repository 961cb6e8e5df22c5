#include "server/vault_view.h"

#include <sodium.h>

#include <algorithm>
#include <ctime>

namespace mailvault {
namespace {

constexpr size_t kLineLength = 76;  // RFC 2045 6.8

std::string RenderHeader(const VaultViewParams& p) {
  const std::time_t t = static_cast<std::time_t>(p.internal_date);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  const std::string blob = p.blob_id.ToHex();
  std::string h;
  h += "From: mailvault <vault@";
  h += p.hostname;
  h += ">\r\nTo: <";
  h += p.account_id;
  h += ">\r\nDate: ";
  h += date;
  h += "\r\nMessage-ID: <" + blob + "@";
  h += p.hostname;
  h += ">\r\nSubject: Sealed message " + blob;
  h += "\r\nMIME-Version: 1.0\r\nContent-Type: ";
  h += kSealedContentType;
  h += "; name=\"" + blob + ".mvsealed\"\r\n";
  h += "Content-Disposition: attachment; filename=\"" + blob + ".mvsealed\"\r\n";
  h += "Content-Transfer-Encoding: base64\r\n\r\n";
  return h;
}

// RenderHeader's size without rendering it: SELECT of a large mailbox asks
// for every message's size, and one strftime and a dozen appends each were
// most of its cost. The date takes 31 bytes for years 1000 to 9999.
uint64_t HeaderSize(const VaultViewParams& p) {
  static const uint64_t kFixed = [] {
    VaultViewParams sample;  // no host, no account, year 1970
    return RenderHeader(sample).size() - 4 * 2 * BlobId::kSize - 31;
  }();
  constexpr int64_t kYear1000 = -30610224000;
  constexpr int64_t kYear10000 = 253402300800;
  if (p.internal_date < kYear1000 || p.internal_date >= kYear10000) return RenderHeader(p).size();
  return kFixed + 2 * p.hostname.size() + p.account_id.size() + 4 * 2 * BlobId::kSize + 31;
}

uint64_t Base64LinesSize(uint64_t size) {
  const uint64_t encoded = (size + 2) / 3 * 4;
  const uint64_t lines = (encoded + kLineLength - 1) / kLineLength;
  return encoded + 2 * lines;
}

}  // namespace

uint64_t VaultViewSize(const VaultViewParams& params, uint64_t sealed_size) {
  return HeaderSize(params) + Base64LinesSize(sealed_size);
}

std::string RenderVaultView(const VaultViewParams& params, std::string_view sealed_body) {
  std::string out = RenderHeader(params);
  out.reserve(out.size() + Base64LinesSize(sealed_body.size()));
  // 57 input bytes make one 76-character line.
  constexpr size_t kInputPerLine = kLineLength / 4 * 3;
  char line[kLineLength + 1];
  for (size_t offset = 0; offset < sealed_body.size(); offset += kInputPerLine) {
    const size_t n = std::min(kInputPerLine, sealed_body.size() - offset);
    sodium_bin2base64(line, sizeof line,
                      reinterpret_cast<const unsigned char*>(sealed_body.data() + offset), n,
                      sodium_base64_VARIANT_ORIGINAL);
    out += line;
    out += "\r\n";
  }
  return out;
}

}  // namespace mailvault
