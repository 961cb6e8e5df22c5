// vault_demo SHARD_DIR: seals a message for a fresh device key, appends it to
// INBOX in a RegionShard at SHARD_DIR, reads it back, opens it, and shows
// what the operator's side of the shard holds for it.
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include "common/crypto/keys.h"
#include "common/crypto/sealed_message.h"
#include "storage/region_shard.h"

namespace mailvault {
namespace {

constexpr char kRegion[] = "local";
constexpr char kAccount[] = "demo@localhost";

int Fail(const Status& status) {
  std::fprintf(stderr, "vault_demo: %s\n", status.ToString().c_str());
  return 1;
}

int Run(const std::string& path) {
  ShardOptions options;
  options.path = path;
  options.region = kRegion;
  auto shard = RegionShard::Open(options);
  if (!shard.ok()) return Fail(shard.status());
  RegionShard& db = **shard;

  if (!db.GetAccount(kAccount).ok()) {
    if (Status s = db.CreateAccount(kAccount, kRegion); !s.ok()) return Fail(s);
  }
  // A new device each run; a real customer keeps its keys in a key file.
  const DeviceKeys device = DeviceKeys::Generate();
  if (Status s = db.RegisterPublicKey(kAccount, PublicKeyKind::kEncryption,
                                      device.encryption.public_key);
      !s.ok()) {
    return Fail(s);
  }

  const std::string message =
      "From: Alice <alice@example.org>\r\nTo: demo@localhost\r\nSubject: Hello vault\r\n"
      "\r\nThis message was sealed before it touched the disk.\r\n";
  MessageSummary summary{.from = "Alice <alice@example.org>", .to = kAccount,
                         .subject = "Hello vault", .date = "", .message_id = "",
                         .size = 0, .has_attachment = false};
  const std::vector<std::string> recipients = {device.encryption.public_key};
  auto sealed = SealMessage(kAccount, RandomBlobId(), message, summary, recipients);
  if (!sealed.ok()) return Fail(sealed.status());

  AppendRequest request{.mailbox = "INBOX", .blob_id = sealed->blob_id,
                        .sealed_body = sealed->body, .sealed_summary = sealed->summary,
                        .wraps = sealed->wraps, .flags = {},
                        .internal_date = static_cast<int64_t>(std::time(nullptr))};
  auto appended = db.Append(kAccount, std::move(request));
  if (!appended.ok()) return Fail(appended.status());
  std::printf("appended uid %u (uidvalidity %u, modseq %llu) to %s/INBOX in region %s\n",
              appended->uid, appended->uidvalidity,
              static_cast<unsigned long long>(appended->modseq), kAccount, kRegion);

  auto entry = db.GetMessage(kAccount, "INBOX", appended->uid);
  if (!entry.ok()) return Fail(entry.status());
  std::printf("the operator holds: blob %s, %llu sealed bytes, internal date %lld\n",
              entry->blob_id.ToHex().c_str(),
              static_cast<unsigned long long>(entry->sealed_size),
              static_cast<long long>(entry->internal_date));

  auto body = db.FetchBody(kAccount, entry->blob_id);
  auto wraps = db.FetchWraps(kAccount, entry->blob_id);
  if (!body.ok()) return Fail(body.status());
  if (!wraps.ok()) return Fail(wraps.status());
  auto data_key = UnwrapFor(*wraps, device.encryption);
  if (!data_key.ok()) return Fail(data_key.status());
  auto opened = OpenBody(*body, *data_key, {kAccount, entry->blob_id});
  if (!opened.ok()) return Fail(opened.status());
  std::printf("the customer's key opens it (%zu bytes):\n\n%s\n", opened->size(),
              opened->c_str());

  auto inbox = db.ListMessages(kAccount, "INBOX", 1, UINT32_MAX);
  if (!inbox.ok()) return Fail(inbox.status());
  std::printf("INBOX now holds %zu sealed messages in %s\n", inbox->size(), path.c_str());
  return 0;
}

}  // namespace
}  // namespace mailvault

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: vault_demo SHARD_DIR\n");
    return 2;
  }
  return mailvault::Run(argv[1]);
}
