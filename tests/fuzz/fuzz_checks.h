// The fuzz targets, one check per parser. A check takes any bytes, runs
// them through the parser and returns "" or a description of the first
// property that does not hold (a crash or a sanitizer report is a failure
// too). The same function runs under libFuzzer (<name>_fuzz, fuzz_main.cc)
// and over the checked-in corpora in the regular build
// (fuzz_corpus_replay_tests), so both judge the code the same way.
// docs/FUZZING.md lists what each one checks.
#pragma once

#include <string>
#include <string_view>

namespace mailvault::fuzz {

std::string CheckImapReceiver(std::string_view input);
std::string CheckImapArgs(std::string_view input);
std::string CheckImapNames(std::string_view input);
std::string CheckSaslBase64(std::string_view input);
std::string CheckLmtp(std::string_view input);
std::string CheckMime(std::string_view input);
std::string CheckImapResponses(std::string_view input);
std::string CheckConfig(std::string_view input);
std::string CheckSealed(std::string_view input);
std::string CheckAccountLogs(std::string_view input);

}  // namespace mailvault::fuzz
