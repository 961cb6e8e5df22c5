#include "client/mailfiles/mbox.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace mailvault::mailfiles {
namespace {

using namespace std::string_literals;  // "...\0..."s keeps the NUL

// Exact byte comparison that stays readable (and fast) for 5 MiB messages,
// where EXPECT_EQ's diff would take minutes.
::testing::AssertionResult SameBytes(const std::string& actual, const std::string& expected) {
  if (actual == expected) return ::testing::AssertionSuccess();
  size_t at = 0;
  while (at < actual.size() && at < expected.size() && actual[at] == expected[at]) ++at;
  auto excerpt = [at](const std::string& s) {
    return ::testing::PrintToString(s.substr(at >= 8 ? at - 8 : 0, 24));
  };
  return ::testing::AssertionFailure()
         << "sizes " << actual.size() << " and " << expected.size() << ", first difference at "
         << at << ": " << excerpt(actual) << " vs " << excerpt(expected);
}

class MboxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "mbox_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/out.mbox";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  void WriteMbox(const std::vector<MailMessage>& messages) {
    auto writer = MboxWriter::Create(path_);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    for (const MailMessage& message : messages) {
      ASSERT_TRUE(writer->Append(message).ok());
    }
    ASSERT_TRUE(writer->Close().ok());
  }

  std::vector<MailMessage> ReadMbox() {
    std::vector<MailMessage> messages;
    auto reader = MboxReader::Open(path_);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return messages;
    while (true) {
      auto next = reader->Next();
      EXPECT_TRUE(next.ok()) << next.status().ToString();
      if (!next.ok() || !next->has_value()) break;
      messages.push_back(std::move(**next));
    }
    return messages;
  }

  std::string FileBytes() {
    std::ifstream in(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  void WriteFileBytes(const std::string& bytes) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out << bytes;
  }

  // Writes each body as one message and expects exactly the same bytes back.
  void ExpectRoundTrip(const std::vector<std::string>& bodies) {
    std::vector<MailMessage> messages;
    for (const std::string& body : bodies) messages.push_back({body, {}, 1700000000});
    WriteMbox(messages);
    const std::vector<MailMessage> read = ReadMbox();
    ASSERT_EQ(read.size(), bodies.size());
    for (size_t i = 0; i < bodies.size(); ++i) {
      EXPECT_TRUE(SameBytes(read[i].bytes, bodies[i])) << "message " << i;
      EXPECT_EQ(read[i].internal_date, 1700000000) << "message " << i;
    }
  }

  std::string dir_;
  std::string path_;
};

TEST_F(MboxTest, WritesMboxrdLayoutExactly) {
  WriteMbox({{"Subject: a\r\n\r\nFrom here\r\n>From there\r\n", {"\\Seen"}, 1700000000},
             {"Subject: b\n\nbody\n", {}, 0}});
  EXPECT_EQ(FileBytes(),
            "From MAILER-DAEMON Tue Nov 14 22:13:20 2023\n"
            "Subject: a\r\n\r\n>From here\r\n>>From there\r\n"
            "\n"
            "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"
            "Subject: b\n\nbody\n"
            "\n");
}

TEST_F(MboxTest, RoundTripsCrlfMessage) {
  ExpectRoundTrip({"From: a@example.com\r\nSubject: hi\r\n\r\nline one\r\nline two\r\n"});
}

TEST_F(MboxTest, RoundTripsLfMessage) {
  ExpectRoundTrip({"From: a@example.com\nSubject: hi\n\nline one\n"});
}

TEST_F(MboxTest, RoundTripsEightBitAndNulBytes) {
  std::string all_bytes;
  for (int i = 0; i < 256; ++i) all_bytes += static_cast<char>(i);
  ExpectRoundTrip(
      {"Subject: \xc3\xa9t\xc3\xa9\r\n\r\n\0nul\0\r\n"s + all_bytes + "\r\n", "\xff\xfe\x80\r\n"s});
}

TEST_F(MboxTest, RoundTripsFromLinesAtEveryQuoteDepth) {
  ExpectRoundTrip({
      "From x\r\n",  // a body line in first position
      "S: 1\r\n\r\nFrom me\r\n>From you\r\n>>From them\r\n>>>From  all\r\n",
      "S: 2\n\nFrom\n>From\nFromage\n> From x\n>>from x\n",  // not "From " lines
      "S: 3\r\n\r\nFrom \r\n>From \r\n",
  });
}

TEST_F(MboxTest, RoundTripsEmptyMessage) {
  ExpectRoundTrip({""});
  ExpectRoundTrip({"a\r\n", "", "", "b\r\n", ""});
}

TEST_F(MboxTest, RoundTripsMessagesEndingInBlankLinesOrBareNewlines) {
  ExpectRoundTrip({"a\r\n\r\n", "b\n\n\n", "\n", "\r\n", "\r\n\r\n"});
}

TEST_F(MboxTest, MessageWithoutFinalNewlineGainsOne) {
  // mbox cannot say where such a message ended (documented in mbox.h).
  WriteMbox({{"Subject: x\r\n\r\nno newline", {}, 0}, {"From y", {}, 0}, {"c\r", {}, 0}});
  const std::vector<MailMessage> read = ReadMbox();
  ASSERT_EQ(read.size(), 3u);
  EXPECT_EQ(read[0].bytes, "Subject: x\r\n\r\nno newline\n");
  EXPECT_EQ(read[1].bytes, "From y\n");
  EXPECT_EQ(read[2].bytes, "c\r\n");
}

TEST_F(MboxTest, RoundTripsFiveMiBMessage) {
  std::string big = "Subject: big\r\n\r\n";
  std::string line;
  for (int i = 0; big.size() < 5 * 1024 * 1024; ++i) {
    line = (i % 97 == 0 ? "From line " : i % 89 == 0 ? ">From q " : "data ") + std::to_string(i);
    line += static_cast<char>(i % 256);  // every byte value, NUL and '\r' included
    big += line + "\r\n";
  }
  big += "a long line " + std::string(200000, 'x') + "\r\n";
  ExpectRoundTrip({big, "small\r\n", big});
}

TEST_F(MboxTest, RoundTripsManyMessages) {
  std::vector<std::string> bodies;
  for (int i = 0; i < 2000; ++i) {
    bodies.push_back("Message-ID: <" + std::to_string(i) + "@x>\r\n\r\n" +
                     (i % 3 == 0 ? "From " : "body ") + std::to_string(i) + "\r\n" +
                     std::string(static_cast<size_t>(i % 50), '\n'));
  }
  ExpectRoundTrip(bodies);
}

TEST_F(MboxTest, RoundTripsInternalDates) {
  const std::vector<int64_t> dates = {0,          1,          86399,      86400,  951782400,
                                      1700000000, 2147483648, 4102444800, -86400, -1};
  std::vector<MailMessage> messages;
  for (int64_t date : dates) messages.push_back({"x\r\n", {}, date});
  WriteMbox(messages);
  const std::vector<MailMessage> read = ReadMbox();
  ASSERT_EQ(read.size(), dates.size());
  for (size_t i = 0; i < dates.size(); ++i) EXPECT_EQ(read[i].internal_date, dates[i]);
  EXPECT_NE(FileBytes().find("From MAILER-DAEMON Tue Feb 29 00:00:00 2000\n"), std::string::npos);
  EXPECT_NE(FileBytes().find("From MAILER-DAEMON Wed Dec 31 23:59:59 1969\n"), std::string::npos);
}

TEST_F(MboxTest, DoesNotKeepFlags) {
  WriteMbox({{"x\r\n", {"\\Seen", "\\Flagged"}, 0}});
  const std::vector<MailMessage> read = ReadMbox();
  ASSERT_EQ(read.size(), 1u);
  EXPECT_TRUE(read[0].flags.empty());
  EXPECT_EQ(read[0].bytes, "x\r\n");
}

TEST_F(MboxTest, ReadsDatesOfOtherWritersFromLines) {
  WriteFileBytes(
      "From joe@example.com Sat Jan  3 01:05:34 1996\n"
      "a\n\n"
      "From joe@example.com Tue Nov 14 22:13 2023\n"
      "b\n\n"
      "From joe@example.com Tue Nov 14 23:13:20 +0100 2023\n"
      "c\n\n"
      "From joe@example.com Tue Nov 14 22:13:20 2023 -0130\r\n"
      "d\n\n"
      "From joe@example.com Tue Nov 14 22:13:20 UTC 2023\n"
      "e\n\n"
      "From someone\n"
      "f\n\n");
  const std::vector<MailMessage> read = ReadMbox();
  ASSERT_EQ(read.size(), 6u);
  EXPECT_EQ(read[0].internal_date, 820631134);
  EXPECT_EQ(read[1].internal_date, 1700000000 - 20);
  EXPECT_EQ(read[2].internal_date, 1700000000);
  EXPECT_EQ(read[3].internal_date, 1700000000 + 5400);
  EXPECT_EQ(read[4].internal_date, 1700000000);
  EXPECT_EQ(read[5].internal_date, 0);  // no date: still imported
  EXPECT_EQ(read[5].bytes, "f\n");
}

TEST_F(MboxTest, KeepsLastNewlineWhenAnotherWriterLeftOutTheBlankLine) {
  WriteFileBytes("From a Tue Nov 14 22:13:20 2023\nfirst\nFrom b Tue Nov 14 22:13:20 2023\nlast");
  const std::vector<MailMessage> read = ReadMbox();
  ASSERT_EQ(read.size(), 2u);
  EXPECT_EQ(read[0].bytes, "first\n");
  EXPECT_EQ(read[1].bytes, "last");
}

TEST_F(MboxTest, RejectsFileNotStartingWithFrom) {
  WriteFileBytes("Subject: not an mbox\r\n\r\nFrom here\r\n");
  auto reader = MboxReader::Open(path_);
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.code(), ErrorCode::kMalformed);
  EXPECT_NE(reader.status().message().find(path_), std::string::npos);
  EXPECT_EQ(reader.status().message().find('\n'), std::string::npos);
}

TEST_F(MboxTest, RejectsFromWithoutSpace) {
  WriteFileBytes("From:someone\n\n");
  EXPECT_EQ(MboxReader::Open(path_).code(), ErrorCode::kMalformed);
}

TEST_F(MboxTest, EmptyFileHasNoMessages) {
  WriteMbox({});
  EXPECT_EQ(FileBytes(), "");
  EXPECT_TRUE(ReadMbox().empty());
}

TEST_F(MboxTest, MissingFileIsIOError) {
  auto reader = MboxReader::Open(dir_ + "/missing.mbox");
  ASSERT_FALSE(reader.ok());
  EXPECT_EQ(reader.code(), ErrorCode::kIOError);
  EXPECT_NE(reader.status().message().find("No such file"), std::string::npos);
}

TEST_F(MboxTest, CreateInMissingDirectoryIsIOError) {
  auto writer = MboxWriter::Create(dir_ + "/no/such/dir.mbox");
  ASSERT_FALSE(writer.ok());
  EXPECT_EQ(writer.code(), ErrorCode::kIOError);
}

TEST_F(MboxTest, CreateTruncatesAndSetsMode0600) {
  WriteFileBytes("old contents that must go\n");
  ASSERT_EQ(::chmod(path_.c_str(), 0644), 0);
  WriteMbox({{"new\r\n", {}, 0}});
  EXPECT_EQ(FileBytes(), "From MAILER-DAEMON Thu Jan  1 00:00:00 1970\nnew\r\n\n");
  struct stat info {};
  ASSERT_EQ(::stat(path_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
}

TEST_F(MboxTest, AppendAfterCloseFails) {
  auto writer = MboxWriter::Create(path_);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE(writer->Close().ok());
  EXPECT_FALSE(writer->Append({"x\n", {}, 0}).ok());
  EXPECT_TRUE(writer->Close().ok());
}

TEST(LooksLikeMboxTest, NeedsFromAndSpace) {
  EXPECT_TRUE(LooksLikeMbox("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n"));
  EXPECT_TRUE(LooksLikeMbox("From "));
  EXPECT_FALSE(LooksLikeMbox("From"));
  EXPECT_FALSE(LooksLikeMbox("From:"));
  EXPECT_FALSE(LooksLikeMbox(">From "));
  EXPECT_FALSE(LooksLikeMbox("from "));
  EXPECT_FALSE(LooksLikeMbox(""));
}

}  // namespace
}  // namespace mailvault::mailfiles
