// Replays every fuzz target's corpus (seeds and the inputs of crashes
// found and fixed) through its check, in the regular build, so that every
// ctest run holds the fuzz properties on them with any compiler.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "tests/fuzz/fuzz_checks.h"

namespace mailvault::fuzz {
namespace {

struct Target {
  const char* name;
  std::string (*check)(std::string_view);
};

// Names the parameter in test listings (ctest's names), instead of its bytes.
void PrintTo(const Target& target, std::ostream* out) { *out << target.name; }

constexpr Target kTargets[] = {
    {"imap_receiver", CheckImapReceiver},
    {"imap_args", CheckImapArgs},
    {"imap_names", CheckImapNames},
    {"sasl_base64", CheckSaslBase64},
    {"lmtp", CheckLmtp},
    {"mime", CheckMime},
    {"imap_responses", CheckImapResponses},
    {"config", CheckConfig},
    {"sealed", CheckSealed},
    {"account_logs", CheckAccountLogs},
};

class CorpusReplayTest : public ::testing::TestWithParam<Target> {};

TEST_P(CorpusReplayTest, EveryInputKeepsTheProperties) {
  const std::filesystem::path dir =
      std::filesystem::path(MAILVAULT_FUZZ_CORPUS_DIR) / GetParam().name;
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    EXPECT_EQ(GetParam().check(bytes.str()), "") << entry.path();
    ++files;
  }
  EXPECT_GE(files, 3u) << "a corpus of a few seeds at least, in " << dir;
}

INSTANTIATE_TEST_SUITE_P(Fuzz, CorpusReplayTest, ::testing::ValuesIn(kTargets),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace mailvault::fuzz
