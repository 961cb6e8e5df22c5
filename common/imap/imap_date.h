// IMAP dates: the SEARCH date ("1-Feb-1994") and the date-time of APPEND
// and INTERNALDATE ("17-Jul-1996 02:44:25 -0700"), RFC 9051.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace mailvault::imap {

// A calendar date without time or zone: SEARCH BEFORE/ON/SINCE compare
// dates, "disregarding time and timezone".
struct ImapDate {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  // Days since 1970-01-01 (negative before).
  int64_t DaysSinceEpoch() const;
  bool operator==(const ImapDate&) const = default;
};

struct ImapDateTime {
  int64_t unix_seconds = 0;
  int zone_minutes = 0;  // the zone as sent, e.g. -420 for -0700
  bool operator==(const ImapDateTime&) const = default;
};

// date-text: 1*2DIGIT "-" Mon "-" 4DIGIT; month names in any case; the day
// must exist in that month.
Result<ImapDate> ParseSearchDate(std::string_view text);

// The content of the quoted date-time: "dd-Mon-yyyy hh:mm:ss +zzzz"; the
// day may also be " d" (date-day-fixed) or, leniently, "d".
Result<ImapDateTime> ParseDateTime(std::string_view text);

// "17-Jul-1996 02:44:25 -0700", unquoted, in the given zone.
std::string FormatDateTime(int64_t unix_seconds, int zone_minutes);

// The calendar date of a moment as seen in a zone.
ImapDate DateInZone(int64_t unix_seconds, int zone_minutes);

}  // namespace mailvault::imap
