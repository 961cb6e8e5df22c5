// A shard on a small tmpfs that files fill up: writes fail with kNoSpace
// and leave nothing behind, reads go on, and once a file is removed the same
// open shard takes writes again, keeping everything across a reopen.
// Mounting needs root or CAP_SYS_ADMIN; without it the test is skipped and
// says so (the integration suite's disk_full_test.py has the same need).
//
// Two facts of RocksDB 7.8 shape it (docs/STORAGE.md, "When the disk
// fails"): it resumes writes by itself, polling every 5 s, once the free
// space reaches the largest write buffer (64 MiB); and it preallocates each
// WAL by 1.1 write buffers, so a disk that fills after a WAL was created
// still takes about 64 MiB of writes into that WAL. Hence a 96 MiB tmpfs,
// mostly filled before the shard is opened (its WAL then cannot preallocate),
// and that filler removed to give the space back.
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "shard_test_util.h"

namespace mailvault::testing {
namespace {

constexpr std::string_view kAlice = "alice@example.org";

// Writes `path` until the file system refuses another byte, or up to `limit`.
void FillUp(const std::string& path, size_t limit = SIZE_MAX) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0) << std::strerror(errno);
  size_t written = 0;
  for (size_t chunk : {size_t{1} << 20, size_t{4096}, size_t{1}}) {
    const std::string block(chunk, '\0');
    while (written + chunk <= limit &&
           ::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size())) {
      written += chunk;
    }
  }
  ::close(fd);
}

class ShardDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    mount_point_ = dir_.Sub("fs");
    std::filesystem::create_directory(mount_point_);
    if (::mount("tmpfs", mount_point_.c_str(), "tmpfs", 0, "size=96m,mode=0700") != 0) {
      GTEST_SKIP() << "cannot mount a tmpfs at " << mount_point_ << " (" << std::strerror(errno)
                   << "): this test needs root or CAP_SYS_ADMIN";
    }
    mounted_ = true;
    FillUp(mount_point_ + "/space", 84 << 20);  // leaves 12 MiB
    keys_ = DeviceKeys::Generate();
    Reopen();
    ASSERT_TRUE(shard_->CreateAccount(kAlice, "eu").ok());
    ASSERT_TRUE(
        shard_->RegisterPublicKey(kAlice, PublicKeyKind::kEncryption, keys_.encryption.public_key)
            .ok());
  }

  void TearDown() override {
    shard_.reset();
    if (mounted_) ::umount2(mount_point_.c_str(), MNT_DETACH);
  }

  void Reopen() {
    shard_.reset();
    shard_ = OpenShardOrDie(OptionsFor(mount_point_ + "/shard"));
    ASSERT_NE(shard_, nullptr);
  }

  Result<AppendResult> Append(const std::string& plaintext, BlobId* blob_id) {
    AppendRequest request = SealedAppend(kAlice, "INBOX", plaintext, {&keys_});
    *blob_id = request.blob_id;
    return shard_->Append(kAlice, std::move(request));
  }

  TempDir dir_;
  std::string mount_point_;
  bool mounted_ = false;
  DeviceKeys keys_;
  std::unique_ptr<RegionShard> shard_;
};

TEST_F(ShardDiskFullTest, RefusesWithNoSpaceAndTakesWritesAgainWhenSpaceReturns) {
  std::vector<std::pair<BlobId, std::string>> acknowledged;
  for (int i = 0; i < 3; ++i) {
    std::string plaintext = "Subject: before " + std::to_string(i) + "\r\n\r\n" +
                            std::string(10000, static_cast<char>('a' + i));
    BlobId blob_id;
    ASSERT_TRUE(Append(plaintext, &blob_id).ok());
    acknowledged.emplace_back(blob_id, plaintext);
  }

  const std::string filler = mount_point_ + "/filler";
  FillUp(filler);
  for (int i = 0; i < 3; ++i) {
    BlobId blob_id;
    Result<AppendResult> refused = Append(std::string(50000, 'x'), &blob_id);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.code(), ErrorCode::kNoSpace) << refused.status().ToString();
  }
  Result<std::vector<MessageEntry>> flagged =
      shard_->StoreFlags(kAlice, "INBOX", {1}, FlagOp::kAdd, {"\\Flagged"});
  EXPECT_EQ(flagged.code(), ErrorCode::kNoSpace) << flagged.status().ToString();
  // Reads go on, and see nothing of the refused writes.
  Result<std::vector<MessageEntry>> listed = shard_->ListMessages(kAlice, "INBOX", 1, UINT32_MAX);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(UidsOf(*listed), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_TRUE(listed->front().flags.empty());
  EXPECT_EQ(*OpenStored(*shard_, kAlice, acknowledged[0].first, keys_), acknowledged[0].second);

  // Space returns: the same open shard takes writes again, within RocksDB's
  // 5 s poll.
  std::filesystem::remove(mount_point_ + "/space");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::string after = "Subject: after\r\n\r\n" + std::string(10000, 'z');
  BlobId after_blob;
  Result<AppendResult> appended = Append(after, &after_blob);
  while (!appended.ok() && std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(appended.code(), ErrorCode::kNoSpace) << appended.status().ToString();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    appended = Append(after, &after_blob);
  }
  ASSERT_TRUE(appended.ok()) << appended.status().ToString();
  EXPECT_EQ(appended->uid, 4u);  // the refused appends used no uid
  acknowledged.emplace_back(after_blob, after);
  ASSERT_TRUE(shard_->StoreFlags(kAlice, "INBOX", {1}, FlagOp::kAdd, {"\\Flagged"}).ok());

  Reopen();
  listed = shard_->ListMessages(kAlice, "INBOX", 1, UINT32_MAX);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(UidsOf(*listed), (std::vector<uint32_t>{1, 2, 3, 4}));
  EXPECT_EQ(listed->front().flags, (std::vector<std::string>{"\\Flagged"}));
  for (const auto& [blob_id, plaintext] : acknowledged) {
    Result<std::string> opened = OpenStored(*shard_, kAlice, blob_id, keys_);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    EXPECT_EQ(*opened, plaintext);
  }
}

}  // namespace
}  // namespace mailvault::testing
