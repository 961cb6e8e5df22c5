// Replays the fuzz seed corpus through the fuzz harness, so that every
// ctest run (gcc included) checks the corpus.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/common/imap/fuzz_harness.h"

namespace mailvault::imap {
namespace {

TEST(CorpusReplayTest, EverySeedKeepsTheFuzzProperties) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(MAILVAULT_IMAP_CORPUS_DIR)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(testing::CheckImapInput(bytes.str()), "") << entry.path();
    ++files;
  }
  EXPECT_GE(files, 10u);
}

}  // namespace
}  // namespace mailvault::imap
