#include "tests/common/imap/fuzz_harness.h"

#include <cstdint>
#include <random>
#include <vector>

#include "common/imap/imap_date.h"
#include "common/imap/modified_utf7.h"
#include "common/base64.h"
#include "common/imap/sequence_set.h"
#include "common/imap/utf8.h"
#include "tests/common/imap/receiver_driver.h"

namespace mailvault::imap::testing {
namespace {

std::string Join(const std::vector<std::string>& events) {
  std::string out;
  for (const std::string& event : events) out += event + "\n";
  return out;
}

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) hash = (hash ^ c) * 1099511628211ull;
  return hash;
}

std::string CheckReceiver(std::string_view input) {
  for (const ReceiverLimits& limits : {ReceiverLimits::PreAuth(), ReceiverLimits::PostAuth()}) {
    const std::string whole = Join(DriveReceiver(input, {}, limits));
    std::mt19937_64 rng(Fnv1a(input));
    std::vector<size_t> chunks;
    for (int i = 0; i < 8; ++i) chunks.push_back(1 + rng() % 64);
    if (Join(DriveReceiver(input, chunks, limits)) != whole) {
      return "random split changed the events; whole input gave:\n" + whole;
    }
    if (input.size() <= 4096) {
      const size_t one[] = {1};
      if (Join(DriveReceiver(input, one, limits)) != whole) {
        return "byte-by-byte feeding changed the events; whole input gave:\n" + whole;
      }
    }
  }
  return "";
}

std::string CheckSequenceSet(std::string_view input) {
  Result<SequenceSet> set = SequenceSet::Parse(input);
  if (!set.ok()) return "";
  for (uint32_t largest : {0u, 1u, 1000u, 4294967295u}) {
    const NumberSet resolved = set->Resolve(largest);
    const std::vector<NumberRange>& ranges = resolved.ranges();
    for (size_t i = 0; i < ranges.size(); ++i) {
      if (ranges[i].first == 0 || ranges[i].first > ranges[i].last ||
          (i > 0 && uint64_t{ranges[i - 1].last} + 1 >= ranges[i].first)) {
        return "resolved sequence set is not normalised: " + resolved.ToString();
      }
    }
    if (!ranges.empty() && !resolved.Contains(ranges.back().last)) return "membership broken";
  }
  Result<SequenceSet> again = SequenceSet::Parse(set->ToString());
  if (!again.ok() || again->ToString() != set->ToString()) {
    return "sequence set does not reparse from " + set->ToString();
  }
  return "";
}

std::string CheckModifiedUtf7(std::string_view input) {
  Result<std::string> decoded = DecodeModifiedUtf7(input);
  if (decoded.ok()) {
    // Strict decoding means one spelling per name.
    Result<std::string> encoded = EncodeModifiedUtf7(decoded.value());
    if (!encoded.ok() || encoded.value() != input) return "modified UTF-7 is not canonical";
  }
  if (IsValidUtf8(input)) {
    Result<std::string> encoded = EncodeModifiedUtf7(input);
    if (!encoded.ok()) return "valid UTF-8 did not encode";
    Result<std::string> back = DecodeModifiedUtf7(encoded.value());
    if (!back.ok() || back.value() != input) return "modified UTF-7 round trip failed";
  }
  return "";
}

std::string CheckDatesAndBase64(std::string_view input) {
  Result<ImapDateTime> date = ParseDateTime(input);
  if (date.ok()) {
    Result<ImapDateTime> again =
        ParseDateTime(FormatDateTime(date->unix_seconds, date->zone_minutes));
    if (!again.ok() || again.value() != date.value()) return "date-time round trip failed";
  }
  Result<std::string> bytes = DecodeBase64(input);
  if (bytes.ok()) {
    Result<std::string> back = DecodeBase64(EncodeBase64(bytes.value()));
    if (!back.ok() || back.value() != bytes.value()) return "base64 round trip failed";
  }
  return "";
}

}  // namespace

std::string CheckImapInput(std::string_view input) {
  for (auto check : {CheckReceiver, CheckSequenceSet, CheckModifiedUtf7, CheckDatesAndBase64}) {
    std::string failure = check(input);
    if (!failure.empty()) return failure;
  }
  return "";
}

}  // namespace mailvault::imap::testing
