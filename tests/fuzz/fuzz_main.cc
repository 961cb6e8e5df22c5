// The libFuzzer entry point of every target: MAILVAULT_FUZZ_CHECK names the
// target's check (fuzz_checks.h). A violated property aborts, so libFuzzer
// saves the input as a crash like any sanitizer report.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string failure =
      mailvault::fuzz::MAILVAULT_FUZZ_CHECK(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!failure.empty()) {
    std::fprintf(stderr, "fuzz property violated: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
