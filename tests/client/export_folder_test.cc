// `mailvault export --maildir`: mailbox names from the vault stay folders
// inside the export folder.
#include "client/mailfiles/export_folder.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

namespace mailvault::mailfiles {
namespace {

namespace fs = std::filesystem;

class ExportFolderTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/export-folder-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    base_ = pattern;
    root_ = base_ + "/export";
  }
  void TearDown() override { fs::remove_all(base_); }

  std::string base_;
  std::string root_;
};

TEST(ExportFolderNameTest, RefusesLevelsThatLeaveTheFolder) {
  struct Case {
    std::string name;
    std::string expected;  // "ok" or the message
  };
  const std::vector<Case> cases = {
      {"INBOX", "ok"},
      {"Archive/2024", "ok"},
      {"...", "ok"},
      {".hidden/a..b", "ok"},
      {"", "the name is empty"},
      {"..", "the name has a \"..\" level"},
      {"../../.ssh", "the name has a \"..\" level"},
      {"a/../../b", "the name has a \"..\" level"},
      {"a/.", "the name has a \".\" level"},
      {"/etc", "the name has an empty level"},
      {"a//b", "the name has an empty level"},
      {"a/", "the name has an empty level"},
      {std::string("a\0/../b", 7), "the name holds a NUL byte"},
  };
  for (const Case& c : cases) {
    const Status status = CheckMailboxFolderName(c.name);
    EXPECT_EQ(status.ok() ? "ok" : status.message(), c.expected) << c.name;
  }
}

TEST_F(ExportFolderTest, CreatesEachLevelInsideTheRoot) {
  Result<std::string> folder = CreateMailboxFolder(root_, "Archive/2024");
  ASSERT_TRUE(folder.ok()) << folder.status().ToString();
  EXPECT_EQ(*folder, root_ + "/Archive/2024");
  EXPECT_TRUE(fs::is_directory(*folder));
  EXPECT_TRUE(CreateMailboxFolder(root_, "Archive/2024").ok());  // again: still fine
}

TEST_F(ExportFolderTest, RefusesDotLevelsBeforeCreatingAnything) {
  Result<std::string> folder = CreateMailboxFolder(root_, "../outside");
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(fs::exists(base_ + "/outside"));
  EXPECT_FALSE(fs::exists(root_));
}

TEST_F(ExportFolderTest, DoesNotFollowALinkPlantedInTheRoot) {
  fs::create_directories(root_);
  fs::create_directories(base_ + "/elsewhere");
  fs::create_directory_symlink(base_ + "/elsewhere", root_ + "/Archive");
  Result<std::string> folder = CreateMailboxFolder(root_, "Archive/2024");
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(folder.status().message().find("symbolic link"), std::string::npos);
  EXPECT_FALSE(fs::exists(base_ + "/elsewhere/2024"));

  // Nor one where the Maildir's new/ would be.
  fs::create_directories(root_ + "/INBOX");
  fs::create_directory_symlink(base_ + "/elsewhere", root_ + "/INBOX/new");
  folder = CreateMailboxFolder(root_, "INBOX");
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.status().message().find("INBOX/new is a symbolic link"), std::string::npos);
}

TEST_F(ExportFolderTest, TheRootItselfMayBeALink) {
  fs::create_directories(base_ + "/real");
  fs::create_directory_symlink(base_ + "/real", root_);
  Result<std::string> folder = CreateMailboxFolder(root_, "INBOX");
  ASSERT_TRUE(folder.ok()) << folder.status().ToString();
  EXPECT_TRUE(fs::is_directory(base_ + "/real/INBOX"));
}

}  // namespace
}  // namespace mailvault::mailfiles
