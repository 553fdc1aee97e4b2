// Civil dates as they appear in field reports: ISO dates, Cambodian day-first dates, and the
// timestamps that survey apps (KoBo, ODK) write.
#include "common/date.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

namespace reclaim {
namespace {

using ::testing::HasSubstr;

Date parsed(const std::string& text) {
  auto d = parse_date(text);
  EXPECT_TRUE(d.has_value()) << "'" << text << "' should parse: "
                             << (d ? std::string() : d.error().message);
  return d ? *d : Date{};
}

TEST(ParseDate, ReadsIsoDate) {
  const Date d = parsed("2023-06-15");
  EXPECT_EQ(d.year(), 2023);
  EXPECT_EQ(d.month(), 6);
  EXPECT_EQ(d.day(), 15);
}

TEST(ParseDate, ReadsSlashedIsoDate) { EXPECT_EQ(parsed("2023/06/15"), date_from_ymd(2023, 6, 15)); }

TEST(ParseDate, ReadsDayFirstDateAsWrittenInCambodia) {
  // 05/04/2021 is 5 April, not 4 May.
  const Date d = parsed("05/04/2021");
  EXPECT_EQ(d, date_from_ymd(2021, 4, 5));
  EXPECT_EQ(d.month(), 4);
  EXPECT_EQ(d.day(), 5);
}

TEST(ParseDate, TakesTheDatePartOfATimestamp) {
  EXPECT_EQ(parsed("2024-03-01T08:15:00+07:00"), date_from_ymd(2024, 3, 1));
  EXPECT_EQ(parsed("2024-03-01T23:59:59Z"), date_from_ymd(2024, 3, 1));
  EXPECT_EQ(parsed("2024-03-01 08:15:00"), date_from_ymd(2024, 3, 1));
}

TEST(ParseDate, IgnoresSurroundingSpaces) { EXPECT_EQ(parsed("  2024-03-01 "), date_from_ymd(2024, 3, 1)); }

TEST(ParseDate, AcceptsTheLeapDayOfALeapYear) {
  EXPECT_EQ(parsed("2024-02-29"), date_from_ymd(2024, 2, 29));
  EXPECT_EQ(parsed("29/02/2024"), date_from_ymd(2024, 2, 29));
  EXPECT_EQ(parsed("2000-02-29"), date_from_ymd(2000, 2, 29));  // divisible by 400
}

TEST(ParseDate, RejectsTheLeapDayOfACommonYear) {
  for (const char* text : {"2023-02-29", "29/02/2023", "1900-02-29" /* divisible by 100 */}) {
    auto d = parse_date(text);
    ASSERT_FALSE(d.has_value()) << text << " parsed as " << d->iso();
    EXPECT_EQ(d.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(d.error().message, HasSubstr(text)) << "the error names the text";
  }
}

TEST(ParseDate, RejectsDaysThatDoNotExist) {
  for (const char* text : {"2023-04-31", "2023-13-01", "2023-00-10", "2023-01-00", "2023-01-32",
                           "31/06/2023"}) {
    EXPECT_FALSE(parse_date(text).has_value()) << text;
  }
}

TEST(ParseDate, RejectsGarbage) {
  for (const char* text :
       {"", " ", "yesterday", "2023", "2023-6-15", "15-06-2023", "2023-06-15x", "2023-0a-15",
        "20230615", "2023-06/15", "--/--/----", "ថ្ងៃទី១៥", "2023-+6-15", "2023--6-15"}) {
    auto d = parse_date(text);
    EXPECT_FALSE(d.has_value()) << "'" << text << "' parsed as " << (d ? d->iso() : "");
  }
}

TEST(ParseDate, RejectsYearsOutsideTheRecordedEra) {
  // A typo such as 0202 or 20233 must not become a date.
  EXPECT_FALSE(parse_date("0202-01-01").has_value());
  EXPECT_FALSE(parse_date("1899-12-31").has_value());
  EXPECT_FALSE(parse_date("2201-01-01").has_value());
  EXPECT_TRUE(parse_date("1979-01-01").has_value());  // the first recorded casualties
}

TEST(DateIso, RoundTripsEveryDayOfALeapYearAndACommonYear) {
  for (Date d = date_from_ymd(2023, 1, 1); d <= date_from_ymd(2024, 12, 31); ++d.days) {
    auto back = parse_date(d.iso());
    ASSERT_TRUE(back.has_value()) << d.iso();
    EXPECT_EQ(*back, d) << d.iso();
  }
  EXPECT_EQ(date_from_ymd(2024, 12, 31).days - date_from_ymd(2023, 1, 1).days, 365 + 366 - 1);
}

TEST(DateIso, FormatsWithZeroPadding) {
  EXPECT_EQ(date_from_ymd(2005, 3, 7).iso(), "2005-03-07");
  EXPECT_EQ(date_from_ymd(1970, 1, 1).iso(), "1970-01-01");
  EXPECT_EQ(Date{}.iso(), "1970-01-01");
}

TEST(DateIso, CountsDaysFromTheUnixEpoch) {
  EXPECT_EQ(date_from_ymd(1970, 1, 2).days, 1);
  EXPECT_EQ(date_from_ymd(2000, 1, 1).days, 10957);
  EXPECT_EQ(date_from_ymd(1969, 12, 31).days, -1);
  EXPECT_EQ(Date{-1}.iso(), "1969-12-31");
}

TEST(DateOrder, LaterDatesCompareGreater) {
  const Date a = parsed("2023-12-31");
  const Date b = parsed("2024-01-01");
  EXPECT_LT(a, b);
  EXPECT_GT(b, a);
  EXPECT_EQ(a, parsed("31/12/2023"));
  EXPECT_LE(a, a);
  EXPECT_EQ(b.days - a.days, 1);
  // ISO text sorts like the dates themselves (status and history compare ISO strings).
  EXPECT_LT(a.iso(), b.iso());
}

TEST(Today, CanBeFixedForReproducibleRuns) {
  const char* old = std::getenv("RECLAIM_TODAY");
  const std::string saved = old ? old : "";
  ::setenv("RECLAIM_TODAY", "2025-03-31", 1);
  EXPECT_EQ(today(), date_from_ymd(2025, 3, 31));
  ::setenv("RECLAIM_TODAY", "not a date", 1);
  EXPECT_GT(today(), date_from_ymd(2025, 1, 1)) << "a bad override falls back to the clock";
  if (old) {
    ::setenv("RECLAIM_TODAY", saved.c_str(), 1);
  } else {
    ::unsetenv("RECLAIM_TODAY");
  }
}

}  // namespace
}  // namespace reclaim

TEST(UtcNow, IsAnIsoInstantWithMillisecondsInUtc) {
  const std::string now = reclaim::utc_now();
  EXPECT_THAT(now, ::testing::MatchesRegex(
                       "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z"));
  // its date part is the clock's UTC date (give or take a midnight during the test)
  auto d = reclaim::parse_date(now);
  ASSERT_TRUE(d.has_value());
  const auto clock_days = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  EXPECT_LE(std::abs(d->days - static_cast<int32_t>(clock_days.time_since_epoch().count())), 1);
}
