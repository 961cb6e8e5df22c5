#include "common/imap/imap_date.h"

#include <cstdio>

#include "common/imap/lexical.h"

namespace mailvault::imap {
namespace {

constexpr const char* kMonths[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

Status Invalid(std::string message) {
  return Status(ErrorCode::kInvalidArgument, std::move(message));
}

bool IsLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeap(year) ? 29 : kDays[month - 1];
}

// Howard Hinnant's days_from_civil: proleptic Gregorian, no time zone
// database and no locale, unlike timegm.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

ImapDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  ImapDate date;
  date.year = static_cast<int>(y + (m <= 2));
  date.month = static_cast<int>(m);
  date.day = static_cast<int>(d);
  return date;
}

bool ParseDigits(std::string_view text, int& value) {
  if (text.empty()) return false;
  value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  return true;
}

int ParseMonth(std::string_view text) {
  if (text.size() != 3) return 0;
  for (int m = 0; m < 12; ++m) {
    bool same = true;
    for (size_t i = 0; i < 3; ++i) {
      char c = text[i];
      char want = kMonths[m][i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
      if (want >= 'A' && want <= 'Z') want = static_cast<char>(want + 32);
      if (c != want) same = false;
    }
    if (same) return m + 1;
  }
  return 0;
}

// "d-Mon-yyyy" with a 1 or 2 digit day; `what` names it in messages.
Result<ImapDate> ParseDateText(std::string_view text, std::string_view what) {
  const size_t dash1 = text.find('-');
  const size_t dash2 = dash1 == std::string_view::npos ? dash1 : text.find('-', dash1 + 1);
  if (dash2 == std::string_view::npos) {
    return Invalid("invalid " + std::string(what) + " \"" + ErrorExcerpt(text) +
                   "\": expected d-Mon-yyyy");
  }
  const std::string_view day_text = text.substr(0, dash1);
  const std::string_view month_text = text.substr(dash1 + 1, dash2 - dash1 - 1);
  const std::string_view year_text = text.substr(dash2 + 1);
  ImapDate date;
  if (day_text.size() > 2 || !ParseDigits(day_text, date.day)) {
    return Invalid("invalid day \"" + ErrorExcerpt(day_text, 8) + "\" in " +
                   std::string(what));
  }
  date.month = ParseMonth(month_text);
  if (date.month == 0) {
    return Invalid("invalid month \"" + ErrorExcerpt(month_text, 8) + "\" in " +
                   std::string(what) + " (expected Jan..Dec)");
  }
  if (year_text.size() != 4 || !ParseDigits(year_text, date.year) || date.year == 0) {
    return Invalid("invalid year \"" + ErrorExcerpt(year_text, 8) + "\" in " +
                   std::string(what) + " (expected 4 digits)");
  }
  if (date.day < 1 || date.day > DaysInMonth(date.year, date.month)) {
    return Invalid("day " + std::to_string(date.day) + " does not exist in " +
                   kMonths[date.month - 1] + " " + std::to_string(date.year));
  }
  return date;
}

}  // namespace

int64_t ImapDate::DaysSinceEpoch() const {
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

Result<ImapDate> ParseSearchDate(std::string_view text) { return ParseDateText(text, "date"); }

Result<ImapDateTime> ParseDateTime(std::string_view text) {
  // date-day-fixed allows a leading space for one-digit days.
  if (!text.empty() && text[0] == ' ') text.remove_prefix(1);
  const size_t space1 = text.find(' ');
  if (space1 == std::string_view::npos || space1 + 9 >= text.size() || text[space1 + 9] != ' ') {
    return Invalid("invalid date-time \"" + ErrorExcerpt(text) +
                   "\": expected \"dd-Mon-yyyy hh:mm:ss +zzzz\"");
  }
  MV_ASSIGN_OR_RETURN(const ImapDate date, ParseDateText(text.substr(0, space1), "date-time"));
  const std::string_view time = text.substr(space1 + 1, 8);
  const std::string_view zone = text.substr(space1 + 10);
  int hour, minute, second;
  if (time[2] != ':' || time[5] != ':' || !ParseDigits(time.substr(0, 2), hour) ||
      !ParseDigits(time.substr(3, 2), minute) || !ParseDigits(time.substr(6, 2), second) ||
      hour > 23 || minute > 59 || second > 60) {
    return Invalid("invalid time \"" + ErrorExcerpt(time, 8) + "\" in date-time (expected hh:mm:ss)");
  }
  int zone_hours, zone_mins;
  if (zone.size() != 5 || (zone[0] != '+' && zone[0] != '-') ||
      !ParseDigits(zone.substr(1, 2), zone_hours) || !ParseDigits(zone.substr(3, 2), zone_mins) ||
      zone_mins > 59) {
    return Invalid("invalid zone \"" + ErrorExcerpt(zone, 8) +
                   "\" in date-time (expected +hhmm or -hhmm)");
  }
  ImapDateTime result;
  result.zone_minutes = (zone[0] == '-' ? -1 : 1) * (zone_hours * 60 + zone_mins);
  // A leap second (":60") lands on the next minute's first second.
  result.unix_seconds = date.DaysSinceEpoch() * 86400 + hour * 3600 + minute * 60 + second -
                        int64_t{result.zone_minutes} * 60;
  return result;
}

ImapDate DateInZone(int64_t unix_seconds, int zone_minutes) {
  const int64_t local = unix_seconds + int64_t{zone_minutes} * 60;
  int64_t days = local / 86400;
  if (local % 86400 < 0) --days;
  return CivilFromDays(days);
}

std::string FormatDateTime(int64_t unix_seconds, int zone_minutes) {
  const int64_t local = unix_seconds + int64_t{zone_minutes} * 60;
  int64_t days = local / 86400;
  int64_t seconds = local % 86400;
  if (seconds < 0) {
    seconds += 86400;
    --days;
  }
  const ImapDate date = CivilFromDays(days);
  const int zone_abs = zone_minutes < 0 ? -zone_minutes : zone_minutes;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%02d-%s-%04d %02d:%02d:%02d %c%02d%02d", date.day,
                kMonths[date.month - 1], date.year, static_cast<int>(seconds / 3600),
                static_cast<int>(seconds / 60 % 60), static_cast<int>(seconds % 60),
                zone_minutes < 0 ? '-' : '+', zone_abs / 60, zone_abs % 60);
  return buf;
}

}  // namespace mailvault::imap
