// imap_names: the small grammars of common/imap, chosen by the first byte:
// sequence sets, modified UTF-7, mailbox names in both wire encodings,
// IMAP URLs (RFC 5092) and dates.
#include <string>

#include "common/imap/fetch_args.h"
#include "common/imap/imap_date.h"
#include "common/imap/imap_url.h"
#include "common/imap/mailbox_name.h"
#include "common/imap/modified_utf7.h"
#include "common/imap/sequence_set.h"
#include "common/imap/utf8.h"
#include "tests/fuzz/fuzz_checks.h"
#include "tests/fuzz/fuzz_input.h"

namespace mailvault::fuzz {
namespace {

using namespace imap;

template <typename T>
std::string CheckError(const Result<T>& result) {
  if (result.ok() || IsOneLine(result.status().message())) return "";
  return "error is not one line: " + Printable(result.status().message());
}

// Resolving keeps ranges normalised and never expands them; the written
// form parses back to itself.
std::string CheckSequenceSet(std::string_view input) {
  Result<SequenceSet> set = SequenceSet::Parse(input);
  if (!set.ok()) return CheckError(set);
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
    const NumberSet clamped = resolved.ClampedTo(largest);
    if (!clamped.empty() && clamped.Max() > largest) return "ClampedTo kept a larger number";
    if (set->has_star() && largest > 0 && !resolved.Contains(largest)) return "'*' not included";
    if (!set->is_saved_result()) {
      Result<SequenceSet> again = SequenceSet::Parse(resolved.empty() ? "1" : resolved.ToString());
      if (!resolved.empty() && (!again.ok() || again->Resolve(0) != resolved)) {
        return "resolved set does not reparse: " + resolved.ToString();
      }
    }
  }
  Result<SequenceSet> again = SequenceSet::Parse(set->ToString());
  if (!again.ok() || again->ToString() != set->ToString()) {
    return "sequence set does not reparse from " + set->ToString();
  }
  return "";
}

// Strict decoding means one spelling per name; valid UTF-8 round-trips.
std::string CheckModifiedUtf7(std::string_view input) {
  Result<std::string> decoded = DecodeModifiedUtf7(input);
  if (decoded.ok()) {
    if (!IsValidUtf8(*decoded)) return "modified UTF-7 decoded to invalid UTF-8";
    Result<std::string> encoded = EncodeModifiedUtf7(decoded.value());
    if (!encoded.ok() || encoded.value() != input) return "modified UTF-7 is not canonical";
  }
  if (IsValidUtf8(input)) {
    Result<std::string> encoded = EncodeModifiedUtf7(input);
    if (!encoded.ok()) return "valid UTF-8 did not encode";
    Result<std::string> back = DecodeModifiedUtf7(encoded.value());
    if (!back.ok() || back.value() != input) return "modified UTF-7 round trip failed";
  }
  return CheckError(decoded);
}

// Wire -> internal -> wire -> internal is stable in both encodings, and
// what decodes validates.
std::string CheckMailboxName(std::string_view input, MailboxNameUse use) {
  for (MailboxNameEncoding encoding :
       {MailboxNameEncoding::kModifiedUtf7, MailboxNameEncoding::kUtf8}) {
    Result<std::string> name = MailboxNameFromWire(input, encoding, use);
    if (!name.ok()) {
      std::string failure = CheckError(name);
      if (!failure.empty()) return failure;
      continue;
    }
    if (!ValidateMailboxName(*name).ok()) return "decoded name does not validate: " + *name;
    if (name->size() > kMaxMailboxNameBytes) return "decoded name over the size limit";
    if (NormalizeInbox(*name) != *name) return "INBOX not normalised";
    Result<std::string> wire = MailboxNameToWire(*name, encoding);
    if (!wire.ok()) return "decoded name does not encode: " + wire.status().message();
    Result<std::string> again = MailboxNameFromWire(*wire, encoding);
    if (!again.ok() || *again != *name) return "mailbox name round trip failed: " + *name;
  }
  return "";
}

std::string CheckUrl(std::string_view input) {
  Result<ImapMessageUrl> url = ParseImapMessageUrl(input);
  if (!url.ok()) return CheckError(url);
  if (url->uid == 0) return "URL with UID 0";
  if (url->uidvalidity && *url->uidvalidity == 0) return "URL with UIDVALIDITY 0";
  if (url->section) {
    for (uint32_t part : url->section->part) {
      if (part == 0) return "URL section with part 0";
    }
  }
  return "";
}

std::string CheckDates(std::string_view input) {
  Result<ImapDateTime> date = ParseDateTime(input);
  if (date.ok()) {
    // zone = ("+" / "-") 4DIGIT: RFC 9051 sets no bound below 99:59.
    if (date->zone_minutes < -(99 * 60 + 59) || date->zone_minutes > 99 * 60 + 59) {
      return "zone out of range";
    }
    Result<ImapDateTime> again =
        ParseDateTime(FormatDateTime(date->unix_seconds, date->zone_minutes));
    if (!again.ok() || again.value() != date.value()) return "date-time round trip failed";
  }
  Result<ImapDate> day = ParseSearchDate(input);
  if (day.ok()) {
    if (day->month < 1 || day->month > 12 || day->day < 1 || day->day > 31) return "bad date";
    const int64_t seconds = day->DaysSinceEpoch() * 86400;
    if (DateInZone(seconds, 0) != *day) return "search date does not round-trip through days";
  }
  std::string failure = CheckError(date);
  return failure.empty() ? CheckError(day) : failure;
}

}  // namespace

std::string CheckImapNames(std::string_view input) {
  FuzzInput in(input);
  const uint8_t selector = in.Byte();
  const std::string_view text = in.Rest();
  switch (selector % 6) {
    case 0: return CheckSequenceSet(text);
    case 1: return CheckModifiedUtf7(text);
    case 2: return CheckMailboxName(text, MailboxNameUse::kExisting);
    case 3: return CheckMailboxName(text, MailboxNameUse::kCreate);
    case 4: return CheckUrl(text);
    default: return CheckDates(text);
  }
}

}  // namespace mailvault::fuzz
