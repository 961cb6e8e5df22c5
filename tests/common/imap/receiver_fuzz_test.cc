// libFuzzer target (clang only): random bytes in random splits through the
// receiver and the argument parsers. Seeds: tests/common/imap/corpus/.
//   build-clang/tests/common/imap/imap_receiver_fuzz_test -max_total_time=60 \
//       /tmp/imap-corpus tests/common/imap/corpus
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/common/imap/fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure = mailvault::imap::testing::CheckImapInput(
      std::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "%s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
