// Counts in messages read as English: "1 hazard", "2 hazards", never "1 hazards".
#include "common/plural.hpp"

#include <gtest/gtest.h>

namespace reclaim {
namespace {

TEST(Plural, OneTakesTheSingularEveryOtherCountThePlural) {
  EXPECT_EQ(plural(1, "hazard"), "1 hazard");
  EXPECT_EQ(plural(2, "hazard"), "2 hazards");
  EXPECT_EQ(plural(0, "hazard"), "0 hazards");
  EXPECT_EQ(plural(-1, "degree"), "-1 degree");
  EXPECT_EQ(plural(2200, "hazard"), "2200 hazards");
}

TEST(Plural, ConsonantAndYBecomesIes) {
  EXPECT_EQ(plural(3, "activity"), "3 activities");
  EXPECT_EQ(plural(2, "casualty"), "2 casualties");
  EXPECT_EQ(plural(2, "history entry"), "2 history entries");
  EXPECT_EQ(plural(2, "boundary"), "2 boundaries");
  EXPECT_EQ(plural(2, "key"), "2 keys");  // vowel + y: just s
  EXPECT_EQ(plural(2, "survey"), "2 surveys");
}

TEST(Plural, SibilantsTakeEs) {
  EXPECT_EQ(plural(2, "box"), "2 boxes");
  EXPECT_EQ(plural(2, "match"), "2 matches");
  EXPECT_EQ(plural(2, "address"), "2 addresses");
  EXPECT_EQ(plural(2, "crash"), "2 crashes");
}

TEST(Plural, OnlyTheLastWordOfANameChanges) {
  EXPECT_EQ(plural(2, "EO find"), "2 EO finds");
  EXPECT_EQ(plural(2, "assistance record"), "2 assistance records");
  EXPECT_EQ(plural(1, "EORE session"), "1 EORE session");
}

TEST(Plural, AnIrregularPluralIsGiven) {
  EXPECT_EQ(plural(1, "person", "people"), "1 person");
  EXPECT_EQ(plural(4, "person", "people"), "4 people");
}

}  // namespace
}  // namespace reclaim
