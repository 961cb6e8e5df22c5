// The embedded Directory: placements, removal, paging, re-homing, persistence.
#include <gtest/gtest.h>

#include "shard_test_util.h"
#include "directory_contract.h"
#include "storage/directory.h"

namespace mailvault::testing {
namespace {

std::unique_ptr<Directory> OpenOrDie(const std::string& path) {
  Result<std::unique_ptr<Directory>> directory = OpenEmbeddedDirectory(path);
  EXPECT_TRUE(directory.ok()) << directory.status().ToString();
  return directory.ok() ? std::move(directory).value() : nullptr;
}

TEST(EmbeddedDirectoryTest, PlaceLookupAndUpdate) {
  TempDir dir;
  std::unique_ptr<Directory> directory = OpenOrDie(dir.Sub("directory"));
  ASSERT_NE(directory, nullptr);
  EXPECT_EQ(directory->Lookup("alice@example.org").code(), ErrorCode::kNotFound);
  ASSERT_TRUE(directory->Place("alice@example.org", "eu").ok());
  Result<Placement> placement = directory->Lookup("alice@example.org");
  ASSERT_TRUE(placement.ok());
  EXPECT_EQ(placement->account_id, "alice@example.org");
  EXPECT_EQ(placement->home_region, "eu");

  ASSERT_TRUE(directory->Place("alice@example.org", "us").ok());
  EXPECT_EQ(directory->Lookup("alice@example.org")->home_region, "us");

  EXPECT_EQ(directory->Place("", "eu").code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(directory->Place("bob@example.org", "").code(), ErrorCode::kInvalidArgument);
}

TEST(EmbeddedDirectoryTest, RemoveForgetsThePlacement) {
  TempDir dir;
  std::unique_ptr<Directory> directory = OpenOrDie(dir.Sub("directory"));
  ASSERT_NE(directory, nullptr);
  ASSERT_TRUE(directory->Place("alice@example.org", "eu").ok());
  ASSERT_TRUE(directory->Remove("alice@example.org").ok());
  EXPECT_EQ(directory->Lookup("alice@example.org").code(), ErrorCode::kNotFound);
  EXPECT_EQ(directory->Remove("alice@example.org").code(), ErrorCode::kNotFound);
}

TEST(EmbeddedDirectoryTest, ListPagesInAccountOrder) {
  TempDir dir;
  std::unique_ptr<Directory> directory = OpenOrDie(dir.Sub("directory"));
  ASSERT_NE(directory, nullptr);
  std::vector<std::string> accounts;
  for (int i = 24; i >= 0; --i) {  // inserted out of order on purpose
    char name[32];
    snprintf(name, sizeof(name), "user%02d@example.org", i);
    accounts.insert(accounts.begin(), name);
    ASSERT_TRUE(directory->Place(name, i % 2 == 0 ? "eu" : "us").ok());
  }

  std::vector<size_t> page_sizes;
  const std::vector<std::string> seen = ListInPages(*directory, 10, page_sizes);
  EXPECT_EQ(page_sizes, (std::vector<size_t>{10, 10, 5, 0}));
  EXPECT_EQ(seen, accounts);
  EXPECT_TRUE(directory->List("", 0)->empty());
  // "after" need not be an existing account.
  Result<std::vector<Placement>> tail = directory->List("user20", 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(tail->size(), 5u);
  EXPECT_EQ(tail->front().account_id, "user20@example.org");
}

TEST(EmbeddedDirectoryTest, RehomeMovesOnlyFromTheCurrentRegion) {
  TempDir dir;
  std::unique_ptr<Directory> directory = OpenOrDie(dir.Sub("directory"));
  ASSERT_NE(directory, nullptr);
  ExpectRehomeMovesOnlyFromTheCurrentRegion(*directory);
}

TEST(EmbeddedDirectoryTest, ConcurrentRehomesHaveOneWinner) {
  TempDir dir;
  std::unique_ptr<Directory> directory = OpenOrDie(dir.Sub("directory"));
  ASSERT_NE(directory, nullptr);
  ExpectConcurrentRehomesHaveOneWinner(*directory, *directory);
}

TEST(EmbeddedDirectoryTest, PlacementsSurviveReopen) {
  TempDir dir;
  {
    std::unique_ptr<Directory> directory = OpenOrDie(dir.Sub("directory"));
    ASSERT_NE(directory, nullptr);
    ASSERT_TRUE(directory->Place("alice@example.org", "eu").ok());
    ASSERT_TRUE(directory->Place("bob@example.org", "us").ok());
    ASSERT_TRUE(directory->Remove("bob@example.org").ok());
  }
  std::unique_ptr<Directory> directory = OpenOrDie(dir.Sub("directory"));
  ASSERT_NE(directory, nullptr);
  EXPECT_EQ(directory->Lookup("alice@example.org")->home_region, "eu");
  EXPECT_EQ(directory->Lookup("bob@example.org").code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace mailvault::testing
