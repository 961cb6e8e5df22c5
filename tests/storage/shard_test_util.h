// Helpers shared by the storage tests: temporary directories, a shard with an
// account and a registered device key, and real sealed messages.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/keys.h"
#include "common/crypto/sealed_message.h"
#include "storage/region_shard.h"

namespace mailvault::testing {

// A fresh directory under /tmp, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/mailvault-storage-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

inline ShardOptions OptionsFor(const std::string& path, std::string region = "eu") {
  ShardOptions options;
  options.path = path;
  options.region = std::move(region);
  options.block_cache_bytes = 8 << 20;
  return options;
}

inline std::unique_ptr<RegionShard> OpenShardOrDie(const ShardOptions& options) {
  Result<std::unique_ptr<RegionShard>> shard = RegionShard::Open(options);
  EXPECT_TRUE(shard.ok()) << shard.status().ToString();
  return shard.ok() ? std::move(shard).value() : nullptr;
}

// A message sealed for `recipients`, ready to append to `mailbox`.
inline AppendRequest SealedAppend(std::string_view account_id, std::string_view mailbox,
                                  std::string_view plaintext,
                                  const std::vector<const DeviceKeys*>& recipients,
                                  std::string subject = "test") {
  std::vector<std::string> public_keys;
  for (const DeviceKeys* keys : recipients) public_keys.push_back(keys->encryption.public_key);
  MessageSummary summary;
  summary.from = "sender@example.org";
  summary.to = std::string(account_id);
  summary.subject = std::move(subject);
  BlobId blob_id = RandomBlobId();
  Result<SealedMessage> sealed = SealMessage(account_id, blob_id, plaintext, summary, public_keys);
  EXPECT_TRUE(sealed.ok()) << sealed.status().ToString();
  AppendRequest request;
  request.mailbox = std::string(mailbox);
  if (!sealed.ok()) return request;
  request.blob_id = sealed->blob_id;
  request.sealed_body = std::move(sealed->body);
  request.sealed_summary = std::move(sealed->summary);
  request.wraps = std::move(sealed->wraps);
  request.internal_date = 1700000000;
  return request;
}

// Opens a stored message with `keys`: wraps, data key, body.
inline Result<std::string> OpenStored(RegionShard& shard, std::string_view account_id,
                                      const BlobId& blob_id, const DeviceKeys& keys) {
  MV_ASSIGN_OR_RETURN(std::vector<Wrap> wraps, shard.FetchWraps(account_id, blob_id));
  MV_ASSIGN_OR_RETURN(std::string body, shard.FetchBody(account_id, blob_id));
  MV_ASSIGN_OR_RETURN(SecretBytes data_key, UnwrapFor(wraps, keys.encryption));
  return OpenBody(body, data_key, SealBinding{std::string(account_id), blob_id});
}

// A shard in a temporary directory with one account ("alice@example.org")
// whose device encryption key is registered.
inline std::vector<uint32_t> UidsOf(const std::vector<MessageEntry>& entries) {
  std::vector<uint32_t> uids;
  for (const MessageEntry& entry : entries) uids.push_back(entry.uid);
  return uids;
}

class ShardTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kAlice = "alice@example.org";

  void SetUp() override {
    keys_ = DeviceKeys::Generate();
    Reopen();
    ASSERT_TRUE(shard_->CreateAccount(kAlice, "eu").ok());
    ASSERT_TRUE(
        shard_->RegisterPublicKey(kAlice, PublicKeyKind::kEncryption, keys_.encryption.public_key)
            .ok());
  }

  void Reopen() {
    shard_.reset();  // a second instance on the same directory would fail its lock
    shard_ = OpenShardOrDie(OptionsFor(dir_.Sub("shard")));
    ASSERT_NE(shard_, nullptr);
  }

  AppendRequest Sealed(std::string_view mailbox, std::string_view plaintext) {
    return SealedAppend(kAlice, mailbox, plaintext, {&keys_});
  }

  AppendResult AppendOk(std::string_view mailbox, std::string_view plaintext,
                        BlobId* blob_id = nullptr) {
    AppendRequest request = Sealed(mailbox, plaintext);
    if (blob_id != nullptr) *blob_id = request.blob_id;
    Result<AppendResult> result = shard_->Append(kAlice, std::move(request));
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    return result.ok() ? *result : AppendResult{};
  }

  TempDir dir_;
  DeviceKeys keys_;
  std::unique_ptr<RegionShard> shard_;
};

}  // namespace mailvault::testing
