#pragma once
// The query part of the storage contract (store_contract.hpp): filters, exact bbox, sorting,
// keyset paging and totals, each checked against the port's in-memory Store::query. Included by
// each adapter's contract test after store_contract.hpp, and instantiated there as
// StoreQueryContract.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "store_contract.hpp"

namespace reclaim::storage::contract {

// ---- query: filters, bbox, sorting and keyset paging (the in-memory Store::query of the port
// is the reference every adapter's indexed query must agree with) ----

/// 40 hazards with nulls, mixed-case and Khmer names, two provinces, villages sharing prefixes,
/// dates, areas and counts with ties, and geometries in three places (some none).
inline std::vector<core::Record> query_records() {
  const core::EntitySchema& s = core::schema(core::entity::kHazards);
  static const char* const kNames[] = {"apple", "Banana", "ខ្សាច់", "banana", "Apple", "ក"};
  static const char* const kVillages[] = {"24010203", "24010399", "24020101", "02030405"};
  static const char* const kStatus[] = {"open", "worked_on", "closed", "handed_over"};
  std::vector<core::Record> out;
  for (int n = 0; n < 40; ++n) {
    core::Record r = core::make_record(s);
    core::set(s, r, "id", sample_id(s, (n * 17) % 40));  // ids not in insertion order
    if (n % 7 != 3) core::set(s, r, "name", std::string(kNames[n % 6]));
    core::set(s, r, "hazard_type", std::string(n % 3 == 0 ? "CHA" : "SHA"));
    core::set(s, r, "contamination", std::string(n % 2 == 0 ? "AP" : "ERW"));
    if (n % 5 != 4) core::set(s, r, "status", std::string(kStatus[n % 4]));
    const std::string village = kVillages[n % 4];
    core::set(s, r, "village_code", village);
    core::set(s, r, "province_code", village.substr(0, 2));
    if (n % 6 != 5)
      core::set(s, r, "date_recorded", "20" + std::to_string(10 + n % 9) + "-0" +
                                           std::to_string(1 + n % 3) + "-15");
    if (n % 4 != 1) core::set(s, r, "estimated_area_m2", 1000.0 * (n % 5) + 0.5);
    if (n % 3 != 2) core::set(s, r, "beneficiaries", int64_t{(n % 4) * 10});
    if (n % 8 != 7) {
      const double lon = n % 3 == 0 ? 102.6 : (n % 3 == 1 ? 103.5 : 104.9);
      r.geometry = polygon(lon + 0.02 * (n % 4), 12.85);
    }
    out.push_back(std::move(r));
  }
  return out;
}

inline std::vector<std::string> ids_of(const std::vector<core::Record>& rs) {
  std::vector<std::string> ids;
  for (const auto& r : rs) ids.push_back(r.id());
  return ids;
}

class StoreQueryContract : public StoreContract {
 protected:
  void SetUp() override {
    StoreContract::SetUp();
    if (!store_) return;
    std::vector<Change> ch;
    for (auto& r : query_records()) ch.push_back(insert_of(hazards(), std::move(r)));
    commit_ok(change_set(std::move(ch)));
  }
  QueryPage run(const Query& q) {
    auto p = store().query(hazards(), q);
    EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
    return p ? std::move(*p) : QueryPage{};
  }
  /// The port's portable in-memory query on the same store: the reference.
  QueryPage reference(const Query& q) {
    auto p = store().Store::query(hazards(), q);
    EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
    return p ? std::move(*p) : QueryPage{};
  }
  void expect_like_reference(const Query& q, const std::string& what) {
    const QueryPage got = run(q), want = reference(q);
    EXPECT_EQ(ids_of(got.records), ids_of(want.records)) << what;
    EXPECT_EQ(got.more, want.more) << what;
    EXPECT_EQ(got.total, want.total) << what;
  }
  /// Every page of `q` (limit `page`), following the keyset cursor of each last record.
  std::vector<std::string> page_through(Query q, int64_t page) {
    q.limit = page;
    const int si = q.sort_field.empty() ? 0 : hazards().index_of(q.sort_field);
    std::vector<std::string> ids;
    for (int guard = 0; guard < 100; ++guard) {
      const QueryPage p = run(q);
      for (const auto& r : p.records) ids.push_back(r.id());
      if (!p.more || p.records.empty()) break;
      const core::Record& last = p.records.back();
      q.after = Query::After{last.values[static_cast<size_t>(si)], last.id()};
    }
    return ids;
  }
};

inline Query where_(std::vector<Condition> c) {
  Query q;
  q.where = std::move(c);
  q.limit = 1000;
  q.with_total = true;
  return q;
}

TEST_P(StoreQueryContract, FiltersAgreeWithTheReference) {
  using Op = Condition::Op;
  const std::vector<std::pair<std::string, std::vector<Condition>>> cases = {
      {"none", {}},
      {"status any of", {{"status", Op::kAnyOf, {std::string("closed"), "handed_over"}}}},
      {"one value", {{"hazard_type", Op::kAnyOf, {std::string("CHA")}}}},
      {"empty any of", {{"status", Op::kAnyOf, {}}}},
      {"province", {{"province_code", Op::kAnyOf, {std::string("24")}}}},
      {"village prefix 2401", {{"village_code", Op::kPrefix, {std::string("2401")}}}},
      {"village prefix 240103", {{"village_code", Op::kPrefix, {std::string("240103")}}}},
      {"full code prefix", {{"village_code", Op::kPrefix, {std::string("02030405")}}}},
      {"date from", {{"date_recorded", Op::kGe, {std::string("2014-02-15")}}}},
      {"date range",
       {{"date_recorded", Op::kGe, {std::string("2012-01-01")}},
        {"date_recorded", Op::kLe, {std::string("2016-12-31")}}}},
      {"real >=", {{"estimated_area_m2", Op::kGe, {2000.5}}}},
      {"real <= int", {{"estimated_area_m2", Op::kLe, {int64_t{2000}}}}},
      {"integer any of", {{"beneficiaries", Op::kAnyOf, {int64_t{10}, int64_t{30}}}}},
      {"integer <=", {{"beneficiaries", Op::kLe, {int64_t{10}}}}},
      {"null never matches", {{"status", Op::kAnyOf, {core::Value{}}}}},
      {"text name", {{"name", Op::kAnyOf, {std::string("ខ្សាច់"), "Apple"}}}},
      {"combined",
       {{"contamination", Op::kAnyOf, {std::string("AP")}},
        {"village_code", Op::kPrefix, {std::string("24")}},
        {"status", Op::kAnyOf, {std::string("open"), "closed", "worked_on"}}}},
  };
  for (const auto& [what, conds] : cases) expect_like_reference(where_(conds), what);
  // spot checks that do not depend on the reference
  QueryPage p = run(where_({{"village_code", Condition::Op::kPrefix, {std::string("2401")}}}));
  EXPECT_EQ(p.total, 20);
  for (const auto& r : p.records)
    EXPECT_TRUE(std::get<std::string>(r.values[static_cast<size_t>(hazards().index_of(
                                          "village_code"))])
                    .starts_with("2401"));
}

TEST_P(StoreQueryContract, BboxFindsTheGeometriesThatMeetIt) {
  Query q = where_({});
  q.bbox = geo::Envelope{103.4, 12.8, 103.6, 12.9};
  expect_like_reference(q, "bbox");
  const QueryPage p = run(q);
  EXPECT_GT(p.total, 0);
  EXPECT_LT(p.total, 40);
  q.where.push_back({"hazard_type", Condition::Op::kAnyOf, {std::string("SHA")}});
  expect_like_reference(q, "bbox and filter");
  q.bbox = geo::Envelope{10, 10, 11, 11};
  EXPECT_EQ(run(q).total, 0);
}

TEST_P(StoreContract, BboxIsTheExactIntersectionNotTheEnvelope) {
  // multipolygon_with_hole(102.6, 12.85): a 0.01° square at (102.6, 12.85) with a 0.002° hole
  // at (102.603, 12.853), and a 0.005° square at (102.62, 12.85). Which box meets it is known
  // by construction, not from any index or library.
  core::Record holed = full_record(hazards(), 1);
  holed.geometry = multipolygon_with_hole(102.6, 12.85);
  core::Record plain = full_record(hazards(), 2);
  plain.geometry = polygon(102.7, 12.85);
  const std::string holed_id = holed.id(), plain_id = plain.id();
  commit_ok(change_set({insert_of(hazards(), std::move(holed)), insert_of(hazards(), std::move(plain))}));
  auto hits = [&](geo::Envelope box) {
    Query q;
    q.bbox = box;
    q.limit = 100;
    q.with_total = true;
    auto p = store().query(hazards(), q);
    EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message);
    std::vector<std::string> ids = p ? ids_of(p->records) : std::vector<std::string>{};
    if (p) {
      EXPECT_EQ(p->total, static_cast<int64_t>(ids.size()));
    }
    return ids;
  };
  using ::testing::ElementsAre;
  using ::testing::IsEmpty;
  // inside the hole: the envelope overlaps, the polygon does not
  EXPECT_THAT(hits({102.6035, 12.8535, 102.6045, 12.8545}), IsEmpty());
  // between the two parts of the multipolygon (inside its envelope, outside both parts)
  EXPECT_THAT(hits({102.612, 12.851, 102.618, 12.852}), IsEmpty());
  // overlapping the hole's edge, inside the shell, on the second part, around everything
  EXPECT_THAT(hits({102.602, 12.852, 102.604, 12.854}), ElementsAre(holed_id));
  EXPECT_THAT(hits({102.621, 12.851, 102.622, 12.852}), ElementsAre(holed_id));
  EXPECT_THAT(hits({102.5, 12.8, 102.8, 12.9}), ElementsAre(holed_id, plain_id));
  // touching an edge counts (OGC intersects), a hair away does not
  const double east = 102.7 + 0.01;  // the square's east edge, computed as square() does
  EXPECT_THAT(hits({east, 12.855, east + 0.01, 12.856}), ElementsAre(plain_id));
  EXPECT_THAT(hits({east + 1e-4, 12.855, east + 0.01, 12.856}), IsEmpty());
}

TEST_P(StoreQueryContract, SortsWithNullsAsSqliteDoesAndTiesById) {
  for (const char* field : {"", "id", "name", "status", "date_recorded", "estimated_area_m2",
                            "beneficiaries", "village_code"}) {
    for (bool desc : {false, true}) {
      Query q = where_({});
      q.sort_field = field;
      q.descending = desc;
      expect_like_reference(q, std::string("sort ") + field + (desc ? " desc" : " asc"));
    }
  }
  Query q = where_({});
  q.sort_field = "date_recorded";
  QueryPage asc = run(q);
  ASSERT_EQ(asc.records.size(), 40u);
  const auto di = static_cast<size_t>(hazards().index_of("date_recorded"));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(asc.records.front().values[di]));
  q.descending = true;
  QueryPage desc = run(q);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(desc.records.back().values[di]));
  // text is ordered bytewise: upper case before lower case, Khmer last
  q.sort_field = "name";
  q.descending = false;
  q.where = {{"name", Condition::Op::kAnyOf, {std::string("apple"), "Banana", "ក"}}};
  const auto ni = static_cast<size_t>(hazards().index_of("name"));
  QueryPage named = run(q);
  ASSERT_FALSE(named.records.empty());
  EXPECT_EQ(std::get<std::string>(named.records.front().values[ni]), "Banana");
  EXPECT_EQ(std::get<std::string>(named.records.back().values[ni]), "ក");
}

TEST_P(StoreQueryContract, PagingWithASmallLimitGivesEveryRecordOnceInOrder) {
  for (const char* field : {"", "name", "date_recorded", "estimated_area_m2", "beneficiaries"}) {
    for (bool desc : {false, true}) {
      for (int64_t limit : {1, 3, 7}) {
        Query q;
        q.sort_field = field;
        q.descending = desc;
        q.limit = 1000;
        const auto want = ids_of(reference(q).records);
        ASSERT_EQ(want.size(), 40u);
        EXPECT_EQ(page_through(q, limit), want)
            << "sort " << field << (desc ? " desc" : " asc") << " limit " << limit;
      }
    }
  }
  // with a filter and a bbox too
  Query q;
  q.where = {{"contamination", Condition::Op::kAnyOf, {std::string("AP")}}};
  q.bbox = geo::Envelope{102.0, 12.0, 104.0, 13.5};
  q.sort_field = "estimated_area_m2";
  q.descending = true;
  q.limit = 1000;
  EXPECT_EQ(page_through(q, 2), ids_of(reference(q).records));
}

TEST_P(StoreQueryContract, CursorsOfEveryKindAgreeWithTheReference) {
  // after a null, after a value that is not stored, after text in a numeric column
  const std::vector<std::pair<std::string, core::Value>> afters = {
      {"date_recorded", core::Value{}},
      {"date_recorded", std::string("2013-02-01")},
      {"estimated_area_m2", core::Value{}},
      {"estimated_area_m2", 1500.0},
      {"estimated_area_m2", int64_t{2000}},
      {"estimated_area_m2", std::string("not a number")},
      {"beneficiaries", int64_t{15}},
      {"name", std::string("Zebra")},
  };
  for (const auto& [field, value] : afters) {
    for (bool desc : {false, true}) {
      for (const char* id : {"", "KH-hazards-000020", "ZZ"}) {
        Query q = where_({});
        q.sort_field = field;
        q.descending = desc;
        q.after = Query::After{value, id};
        expect_like_reference(q, "after on " + field + (desc ? " desc" : " asc") + " id " + id);
      }
    }
  }
}

TEST_P(StoreQueryContract, OffsetLimitMoreAndTotal) {
  Query q;
  q.sort_field = "name";
  q.limit = 5;
  q.offset = 10;
  q.with_total = true;
  expect_like_reference(q, "offset 10 limit 5");
  QueryPage p = run(q);
  EXPECT_EQ(p.records.size(), 5u);
  EXPECT_TRUE(p.more);
  EXPECT_EQ(p.total, 40);
  q.offset = 35;
  p = run(q);
  EXPECT_EQ(p.records.size(), 5u);
  EXPECT_FALSE(p.more);
  q.offset = 36;
  p = run(q);
  EXPECT_EQ(p.records.size(), 4u);
  EXPECT_FALSE(p.more);
  q.limit = 0;
  q.offset = 0;
  p = run(q);
  EXPECT_TRUE(p.records.empty());
  EXPECT_TRUE(p.more);
  EXPECT_EQ(p.total, 40);
  q.with_total = false;
  EXPECT_EQ(run(q).total, -1);
}

TEST_P(StoreQueryContract, RecordsComeBackWhole) {
  Query q = where_({{"id", Condition::Op::kAnyOf, {std::string(sample_id(hazards(), 17))}}});
  const QueryPage p = run(q);
  ASSERT_EQ(p.records.size(), 1u);
  const core::Record stored = must_get(hazards(), sample_id(hazards(), 17));
  EXPECT_EQ(p.records[0].values, stored.values);
  EXPECT_EQ(p.records[0].version, stored.version);
  EXPECT_EQ(p.records[0].geometry.polygons.size(), stored.geometry.polygons.size());
}

TEST_P(StoreQueryContract, UnknownFieldsAreInvalidArguments) {
  Query q = where_({{"no_such_field", Condition::Op::kAnyOf, {std::string("x")}}});
  auto r = store().query(hazards(), q);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  Query s;
  s.sort_field = "name; DROP TABLE hazards";
  auto r2 = store().query(hazards(), s);
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(count_of(hazards()), 40);
}

TEST_P(StoreQueryContract, InjectionInValuesIsJustAValue) {
  const std::string evil = "x' OR '1'='1";
  EXPECT_EQ(run(where_({{"name", Condition::Op::kAnyOf, {evil}}})).total, 0);
  EXPECT_EQ(run(where_({{"village_code", Condition::Op::kPrefix, {evil}}})).total, 0);
  EXPECT_EQ(run(where_({{"village_code", Condition::Op::kPrefix, {std::string("%")}}})).total, 0);
  EXPECT_EQ(run(where_({{"village_code", Condition::Op::kPrefix, {std::string("24_1")}}})).total,
            0);
}

}  // namespace reclaim::storage::contract
