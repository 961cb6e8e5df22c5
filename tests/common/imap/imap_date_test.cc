#include "common/imap/imap_date.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mailvault::imap {
namespace {

struct DateTimeCase {
  std::string text;
  int64_t unix_seconds;
  int zone_minutes;
};

TEST(ImapDateTest, ParsesDateTimes) {
  const std::vector<DateTimeCase> cases = {
      {"17-Jul-1996 02:44:25 -0700", 837596665, -420},
      {" 1-Jan-1970 00:00:00 +0000", 0, 0},
      {"1-Jan-1970 00:00:00 +0000", 0, 0},  // lenient: one-digit day without the space
      {"01-jan-1970 01:00:00 +0100", 0, 60},
      {"31-Dec-1969 23:59:59 +0000", -1, 0},
      {"29-Feb-2024 12:00:00 +0530", 1709188200, 330},
      {"30-Jun-2015 23:59:60 +0000", 1435708800, 0},  // leap second
  };
  for (const DateTimeCase& c : cases) {
    Result<ImapDateTime> parsed = ParseDateTime(c.text);
    ASSERT_TRUE(parsed.ok()) << c.text << ": " << parsed.status().message();
    EXPECT_EQ(parsed->unix_seconds, c.unix_seconds) << c.text;
    EXPECT_EQ(parsed->zone_minutes, c.zone_minutes) << c.text;
  }
}

TEST(ImapDateTest, RefusesMalformedDateTimesPrecisely) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "invalid date-time \"\": expected \"dd-Mon-yyyy hh:mm:ss +zzzz\""},
      {"17-Jul-1996", "invalid date-time \"17-Jul-1996\": expected \"dd-Mon-yyyy hh:mm:ss +zzzz\""},
      {"17-Jux-1996 02:44:25 -0700", "invalid month \"Jux\" in date-time (expected Jan..Dec)"},
      {"30-Feb-2024 02:44:25 -0700", "day 30 does not exist in Feb 2024"},
      {"29-Feb-2023 02:44:25 -0700", "day 29 does not exist in Feb 2023"},
      {"17-Jul-96 02:44:25 -0700", "invalid year \"96\" in date-time (expected 4 digits)"},
      {"117-Jul-1996 02:44:25 -0700", "invalid day \"117\" in date-time"},
      {"17-Jul-1996 24:00:00 -0700", "invalid time \"24:00:00\" in date-time (expected hh:mm:ss)"},
      {"17-Jul-1996 02:44:25 0700", "invalid zone \"0700\" in date-time (expected +hhmm or -hhmm)"},
      {"17-Jul-1996 02:44:25 -0760",
       "invalid zone \"-0760\" in date-time (expected +hhmm or -hhmm)"},
      {"17-Jul-1996 02:44:25 -07000",
       "invalid zone \"-07000\" in date-time (expected +hhmm or "
       "-hhmm)"},
  };
  for (const auto& [text, message] : cases) {
    Result<ImapDateTime> parsed = ParseDateTime(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().message(), message) << text;
  }
}

TEST(ImapDateTest, ParsesSearchDates) {
  Result<ImapDate> date = ParseSearchDate("1-Feb-1994");
  ASSERT_TRUE(date.ok());
  EXPECT_EQ(date.value(), (ImapDate{1994, 2, 1}));
  EXPECT_EQ(ParseSearchDate("01-FEB-1994").value(), (ImapDate{1994, 2, 1}));
  EXPECT_EQ(ParseSearchDate("1-Jan-1970").value().DaysSinceEpoch(), 0);
  EXPECT_EQ(ParseSearchDate("2-Jan-1970").value().DaysSinceEpoch(), 1);
  EXPECT_EQ(ParseSearchDate("31-Dec-1969").value().DaysSinceEpoch(), -1);
  EXPECT_EQ(ParseSearchDate("1-Feb-1994x").status().message(),
            "invalid year \"1994x\" in date (expected 4 digits)");
  EXPECT_EQ(ParseSearchDate("1 Feb 1994").status().message(),
            "invalid date \"1 Feb 1994\": expected d-Mon-yyyy");
  EXPECT_EQ(ParseSearchDate("0-Feb-1994").status().message(), "day 0 does not exist in Feb 1994");
}

TEST(ImapDateTest, FormatsInternalDates) {
  EXPECT_EQ(FormatDateTime(837596665, -420), "17-Jul-1996 02:44:25 -0700");
  EXPECT_EQ(FormatDateTime(0, 0), "01-Jan-1970 00:00:00 +0000");
  EXPECT_EQ(FormatDateTime(-1, 0), "31-Dec-1969 23:59:59 +0000");
  EXPECT_EQ(FormatDateTime(1709188200, 330), "29-Feb-2024 12:00:00 +0530");
  EXPECT_EQ(DateInZone(0, -60), (ImapDate{1969, 12, 31}));
  // Formatting and parsing agree over a wide range.
  for (int64_t t = -2208988800; t < 4102444800; t += 86400 * 37 + 3601) {
    for (int zone : {-720, -420, 0, 330, 840}) {
      Result<ImapDateTime> back = ParseDateTime(FormatDateTime(t, zone));
      ASSERT_TRUE(back.ok()) << t;
      ASSERT_EQ(back->unix_seconds, t);
      ASSERT_EQ(back->zone_minutes, zone);
    }
  }
}

}  // namespace
}  // namespace mailvault::imap
