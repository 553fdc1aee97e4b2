// Cambodia's gazetteer: lookups by code and the province/district/commune/village hierarchy.
#include "core/gazetteer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace reclaim::core {
namespace {

using ::testing::UnorderedElementsAre;

AdminUnit unit(std::string code, std::string parent, AdminLevel level, std::string latin,
               std::string km = "") {
  AdminUnit u;
  u.code = std::move(code);
  u.parent_code = std::move(parent);
  u.level = level;
  u.name_latin = std::move(latin);
  u.name_km = std::move(km);
  return u;
}

/// Two provinces, as in data/gazetteer (codes are real; 0103 shows codes need not be 0101).
Gazetteer small_gazetteer() {
  return Gazetteer({
      unit("01", "", AdminLevel::kProvince, "Banteay Meanchey", "បន្ទាយមានជ័យ"),
      unit("0102", "01", AdminLevel::kDistrict, "Mongkol Borey", "មង្គលបូរី"),
      unit("0103", "01", AdminLevel::kDistrict, "Phnum Srok", "ភ្នំស្រុក"),
      unit("010201", "0102", AdminLevel::kCommune, "Banteay Neang", "បន្ទាយនាង"),
      unit("01020101", "010201", AdminLevel::kVillage, "Ou Thum", "អូរធំ"),
      unit("01020102", "010201", AdminLevel::kVillage, "Phnum", "ភ្នំ"),
      unit("02", "", AdminLevel::kProvince, "Battambang", "បាត់ដំបង"),
      unit("0201", "02", AdminLevel::kDistrict, "Banan"),
      unit("020101", "0201", AdminLevel::kCommune, "Kantueu Muoy"),
      unit("02010101", "020101", AdminLevel::kVillage, "Kantueu"),
  });
}

std::vector<std::string> codes(const std::vector<const AdminUnit*>& units) {
  std::vector<std::string> out;
  for (const auto* u : units) out.push_back(u->code);
  return out;
}

TEST(Gazetteer, FindsAUnitOfAnyLevelByCode) {
  const Gazetteer gaz = small_gazetteer();
  ASSERT_NE(gaz.find("01020101"), nullptr);
  EXPECT_EQ(gaz.find("01020101")->name_latin, "Ou Thum");
  EXPECT_EQ(gaz.find("01020101")->name_km, "អូរធំ");
  EXPECT_EQ(gaz.find("0102")->level, AdminLevel::kDistrict);
  EXPECT_EQ(gaz.find("99"), nullptr);
  EXPECT_EQ(gaz.find(""), nullptr);
  EXPECT_EQ(gaz.find("1"), nullptr) << "codes are text: '1' is not province 01";
  EXPECT_EQ(gaz.size(), 10u);
  EXPECT_FALSE(gaz.empty());
  EXPECT_TRUE(Gazetteer().empty());
}

TEST(Gazetteer, ProvinceAndVillageLookupsCheckTheLevel) {
  const Gazetteer gaz = small_gazetteer();
  ASSERT_NE(gaz.province("02"), nullptr);
  EXPECT_EQ(gaz.province("02")->name_latin, "Battambang");
  EXPECT_EQ(gaz.province("0102"), nullptr) << "a district is not a province";
  EXPECT_EQ(gaz.province("01020101"), nullptr);
  ASSERT_NE(gaz.village("02010101"), nullptr);
  EXPECT_EQ(gaz.village("020101"), nullptr) << "a commune is not a village";
  EXPECT_EQ(gaz.village("01"), nullptr);
  EXPECT_EQ(gaz.village("01029999"), nullptr);
}

TEST(Gazetteer, ProvinceOfWalksUpFromAnyLevel) {
  const Gazetteer gaz = small_gazetteer();
  EXPECT_EQ(gaz.province_of("01020101"), "01");
  EXPECT_EQ(gaz.province_of("010201"), "01");
  EXPECT_EQ(gaz.province_of("0103"), "01");
  EXPECT_EQ(gaz.province_of("02"), "02");
  EXPECT_EQ(gaz.province_of("02010101"), "02");
  EXPECT_EQ(gaz.province_of("01029999"), "") << "an unknown code has no province, even if its "
                                                "first two digits look like one";
  EXPECT_EQ(gaz.province_of(""), "");
}

TEST(Gazetteer, ChildrenAreTheUnitsOneLevelDown) {
  const Gazetteer gaz = small_gazetteer();
  EXPECT_THAT(codes(gaz.children("01")), UnorderedElementsAre("0102", "0103"));
  EXPECT_THAT(codes(gaz.children("010201")), UnorderedElementsAre("01020101", "01020102"));
  EXPECT_THAT(codes(gaz.children("02")), UnorderedElementsAre("0201"));
  EXPECT_TRUE(gaz.children("0103").empty()) << "a district without communes in this gazetteer";
  EXPECT_TRUE(gaz.children("01020101").empty()) << "villages have no children";
  EXPECT_TRUE(gaz.children("99").empty());
  EXPECT_THAT(codes(gaz.children("")), UnorderedElementsAre("01", "02")) << "the provinces";
}

TEST(Gazetteer, ListsUnitsByLevel) {
  const Gazetteer gaz = small_gazetteer();
  EXPECT_THAT(codes(gaz.at_level(AdminLevel::kProvince)), UnorderedElementsAre("01", "02"));
  EXPECT_THAT(codes(gaz.at_level(AdminLevel::kVillage)),
              UnorderedElementsAre("01020101", "01020102", "02010101"));
}

// ---- the real gazetteer under data/ (read here with a few lines of CSV: core_test does not
// link the exchange module) ----

/// code -> parent_code of every row of data/gazetteer/<file> (first two columns; the codes are
/// never quoted).
std::map<std::string, std::string> read_codes(const std::string& file) {
  std::map<std::string, std::string> out;
  std::ifstream in(std::string(RECLAIM_DATA_DIR) + "/gazetteer/" + file);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const size_t a = line.find(',');
    const size_t b = line.find(',', a + 1);
    out[line.substr(0, a)] = line.substr(a + 1, b - a - 1);
  }
  return out;
}

TEST(GazetteerData, HasEveryAdminUnitOfCambodia) {
  const auto provinces = read_codes("provinces.csv");
  const auto districts = read_codes("districts.csv");
  const auto communes = read_codes("communes.csv");
  const auto villages = read_codes("villages.csv");
  EXPECT_EQ(provinces.size(), 25u);
  EXPECT_EQ(districts.size(), 210u);
  EXPECT_EQ(communes.size(), 1652u);
  EXPECT_EQ(villages.size(), 14578u);

  std::vector<AdminUnit> units;
  for (const auto& [c, p] : provinces) units.push_back(unit(c, p, AdminLevel::kProvince, c));
  for (const auto& [c, p] : districts) units.push_back(unit(c, p, AdminLevel::kDistrict, c));
  for (const auto& [c, p] : communes) units.push_back(unit(c, p, AdminLevel::kCommune, c));
  for (const auto& [c, p] : villages) units.push_back(unit(c, p, AdminLevel::kVillage, c));
  const Gazetteer gaz(std::move(units));

  // Every village reaches a province through its commune and district, and that province is
  // the one its code starts with.
  int mismatched = 0;
  for (const auto& [code, parent] : villages) {
    if (gaz.province_of(code) != code.substr(0, 2)) ++mismatched;
  }
  EXPECT_EQ(mismatched, 0);
  size_t villages_by_children = 0;
  for (const auto* c : gaz.at_level(AdminLevel::kCommune))
    villages_by_children += gaz.children(c->code).size();
  EXPECT_EQ(villages_by_children, villages.size()) << "every village's parent is a commune";
}

}  // namespace
}  // namespace reclaim::core
