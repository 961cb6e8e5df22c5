#include "client/mailfiles/maildir.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace mailvault::mailfiles {
namespace {

using namespace std::literals;  // "...\0..."s keeps the NUL
namespace fs = std::filesystem;

class MaildirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "maildir_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = root_ + "/Mail";
  }
  void TearDown() override { fs::remove_all(root_); }

  static std::string FileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static void WriteFile(const std::string& path, const std::string& bytes, time_t mtime = 0) {
    {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out << bytes;
    }
    if (mtime != 0) {
      const timespec times[2] = {{mtime, 0}, {mtime, 0}};
      ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    }
  }

  static std::vector<std::string> Names(const std::vector<std::string>& paths) {
    std::vector<std::string> names;
    for (const std::string& path : paths) names.push_back(fs::path(path).filename().string());
    return names;
  }

  // Writes the message and returns the path; fails the test on error.
  std::string WriteOne(const MailMessage& message, std::string_view hint = {}) {
    auto writer = MaildirWriter::Create(dir_);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    if (!writer.ok()) return {};
    auto path = writer->Write(message, hint);
    EXPECT_TRUE(path.ok()) << path.status().ToString();
    return path.ok() ? *path : std::string();
  }

  std::string root_;
  std::string dir_;
};

TEST_F(MaildirTest, CreateMakesSubdirectoriesWithMode0700) {
  ASSERT_TRUE(MaildirWriter::Create(dir_).ok());
  for (const char* sub : {"", "/cur", "/new", "/tmp"}) {
    struct stat info {};
    ASSERT_EQ(::stat((dir_ + sub).c_str(), &info), 0) << sub;
    EXPECT_TRUE(S_ISDIR(info.st_mode)) << sub;
    EXPECT_EQ(info.st_mode & 07777, 0700u) << sub;
  }
  EXPECT_TRUE(IsMaildir(dir_));
  EXPECT_TRUE(MaildirWriter::Create(dir_).ok());  // again: nothing to do
}

TEST_F(MaildirTest, CreateFailsWhenPathIsAFile) {
  WriteFile(dir_, "x");
  auto writer = MaildirWriter::Create(dir_);
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.code(), ErrorCode::kIOError);
}

TEST_F(MaildirTest, IsMaildirNeedsCurAndNew) {
  EXPECT_FALSE(IsMaildir(dir_));
  fs::create_directories(dir_ + "/cur");
  EXPECT_FALSE(IsMaildir(dir_));
  fs::create_directories(dir_ + "/new");
  EXPECT_TRUE(IsMaildir(dir_));
}

TEST_F(MaildirTest, UnflaggedMessageGoesToNewWithoutInfo) {
  const std::string path = WriteOne({"Subject: x\r\n\r\nhi\r\n", {}, 0});
  EXPECT_EQ(fs::path(path).parent_path().string(), dir_ + "/new");
  EXPECT_EQ(path.find(':', dir_.size()), std::string::npos);
  EXPECT_EQ(FileBytes(path), "Subject: x\r\n\r\nhi\r\n");
  EXPECT_TRUE(fs::is_empty(dir_ + "/tmp"));
  EXPECT_TRUE(fs::is_empty(dir_ + "/cur"));
}

TEST_F(MaildirTest, MessageWithOnlyUnmappableKeywordsGoesToNew) {
  const std::string path = WriteOne({"x\r\n", {"Junk", "\\Recent"}, 0});
  EXPECT_EQ(fs::path(path).parent_path().string(), dir_ + "/new");
}

TEST_F(MaildirTest, SeenMessageGoesToCurWithInfo) {
  const std::string path = WriteOne({"x\r\n", {"\\Seen"}, 0});
  EXPECT_EQ(fs::path(path).parent_path().string(), dir_ + "/cur");
  EXPECT_TRUE(path.ends_with(":2,S")) << path;
  EXPECT_TRUE(fs::is_empty(dir_ + "/new"));
}

TEST_F(MaildirTest, UnseenFlaggedMessageGoesToCur) {
  const std::string path = WriteOne({"x\r\n", {"\\Flagged"}, 0});
  EXPECT_EQ(fs::path(path).parent_path().string(), dir_ + "/cur");
  EXPECT_TRUE(path.ends_with(":2,F")) << path;
}

TEST_F(MaildirTest, GeneratedNameHasSpecShape) {
  const std::string path = WriteOne({"x\r\n", {"\\Seen"}, 0});
  char host[256] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  const std::string name = fs::path(path).filename().string();
  const std::string expected_tail = "." + MaildirHostName(host) + ":2,S";
  ASSERT_TRUE(name.ends_with(expected_tail)) << name;
  const std::string head = name.substr(0, name.size() - expected_tail.size());
  EXPECT_TRUE(std::regex_match(
      head, std::regex("[0-9]+\\.M[0-9]+P" + std::to_string(::getpid()) + "Q[0-9]+")))
      << name;
}

TEST(MaildirFlagsTest, LettersInAsciiOrder) {
  EXPECT_EQ(MaildirFlagLetters(
                {"\\Seen", "\\Deleted", "\\Answered", "$Forwarded", "\\Flagged", "\\Draft"}),
            "DFPRST");
  EXPECT_EQ(MaildirFlagLetters({"\\Seen", "\\Answered"}), "RS");
  EXPECT_EQ(MaildirFlagLetters({"\\SEEN", "\\seen", "$forwarded"}), "PS");
  EXPECT_EQ(MaildirFlagLetters({"Junk", "\\Recent", "NonJunk", "Seen"}), "");
  EXPECT_EQ(MaildirFlagLetters({}), "");
}

TEST(MaildirFlagsTest, FlagsFromNames) {
  using Flags = std::vector<std::string>;
  EXPECT_EQ(FlagsFromMaildirName("1700000000.M1P2.host:2,RS"), (Flags{"\\Answered", "\\Seen"}));
  EXPECT_EQ(FlagsFromMaildirName("/m/cur/1.M1P2.host:2,TSRPFD"),
            (Flags{"\\Draft", "\\Flagged", "$Forwarded", "\\Answered", "\\Seen", "\\Deleted"}));
  EXPECT_EQ(FlagsFromMaildirName("1.M1P2.host:2,Sab"), (Flags{"\\Seen"}));  // Dovecot keywords
  EXPECT_EQ(FlagsFromMaildirName("1.M1P2.host:2,"), Flags{});
  EXPECT_EQ(FlagsFromMaildirName("1.M1P2.host"), Flags{});
  EXPECT_EQ(FlagsFromMaildirName("/m/cur:2,S/1.M1P2.host"), Flags{});  // only the file name counts
}

TEST(MaildirFlagsTest, LettersRoundTripThroughNames) {
  const std::vector<std::string> all = {"\\Draft",    "\\Flagged", "$Forwarded",
                                        "\\Answered", "\\Seen",    "\\Deleted"};
  for (unsigned mask = 0; mask < 64; ++mask) {
    std::vector<std::string> flags;
    for (unsigned bit = 0; bit < 6; ++bit) {
      if (mask & (1u << bit)) flags.push_back(all[bit]);
    }
    EXPECT_EQ(FlagsFromMaildirName("x:2," + MaildirFlagLetters(flags)), flags) << mask;
  }
}

TEST(MaildirHostNameTest, EscapesSlashAndColon) {
  EXPECT_EQ(MaildirHostName("mail.example.com"), "mail.example.com");
  EXPECT_EQ(MaildirHostName("a/b:c"), "a\\057b\\072c");
  EXPECT_EQ(MaildirHostName(""), "localhost");
}

TEST_F(MaildirTest, RoundTripsBytesFlagsAndDate) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  std::string big = "Subject: big\r\n\r\n";
  while (big.size() < 5 * 1024 * 1024) big += "From x\0\xff\r\n"s + all_bytes + "\r\n";
  const std::vector<MailMessage> messages = {
      {"Subject: crlf\r\n\r\nbody\r\n", {"\\Seen", "\\Answered"}, 1700000000},
      {"Subject: lf\n\nbody\n", {}, 1600000000},
      {"no final newline", {"\\Draft"}, 1500000000},
      {"", {"\\Deleted", "\\Seen"}, 1400000000},
      {"8bit \xc3\xa9\0\r\n"s + all_bytes, {"$Forwarded", "\\Flagged"}, 1300000000},
      {big, {"\\Seen"}, 1200000000},
  };
  auto writer = MaildirWriter::Create(dir_);
  ASSERT_TRUE(writer.ok());
  std::vector<std::string> written;
  for (const MailMessage& message : messages) {
    auto path = writer->Write(message);
    ASSERT_TRUE(path.ok()) << path.status().ToString();
    written.push_back(*path);
  }
  auto listed = ListMaildir(dir_);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), messages.size());
  std::vector<std::string> sorted_written = written;
  std::sort(sorted_written.begin(), sorted_written.end());
  std::vector<std::string> sorted_listed = *listed;
  std::sort(sorted_listed.begin(), sorted_listed.end());
  EXPECT_EQ(sorted_listed, sorted_written);
  for (size_t i = 0; i < messages.size(); ++i) {
    auto read = ReadMaildirMessage(written[i]);
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_TRUE(read->bytes == messages[i].bytes)
        << "message " << i << " differs; sizes " << read->bytes.size() << " and "
        << messages[i].bytes.size();
    EXPECT_EQ(read->internal_date, messages[i].internal_date) << i;
    std::vector<std::string> expected_flags = messages[i].flags;
    std::vector<std::string> read_flags = read->flags;
    std::sort(expected_flags.begin(), expected_flags.end());
    std::sort(read_flags.begin(), read_flags.end());
    EXPECT_EQ(read_flags, expected_flags) << i;
  }
}

TEST_F(MaildirTest, UnknownInternalDateLeavesMtimeAtWriteTime) {
  const time_t before = std::time(nullptr);
  auto read = ReadMaildirMessage(WriteOne({"x\r\n", {}, 0}));
  ASSERT_TRUE(read.ok());
  EXPECT_GE(read->internal_date, before - 1);
  EXPECT_LE(read->internal_date, std::time(nullptr) + 1);
}

TEST_F(MaildirTest, ManyWritesGetDistinctNames) {
  auto writer = MaildirWriter::Create(dir_);
  ASSERT_TRUE(writer.ok());
  std::set<std::string> names;
  for (int i = 0; i < 200; ++i) {
    auto path = writer->Write({"m" + std::to_string(i) + "\r\n", {}, 0});
    ASSERT_TRUE(path.ok()) << path.status().ToString();
    names.insert(*path);
  }
  EXPECT_EQ(names.size(), 200u);
  auto listed = ListMaildir(dir_);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(listed->size(), 200u);
}

TEST_F(MaildirTest, UniqueHintNamesTheFile) {
  EXPECT_EQ(WriteOne({"a\r\n", {"\\Seen"}, 0}, "uid-42"), dir_ + "/cur/uid-42:2,S");
  EXPECT_EQ(WriteOne({"b\r\n", {}, 0}, "uid-43"), dir_ + "/new/uid-43");

  auto writer = MaildirWriter::Create(dir_);
  ASSERT_TRUE(writer.ok());
  auto again = writer->Write({"c\r\n", {"\\Seen"}, 0}, "uid-42");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.code(), ErrorCode::kAlreadyExists);
  EXPECT_EQ(FileBytes(dir_ + "/cur/uid-42:2,S"), "a\r\n");  // not replaced
  EXPECT_TRUE(fs::is_empty(dir_ + "/tmp"));                 // nothing left behind

  for (std::string_view bad : std::vector<std::string_view>{"a/b", "a:2,S", ".hidden", "a\0b"sv}) {
    auto result = writer->Write({"d\r\n", {}, 0}, bad);
    ASSERT_FALSE(result.ok()) << bad;
    EXPECT_EQ(result.code(), ErrorCode::kInvalidArgument) << bad;
  }
}

TEST_F(MaildirTest, ListIsSortedAndSkipsTmpDotFilesAndDirectories) {
  fs::create_directories(dir_ + "/cur");
  fs::create_directories(dir_ + "/new");
  fs::create_directories(dir_ + "/tmp");
  WriteFile(dir_ + "/cur/1700000002.M1P2.host:2,S", "c");
  WriteFile(dir_ + "/new/1700000001.M1P2.host", "b");
  WriteFile(dir_ + "/cur/1700000000.M1P2.host:2,RS", "a");
  WriteFile(dir_ + "/new/1700000003.M1P2.host", "d");
  WriteFile(dir_ + "/tmp/1600000000.M1P2.host", "in progress");
  WriteFile(dir_ + "/cur/.hidden", "x");
  WriteFile(dir_ + "/new/.1500000000.M1P2.host", "x");
  WriteFile(dir_ + "/dovecot-uidlist", "x");
  fs::create_directories(dir_ + "/cur/subdir");
  fs::create_directories(dir_ + "/.Sent/cur");

  auto listed = ListMaildir(dir_);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(*listed, (std::vector<std::string>{
                         dir_ + "/cur/1700000000.M1P2.host:2,RS",
                         dir_ + "/new/1700000001.M1P2.host",
                         dir_ + "/cur/1700000002.M1P2.host:2,S",
                         dir_ + "/new/1700000003.M1P2.host",
                     }));
}

TEST_F(MaildirTest, ReadsHandWrittenMaildir) {
  fs::create_directories(dir_ + "/cur");
  fs::create_directories(dir_ + "/new");  // no tmp/: other programs may leave it out
  WriteFile(dir_ + "/cur/1700000000.M1P2.host:2,RS", "Subject: a\r\n\r\nhi\r\n", 1700000000);
  WriteFile(dir_ + "/new/1700000100.M5P6.host", "Subject: b\r\n\r\nnew\r\n", 1700000100);
  WriteFile(dir_ + "/cur/1700000200.M7P8.host:2,", "Subject: c\r\n\r\nread, no flags\r\n",
            1700000200);

  auto listed = ListMaildir(dir_);
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(Names(*listed),
            (std::vector<std::string>{"1700000000.M1P2.host:2,RS", "1700000100.M5P6.host",
                                      "1700000200.M7P8.host:2,"}));

  auto first = ReadMaildirMessage((*listed)[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->bytes, "Subject: a\r\n\r\nhi\r\n");
  EXPECT_EQ(first->flags, (std::vector<std::string>{"\\Answered", "\\Seen"}));
  EXPECT_EQ(first->internal_date, 1700000000);

  auto second = ReadMaildirMessage((*listed)[1]);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->bytes, "Subject: b\r\n\r\nnew\r\n");
  EXPECT_TRUE(second->flags.empty());
  EXPECT_EQ(second->internal_date, 1700000100);

  auto third = ReadMaildirMessage((*listed)[2]);
  ASSERT_TRUE(third.ok());
  EXPECT_TRUE(third->flags.empty());
  EXPECT_EQ(third->internal_date, 1700000200);
}

TEST_F(MaildirTest, ListOfNonMaildirFails) {
  auto missing = ListMaildir(dir_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);

  fs::create_directories(dir_ + "/cur");
  auto no_new = ListMaildir(dir_);
  ASSERT_FALSE(no_new.ok());
  EXPECT_EQ(no_new.code(), ErrorCode::kMalformed);
  EXPECT_NE(no_new.status().message().find(dir_), std::string::npos);
}

TEST_F(MaildirTest, ReadOfVanishedFileIsNotFound) {
  auto read = ReadMaildirMessage(dir_ + "/new/gone");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.code(), ErrorCode::kNotFound);
}

TEST_F(MaildirTest, MessageFilesHaveMode0600) {
  struct stat info {};
  ASSERT_EQ(::stat(WriteOne({"x\r\n", {"\\Seen"}, 0}).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0077, 0u);
}

}  // namespace
}  // namespace mailvault::mailfiles
