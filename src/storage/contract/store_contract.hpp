#pragma once
// The storage contract: what every Store adapter must do, as one value-parameterised GoogleTest
// suite. An adapter's test file includes this header once and instantiates the suite with a
// factory that returns a fresh, empty, migrated store:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreContract,
//                            ::testing::Values(StoreAdapter{"gpkg", make_fresh_gpkg}),
//                            adapter_name);
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "contract_records.hpp"
#include "core/entities.hpp"
#include "core/record.hpp"
#include "storage/store.hpp"

namespace reclaim::storage::contract {

using StoreFactory = std::function<std::unique_ptr<Store>()>;

struct StoreAdapter {
  std::string name;    ///< test-name suffix, e.g. "gpkg", "postgres"
  StoreFactory fresh;  ///< a new empty store on every call (already migrated)
};
inline void PrintTo(const StoreAdapter& a, std::ostream* os) { *os << a.name; }
inline std::string adapter_name(const ::testing::TestParamInfo<StoreAdapter>& info) {
  return info.param.name;
}

// ---- the suite ----

class StoreContract : public ::testing::TestWithParam<StoreAdapter> {
 protected:
  void SetUp() override {
    store_ = GetParam().fresh();
    ASSERT_NE(store_, nullptr);
  }
  Store& store() { return *store_; }
  const core::EntitySchema& hazards() const { return core::schema(core::entity::kHazards); }

  /// The stored record (fails the test if it is missing).
  core::Record must_get(const core::EntitySchema& s, const std::string& id) {
    auto r = store_->get(s, id);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    if (!r || !r->has_value()) {
      ADD_FAILURE() << s.name << " " << id << " not found";
      return core::make_record(s);
    }
    return std::move(**r);
  }
  int64_t count_of(const core::EntitySchema& s) {
    auto c = store_->count(s);
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().message);
    return c ? *c : -1;
  }
  size_t history_size(const core::EntitySchema& s, const std::string& id) {
    auto h = store_->history(s, id);
    EXPECT_TRUE(h.has_value()) << (h ? "" : h.error().message);
    return h ? h->size() : 0;
  }
  void commit_ok(const ChangeSet& cs) {
    auto r = store_->commit(cs);
    ASSERT_TRUE(r.has_value()) << r.error().message;
  }

  std::unique_ptr<Store> store_;
};

TEST_P(StoreContract, EveryEntityRoundTripsEveryFieldTypeAndGeometry) {
  for (const auto& s : core::all_schemas()) {
    SCOPED_TRACE(s.name);
    core::Record full = full_record(s, 1);
    core::Record bare = bare_record(s, 2);
    std::vector<Change> changes{insert_of(s, full, "row 1"), insert_of(s, bare, "row 2")};
    core::Record single;
    if (s.geometry == core::GeometryKind::kPolygon) {
      single = full_record(s, 3);
      single.geometry = polygon();  // a lone POLYGON stays a POLYGON
      changes.push_back(insert_of(s, single, "row 3"));
    }
    commit_ok(change_set(std::move(changes)));

    full.version = 1;
    bare.version = 1;
    EXPECT_EQ(must_get(s, full.id()).values, full.values);
    EXPECT_EQ(must_get(s, full.id()).geometry, full.geometry);
    EXPECT_EQ(must_get(s, full.id()).version, 1);
    EXPECT_EQ(must_get(s, bare.id()).values, bare.values);
    EXPECT_TRUE(must_get(s, bare.id()).geometry.empty());
    if (!single.values.empty()) {
      EXPECT_EQ(must_get(s, single.id()).geometry, single.geometry);
      EXPECT_EQ(must_get(s, single.id()).geometry.type, geo::GeometryType::kPolygon);
    }
    EXPECT_EQ(count_of(s), single.values.empty() ? 2 : 3);
    auto missing = store().get(s, "KH-NOPE");
    ASSERT_TRUE(missing.has_value()) << missing.error().message;
    EXPECT_FALSE(missing->has_value());
  }
}

TEST_P(StoreContract, GenerationChangesWithACommit) {
  auto g0 = store().generation();
  ASSERT_TRUE(g0.has_value()) << g0.error().message;
  auto same = store().generation();
  ASSERT_TRUE(same.has_value());
  EXPECT_EQ(*same, *g0) << "no commit, no change";
  commit_ok(change_set({insert_of(hazards(), full_record(hazards(), 31))}));
  auto g1 = store().generation();
  ASSERT_TRUE(g1.has_value()) << g1.error().message;
  EXPECT_NE(*g1, *g0);
}

TEST_P(StoreContract, KhmerTextIsStoredUnchanged) {
  core::Record h = full_record(hazards(), 7);
  core::set(hazards(), h, "name", std::string(kKhmerVillage));
  commit_ok(change_set({insert_of(hazards(), h)}));
  EXPECT_EQ(core::get_text(hazards(), must_get(hazards(), h.id()), "name"), kKhmerVillage);
  std::vector<std::string> names;
  ASSERT_TRUE(store().scan(hazards(), [&](core::Record&& r) {
    names.push_back(core::get_text(hazards(), r, "name"));
    return true;
  }));
  EXPECT_THAT(names, ::testing::ElementsAre(kKhmerVillage));
}

TEST_P(StoreContract, DuplicateIdWithinOneChangeSetWritesNothing) {
  const auto& s = hazards();
  auto r = store().commit(change_set({insert_of(s, full_record(s, 12), "row 1"),
                                      insert_of(s, full_record(s, 13), "row 2"),
                                      insert_of(s, full_record(s, 12), "row 3")}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr(sample_id(s, 12)));
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("row 3"));
  EXPECT_EQ(count_of(s), 0);
  EXPECT_EQ(history_size(s, sample_id(s, 12)), 0u);
  EXPECT_EQ(history_size(s, sample_id(s, 13)), 0u);
}

TEST_P(StoreContract, DuplicateIdAgainstTheDatabaseWritesNothing) {
  const auto& s = hazards();
  commit_ok(change_set({insert_of(s, full_record(s, 12), "row 1")}));
  auto r = store().commit(change_set(
      {insert_of(s, full_record(s, 14), "row 1"), insert_of(s, full_record(s, 12), "row 2")}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kAlreadyExists);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr(sample_id(s, 12)));
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("row 2"));
  EXPECT_EQ(count_of(s), 1);
  EXPECT_EQ(history_size(s, sample_id(s, 12)), 1u);
  EXPECT_EQ(history_size(s, sample_id(s, 14)), 0u);
  auto missing = store().get(s, sample_id(s, 14));
  ASSERT_TRUE(missing.has_value());
  EXPECT_FALSE(missing->has_value());
}

TEST_P(StoreContract, UpdateWithTheStoredVersionBumpsItAndKeepsHistory) {
  const auto& s = hazards();
  core::Record h = full_record(s, 1);
  core::set(s, h, "name", std::string("Old field"));
  commit_ok(change_set({insert_of(s, h, "row 1")}));

  core::Record edited = must_get(s, h.id());
  ASSERT_EQ(edited.version, 1);
  core::set(s, edited, "name", std::string("New field"));
  core::set(s, edited, "status", std::string("worked_on"));
  edited.geometry = polygon(102.7, 12.9);
  commit_ok(change_set({update_of(s, edited, "row 4")}, "survey.xlsx"));

  core::Record stored = must_get(s, h.id());
  EXPECT_EQ(stored.version, 2);
  EXPECT_EQ(core::get_text(s, stored, "name"), "New field");
  EXPECT_EQ(core::get_text(s, stored, "status"), "worked_on");
  EXPECT_EQ(stored.geometry, edited.geometry);
  EXPECT_EQ(count_of(s), 1);

  auto hist = store().history(s, h.id());
  ASSERT_TRUE(hist.has_value()) << hist.error().message;
  ASSERT_EQ(hist->size(), 2u);
  const HistoryEntry& upd = (*hist)[1];
  EXPECT_EQ(upd.op, "update");
  EXPECT_EQ(upd.file, "survey.xlsx");
  EXPECT_EQ(upd.source_record, "row 4");
  EXPECT_THAT(upd.before_json, ::testing::HasSubstr("Old field"));
  EXPECT_THAT(upd.after_json, ::testing::HasSubstr("New field"));
  EXPECT_THAT(upd.after_json, ::testing::Not(::testing::HasSubstr("Old field")));
}

TEST_P(StoreContract, UpdateOfARecordInsertedInTheSameChangeSet) {
  const auto& s = hazards();
  core::Record h = full_record(s, 1);
  core::Record later = h;
  later.version = 1;
  core::set(s, later, "status", std::string("closed"));
  commit_ok(change_set({insert_of(s, h, "row 1"), update_of(s, later, "row 2")}));
  core::Record stored = must_get(s, h.id());
  EXPECT_EQ(stored.version, 2);
  EXPECT_EQ(core::get_text(s, stored, "status"), "closed");
}

TEST_P(StoreContract, StaleVersionIsAConflictAndWritesNothing) {
  const auto& s = hazards();
  core::Record h = full_record(s, 3);
  commit_ok(change_set({insert_of(s, h)}));
  core::Record mine = must_get(s, h.id());
  core::Record theirs = mine;
  core::set(s, theirs, "name", std::string("theirs"));
  commit_ok(change_set({update_of(s, theirs)}));

  core::set(s, mine, "name", std::string("mine"));
  auto r = store().commit(
      change_set({insert_of(s, full_record(s, 4), "row 1"), update_of(s, mine, "row 2")}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr(h.id()));
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("version 2, you had 1"));
  core::Record stored = must_get(s, h.id());
  EXPECT_EQ(stored.version, 2);
  EXPECT_EQ(core::get_text(s, stored, "name"), "theirs");
  EXPECT_EQ(count_of(s), 1);
  EXPECT_EQ(history_size(s, h.id()), 2u);
  EXPECT_EQ(history_size(s, sample_id(s, 4)), 0u);
}

TEST_P(StoreContract, UpdateOfAMissingRecordIsNotFoundAndWritesNothing) {
  const auto& s = hazards();
  core::Record ghost = full_record(s, 99);
  ghost.version = 1;
  auto r = store().commit(
      change_set({insert_of(s, full_record(s, 1), "row 1"), update_of(s, ghost, "row 2")}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr(ghost.id()));
  EXPECT_EQ(count_of(s), 0);
  EXPECT_EQ(history_size(s, sample_id(s, 1)), 0u);
}

TEST_P(StoreContract, ScanIsInIdOrderAndStopsEarly) {
  const auto& s = core::schema(core::entity::kCasualties);
  std::vector<Change> changes;
  for (int n : {5, 1, 4, 2, 3}) changes.push_back(insert_of(s, full_record(s, n)));
  commit_ok(change_set(std::move(changes)));

  std::vector<std::string> ids;
  ASSERT_TRUE(store().scan(s, [&](core::Record&& r) {
    ids.push_back(r.id());
    EXPECT_EQ(r.version, 1);
    return true;
  }));
  EXPECT_THAT(ids, ::testing::ElementsAre(sample_id(s, 1), sample_id(s, 2), sample_id(s, 3),
                                          sample_id(s, 4), sample_id(s, 5)));
  ids.clear();
  ASSERT_TRUE(store().scan(s, [&](core::Record&& r) {
    ids.push_back(r.id());
    return ids.size() < 2;
  }));
  EXPECT_THAT(ids, ::testing::ElementsAre(sample_id(s, 1), sample_id(s, 2)));

  int calls = 0;
  ASSERT_TRUE(store().scan(core::schema(core::entity::kFunding), [&](core::Record&&) {
    ++calls;
    return true;
  }));
  EXPECT_EQ(calls, 0);
}

TEST_P(StoreContract, ExistingIdsNamesOnlyStoredRecords) {
  const auto& s = core::schema(core::entity::kEoFinds);
  commit_ok(change_set({insert_of(s, full_record(s, 1)), insert_of(s, full_record(s, 2))}));
  auto found =
      store().existing_ids(s, {sample_id(s, 2), "KH-NOPE", sample_id(s, 1), sample_id(s, 2)});
  ASSERT_TRUE(found.has_value()) << found.error().message;
  EXPECT_THAT(*found, ::testing::UnorderedElementsAre(sample_id(s, 1), sample_id(s, 2)));
  auto none = store().existing_ids(core::schema(core::entity::kAccidents), {sample_id(s, 1)});
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
}

TEST_P(StoreContract, HistoryIsOldestFirstWithItsSource) {
  const auto& s = hazards();
  core::Record h = full_record(s, 1);
  commit_ok(ChangeSet{{"sokha", "batch1.csv", "import"}, {insert_of(s, h, "row 12")}});
  for (int v = 1; v <= 2; ++v) {
    core::Record cur = must_get(s, h.id());
    core::set(s, cur, "beneficiaries", int64_t{100 * v});
    commit_ok(ChangeSet{{"dara", "", "edit " + std::to_string(v)}, {update_of(s, cur)}});
  }
  auto hist = store().history(s, h.id());
  ASSERT_TRUE(hist.has_value()) << hist.error().message;
  ASSERT_EQ(hist->size(), 3u);
  const auto& first = (*hist)[0];
  EXPECT_EQ(first.entity, "hazards");
  EXPECT_EQ(first.record_id, h.id());
  EXPECT_EQ(first.op, "insert");
  EXPECT_EQ(first.user, "sokha");
  EXPECT_EQ(first.file, "batch1.csv");
  EXPECT_EQ(first.source_record, "row 12");
  EXPECT_EQ(first.reason, "import");
  EXPECT_EQ(first.before_json, "");
  EXPECT_FALSE(first.after_json.empty());
  ASSERT_GE(first.at.size(), 20u);  // 2024-05-01T12:34:56Z
  EXPECT_EQ(first.at[10], 'T');
  EXPECT_EQ(first.at.back(), 'Z');
  EXPECT_EQ((*hist)[1].reason, "edit 1");
  EXPECT_EQ((*hist)[2].reason, "edit 2");
  EXPECT_EQ((*hist)[2].user, "dara");
  EXPECT_LT((*hist)[0].seq, (*hist)[1].seq);
  EXPECT_LT((*hist)[1].seq, (*hist)[2].seq);
  EXPECT_EQ((*hist)[2].before_json, (*hist)[1].after_json);
  EXPECT_TRUE(store().history(core::schema(core::entity::kActivities), h.id())->empty());
}

TEST_P(StoreContract, AdminUnitsAndBoundariesAreReplacedAndRead) {
  using core::AdminLevel;
  std::vector<core::AdminUnit> units = {
      {"24", "", AdminLevel::kProvince, "Pailin", "ប៉ៃលិន", 12.85, 102.6},
      {"2401", "24", AdminLevel::kDistrict, "Pailin", "ប៉ៃលិន", std::nullopt, std::nullopt},
      {"24010203", "240102", AdminLevel::kVillage, "Ou Thum", kKhmerVillage, 12.9, 102.65}};
  std::vector<core::AdminBoundary> bounds = {
      {"24", AdminLevel::kProvince, multipolygon_with_hole()},
      {"2401", AdminLevel::kDistrict, polygon()}};
  ASSERT_TRUE(store().replace_admin_units(units, bounds));
  auto got = store().admin_units();
  ASSERT_TRUE(got.has_value()) << got.error().message;
  ASSERT_EQ(got->size(), 3u);
  for (size_t i = 0; i < units.size(); ++i) {
    EXPECT_EQ((*got)[i].code, units[i].code);
    EXPECT_EQ((*got)[i].parent_code, units[i].parent_code);
    EXPECT_EQ((*got)[i].level, units[i].level);
    EXPECT_EQ((*got)[i].name_latin, units[i].name_latin);
    EXPECT_EQ((*got)[i].name_km, units[i].name_km);
    EXPECT_EQ((*got)[i].lat, units[i].lat);
    EXPECT_EQ((*got)[i].lon, units[i].lon);
  }
  auto gb = store().admin_boundaries();
  ASSERT_TRUE(gb.has_value()) << gb.error().message;
  ASSERT_EQ(gb->size(), 2u);
  EXPECT_EQ((*gb)[0].code, "24");
  EXPECT_EQ((*gb)[0].level, AdminLevel::kProvince);
  EXPECT_EQ((*gb)[0].geometry, bounds[0].geometry);
  EXPECT_EQ((*gb)[1].geometry, bounds[1].geometry);

  ASSERT_TRUE(store().replace_admin_units({units[0]}, {}));
  EXPECT_EQ(store().admin_units()->size(), 1u);
  EXPECT_TRUE(store().admin_boundaries()->empty());
}

TEST_P(StoreContract, MetaSettingsAreStoredAndOverwritten) {
  auto none = store().meta("seed");
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_FALSE(none->has_value());
  ASSERT_TRUE(store().set_meta("seed", "42"));
  ASSERT_TRUE(store().set_meta("created_at", "2024-05-01T00:00:00Z"));
  ASSERT_TRUE(store().set_meta("seed", "43"));
  EXPECT_EQ(store().meta("seed")->value_or(""), "43");
  EXPECT_EQ(store().meta("created_at")->value_or(""), "2024-05-01T00:00:00Z");
}

TEST_P(StoreContract, SessionsAreStoredFoundTouchedAndEnded) {
  auto none = store().find_session("nope");
  ASSERT_TRUE(none.has_value()) << none.error().message;
  EXPECT_FALSE(none->has_value());
  const SessionRow a{"hash-a", "dara", 1000, 1000, 1000 + 12 * 3600, "Firefox", "192.0.2.7"};
  const SessionRow b{"hash-b", "dara", 1100, 1100, 1100 + 12 * 3600, "", "192.0.2.8"};
  const SessionRow c{"hash-c", "kim", 1200, 1200, 1200 + 12 * 3600, "QGIS", "::1"};
  for (const auto& r : {a, b, c}) ASSERT_TRUE(store().insert_session(r)) << r.id_hash;
  EXPECT_FALSE(store().insert_session(a));  // the same id twice
  auto got = store().find_session("hash-a");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->user, "dara");
  EXPECT_EQ((*got)->created_unix, 1000);
  EXPECT_EQ((*got)->expires_unix, 1000 + 12 * 3600);
  EXPECT_EQ((*got)->device, "Firefox");
  EXPECT_EQ((*got)->ip, "192.0.2.7");
  ASSERT_TRUE(store().touch_session("hash-a", 5000));
  EXPECT_EQ(store().find_session("hash-a").value()->last_seen_unix, 5000);
  ASSERT_TRUE(store().touch_session("gone", 5000));  // no error for a missing one
  // All of dara's but one; then one by id; then the stale ones.
  EXPECT_EQ(store().delete_user_sessions("dara", "hash-b").value_or(-1), 1);
  EXPECT_FALSE(store().find_session("hash-a").value().has_value());
  EXPECT_TRUE(store().find_session("hash-b").value().has_value());
  EXPECT_EQ(store().delete_session("hash-b").value_or(-1), 1);
  EXPECT_EQ(store().delete_session("hash-b").value_or(-1), 0);
  ASSERT_TRUE(store().insert_session(a));
  // a: last seen 1000 (idle before 1150 → stale); c: last seen 1200, ends 1200+12h (kept).
  EXPECT_EQ(store().delete_stale_sessions(2000, 1150).value_or(-1), 1);
  EXPECT_TRUE(store().find_session("hash-c").value().has_value());
  EXPECT_EQ(store().delete_stale_sessions(1200 + 12 * 3600, 0).value_or(-1), 1);  // c ended
  EXPECT_EQ(store().delete_user_sessions("kim").value_or(-1), 0);
}

TEST_P(StoreContract, EmptyChangeSetIsANoOp) {
  ASSERT_TRUE(store().commit(change_set({})));
  EXPECT_EQ(count_of(hazards()), 0);
}

TEST_P(StoreContract, MigrateTwiceIsHarmless) {
  ASSERT_TRUE(store().migrate());
  commit_ok(change_set({insert_of(hazards(), full_record(hazards(), 1))}));
  ASSERT_TRUE(store().migrate());
  EXPECT_EQ(count_of(hazards()), 1);
}

// ---- whole-database copy (reclaim migrate) ----

/// Every record of every entity (with its version and geometry), in id order.
inline std::vector<std::pair<std::string, core::Record>> all_records(Store& st) {
  std::vector<std::pair<std::string, core::Record>> out;
  for (const auto& s : core::all_schemas()) {
    auto r = st.scan(s, [&](core::Record&& rec) {
      out.emplace_back(s.name, std::move(rec));
      return true;
    });
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  }
  return out;
}

inline std::vector<HistoryEntry> all_history(Store& st) {
  std::vector<HistoryEntry> out;
  auto r = st.scan_history([&](HistoryEntry&& h) {
    out.push_back(std::move(h));
    return true;
  });
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return out;
}

TEST_P(StoreContract, RestoreFromCopiesRecordsVersionsHistoryGazetteerAndSettings) {
  using core::AdminLevel;
  for (const auto& s : core::all_schemas())
    commit_ok(change_set({insert_of(s, full_record(s, 1), "row 1"),
                          insert_of(s, bare_record(s, 2), "row 2")}));
  core::Record h = must_get(hazards(), full_record(hazards(), 1).id());
  core::set(hazards(), h, "name", std::string(kKhmerVillage));
  commit_ok(change_set({update_of(hazards(), h, "row 9")}, "survey.xlsx"));  // version 2
  ASSERT_TRUE(store().replace_admin_units(
      {{"24", "", AdminLevel::kProvince, "Pailin", "ប៉ៃលិន", 12.85, 102.6},
       {"2401", "24", AdminLevel::kDistrict, "Pailin", "ប៉ៃលិន", std::nullopt, std::nullopt}},
      {{"24", AdminLevel::kProvince, multipolygon_with_hole()}}));
  ASSERT_TRUE(store().set_meta("demo_seed", "7"));
  ASSERT_TRUE(store().insert_session({"live", "dara", 1, 1, 99999, "", ""}));  // never copied

  std::unique_ptr<Store> copy = GetParam().fresh();
  ASSERT_NE(copy, nullptr);
  auto r = copy->restore_from(store());
  ASSERT_TRUE(r.has_value()) << r.error().message;

  const auto want = all_records(store());
  const auto got = all_records(*copy);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE(want[i].first + " " + want[i].second.id());
    EXPECT_EQ(got[i].first, want[i].first);
    EXPECT_EQ(got[i].second.values, want[i].second.values);
    EXPECT_EQ(got[i].second.geometry, want[i].second.geometry);
    EXPECT_EQ(got[i].second.version, want[i].second.version);
  }
  EXPECT_EQ(must_get(hazards(), h.id()).version, 2);
  auto copied_h = copy->get(hazards(), h.id());
  ASSERT_TRUE(copied_h.has_value() && copied_h->has_value());
  EXPECT_EQ((*copied_h)->version, 2);

  const auto hist_want = all_history(store());
  const auto hist_got = all_history(*copy);
  ASSERT_EQ(hist_got.size(), hist_want.size());
  for (size_t i = 0; i < hist_want.size(); ++i) {
    const HistoryEntry &a = hist_got[i], &b = hist_want[i];
    EXPECT_EQ(a.seq, b.seq);
    EXPECT_EQ(std::tie(a.entity, a.record_id, a.op, a.at, a.user, a.file, a.source_record,
                       a.reason, a.before_json, a.after_json),
              std::tie(b.entity, b.record_id, b.op, b.at, b.user, b.file, b.source_record,
                       b.reason, b.before_json, b.after_json));
  }
  auto units = copy->admin_units();
  ASSERT_TRUE(units.has_value());
  ASSERT_EQ(units->size(), 2u);
  EXPECT_EQ((*units)[1].parent_code, "24");
  EXPECT_EQ((*units)[0].lat, 12.85);
  auto bounds = copy->admin_boundaries();
  ASSERT_TRUE(bounds.has_value());
  ASSERT_EQ(bounds->size(), 1u);
  EXPECT_EQ((*bounds)[0].geometry, multipolygon_with_hole());
  EXPECT_FALSE(copy->find_session("live").value().has_value());
  auto meta = copy->meta_entries();
  ASSERT_TRUE(meta.has_value());
  EXPECT_THAT(*meta, ::testing::Contains(std::pair<std::string, std::string>("demo_seed", "7")));

  // The copy keeps working: an update bumps the copied version, its history entry follows the
  // copied seq numbers.
  core::Record again = std::move(**copied_h);
  core::set(hazards(), again, "name", std::string("Renamed"));
  ChangeSet cs = change_set({update_of(hazards(), again, "row 10")});
  auto up = copy->commit(cs);
  ASSERT_TRUE(up.has_value()) << up.error().message;
  const auto after = all_history(*copy);
  ASSERT_EQ(after.size(), hist_want.size() + 1);
  EXPECT_GT(after.back().seq, hist_want.back().seq);
}

TEST_P(StoreContract, RestoreFromRefusesATargetThatIsNotEmptyAndChangesNothing) {
  commit_ok(change_set({insert_of(hazards(), full_record(hazards(), 1))}));
  std::unique_ptr<Store> target = GetParam().fresh();
  ASSERT_NE(target, nullptr);
  ChangeSet one = change_set({insert_of(hazards(), full_record(hazards(), 5))});
  ASSERT_TRUE(target->commit(one).has_value());
  auto r = target->restore_from(store());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("not empty"));
  auto n = target->count(hazards());
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, 1);
  EXPECT_EQ(all_history(*target).size(), 1u);
}

TEST_P(StoreContract, RestoreFromItselfIsRefused) {
  auto r = store().restore_from(store());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace reclaim::storage::contract
