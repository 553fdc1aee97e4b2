// Mine-free status of villages, districts and provinces: mine-free when no open or worked-on
// hazard of the chosen contamination types lies in the unit.
#include "core/mine_free.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "core/entities.hpp"

namespace reclaim::core {
namespace {

using ::testing::ElementsAre;

AdminUnit unit(std::string code, std::string parent, AdminLevel level, std::string latin) {
  AdminUnit u;
  u.code = std::move(code);
  u.parent_code = std::move(parent);
  u.level = level;
  u.name_latin = std::move(latin);
  return u;
}

/// Province 01 with two villages in one commune and a third in another district; province 02
/// with one village.
Gazetteer small_gazetteer() {
  return Gazetteer({
      unit("01", "", AdminLevel::kProvince, "Banteay Meanchey"),
      unit("0102", "01", AdminLevel::kDistrict, "Mongkol Borey"),
      unit("010201", "0102", AdminLevel::kCommune, "Banteay Neang"),
      unit("01020101", "010201", AdminLevel::kVillage, "Ou Thum"),
      unit("01020102", "010201", AdminLevel::kVillage, "Phnum"),
      unit("0103", "01", AdminLevel::kDistrict, "Phnum Srok"),
      unit("010301", "0103", AdminLevel::kCommune, "Paoy Char"),
      unit("01030101", "010301", AdminLevel::kVillage, "Paoy Char"),
      unit("02", "", AdminLevel::kProvince, "Battambang"),
      unit("0201", "02", AdminLevel::kDistrict, "Banan"),
      unit("020101", "0201", AdminLevel::kCommune, "Kantueu Muoy"),
      unit("02010101", "020101", AdminLevel::kVillage, "Kantueu"),
  });
}

Record hazard(const std::string& id, const std::string& village, const std::string& contamination,
              const std::string& status) {
  const EntitySchema& s = schema(entity::kHazards);
  Record h = make_record(s);
  set(s, h, "id", id);
  set(s, h, "hazard_type", std::string("CHA"));
  set(s, h, "contamination", contamination);
  set(s, h, "status", status);
  set(s, h, "province_code", village.substr(0, 2));
  set(s, h, "village_code", village);
  set(s, h, "estimated_area_m2", 10000.0);
  return h;
}

void set_status(Record& h, const std::string& status) {
  set(schema(entity::kHazards), h, "status", status);
}

/// Codes listed by mine_free_status that are mine-free / not mine-free.
std::vector<std::string> mine_free(const std::map<std::string, AreaStatus>& m, bool free) {
  std::vector<std::string> out;
  for (const auto& [code, a] : m)
    if (a.mine_free() == free) out.push_back(code);
  return out;
}

TEST(MineFree, AUnitWithAnOpenOrWorkedOnHazardIsNotMineFree) {
  const Gazetteer gaz = small_gazetteer();
  const std::vector<Record> hazards = {
      hazard("H1", "01020101", "AP", "open"),
      hazard("H2", "01030101", "AT", "worked_on"),
      hazard("H3", "02010101", "CMR", "closed"),
  };
  const auto m = mine_free_status(gaz, hazards, {});
  EXPECT_THAT(mine_free(m, false), ElementsAre("01", "0102", "010201", "01020101", "0103",
                                               "010301", "01030101"));
  EXPECT_THAT(mine_free(m, true), ElementsAre("02", "0201", "020101", "02010101"))
      << "Battambang's only hazard is closed";
  EXPECT_EQ(m.count("01020102"), 0u) << "never affected: mine-free and not listed";
  EXPECT_EQ(m.at("01").hazards_recorded, 2);
  EXPECT_EQ(m.at("01").hazards_active, 2);
  EXPECT_EQ(m.at("0102").hazards_active, 1);
  EXPECT_EQ(m.at("02").hazards_recorded, 1);
  EXPECT_EQ(m.at("02").hazards_active, 0);
  EXPECT_EQ(m.at("0103").level, AdminLevel::kDistrict);
  EXPECT_EQ(m.at("01030101").level, AdminLevel::kVillage);
}

TEST(MineFree, ClosingTheLastHazardMakesTheVillageDistrictAndProvinceMineFree) {
  const Gazetteer gaz = small_gazetteer();
  std::vector<Record> hazards = {
      hazard("H1", "01020101", "AP", "worked_on"),
      hazard("H2", "01020101", "AP", "open"),
      hazard("H3", "01020102", "AP", "handed_over"),
  };
  auto m = mine_free_status(gaz, hazards, {});
  EXPECT_FALSE(m.at("01020101").mine_free());

  set_status(hazards[0], "closed");
  m = mine_free_status(gaz, hazards, {});
  EXPECT_FALSE(m.at("01020101").mine_free()) << "H2 is still open";
  EXPECT_EQ(m.at("01020101").hazards_active, 1);

  set_status(hazards[1], "closed");
  m = mine_free_status(gaz, hazards, {});
  for (const char* code : {"01020101", "01020102", "010201", "0102", "01"}) {
    EXPECT_TRUE(m.at(code).mine_free()) << code;
    EXPECT_EQ(m.at(code).hazards_active, 0) << code;
  }
  EXPECT_EQ(m.at("01").hazards_recorded, 3);
}

TEST(MineFree, ReopeningAHazardForResidualContaminationRevokesMineFree) {
  const Gazetteer gaz = small_gazetteer();
  std::vector<Record> hazards = {hazard("H1", "02010101", "AP", "handed_over")};
  EXPECT_TRUE(mine_free_status(gaz, hazards, {}).at("02").mine_free());
  set_status(hazards[0], "open");
  EXPECT_FALSE(mine_free_status(gaz, hazards, {}).at("02").mine_free());
}

TEST(MineFree, CountsOnlyTheChosenContaminationTypes) {
  const Gazetteer gaz = small_gazetteer();
  const std::vector<Record> hazards = {
      hazard("H1", "01020101", "AP", "open"),
      hazard("H2", "01020101", "CMR", "closed"),
      hazard("H3", "02010101", "CMR", "open"),
      hazard("H4", "02010101", "ERW", "open"),
  };
  // "Mine-free" in the treaty sense: AP mines only.
  auto ap = mine_free_status(gaz, hazards, {"AP"});
  EXPECT_FALSE(ap.at("01").mine_free());
  EXPECT_EQ(ap.at("01").hazards_recorded, 1) << "the CMR hazard is not counted";
  EXPECT_EQ(ap.count("02"), 0u) << "Battambang has no AP hazard: mine-free for AP";

  auto cmr = mine_free_status(gaz, hazards, {"CMR"});
  EXPECT_TRUE(cmr.at("01020101").mine_free()) << "its only CMR hazard is closed";
  EXPECT_FALSE(cmr.at("02010101").mine_free());

  auto mines = mine_free_status(gaz, hazards, {"AP", "AT", "MIXED"});
  EXPECT_THAT(mine_free(mines, true), ElementsAre());
  EXPECT_EQ(mines.count("02"), 0u);

  auto all = mine_free_status(gaz, hazards, {});
  EXPECT_EQ(all.at("02").hazards_active, 2);
  EXPECT_EQ(all.at("01").hazards_recorded, 2);
}

TEST(MineFree, AHazardWithAnUnknownVillageCountsAgainstItsProvince) {
  const Gazetteer gaz = small_gazetteer();
  std::vector<Record> hazards = {hazard("H1", "02019999", "AP", "open")};
  const auto m = mine_free_status(gaz, hazards, {});
  ASSERT_EQ(m.count("02"), 1u);
  EXPECT_FALSE(m.at("02").mine_free());
  EXPECT_EQ(m.size(), 1u);
}

}  // namespace
}  // namespace reclaim::core
