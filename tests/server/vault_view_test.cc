// The wrapper's size, computed without rendering it, is the rendered size.
#include "server/vault_view.h"

#include <gtest/gtest.h>

namespace mailvault {
namespace {

TEST(VaultViewTest, SizeIsTheRenderedSize) {
  const BlobId blob = RandomBlobId();
  for (const char* host : {"", "vault.example.net"}) {
    for (const char* account : {"a@b", "alice.longname@example.org"}) {
      // 1970, now, a year-9999 date, and dates outside four-digit years.
      for (int64_t date : {int64_t{0}, int64_t{1700000000}, int64_t{253402300799},
                           int64_t{253402300800}, int64_t{-30610224001}}) {
        for (size_t body : {size_t{0}, size_t{1}, size_t{57}, size_t{58}, size_t{70000}}) {
          const VaultViewParams params{host, account, blob, date};
          EXPECT_EQ(VaultViewSize(params, body),
                    RenderVaultView(params, std::string(body, 'x')).size())
              << host << " " << account << " " << date << " " << body;
        }
      }
    }
  }
}

}  // namespace
}  // namespace mailvault
