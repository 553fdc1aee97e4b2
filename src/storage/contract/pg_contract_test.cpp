// The storage contract suite run against PostgreSQL + PostGIS, plus what only a server has:
// concurrent writers, unique-key clashes between clients, connection faults and a schema newer
// than the binary. Every test gets a new database (CREATE DATABASE from template1, which has
// PostGIS when the server was started by scripts/pg_test_server.sh), dropped when the tests end.
//
// The server comes from RECLAIM_PG_URL (an administrator's URL, e.g.
// postgresql://postgres@127.0.0.1:55433/postgres); `ctest -L pg` starts one and sets it. Without
// it every test fails, saying so.
#include <libpq-fe.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <latch>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/postgres/pg_store.hpp"
#include "storage/open/open.hpp"
#include "store_contract.hpp"
#include "store_query_contract.hpp"

namespace reclaim::storage::contract {
namespace {

constexpr const char* kNoServer =
    "RECLAIM_PG_URL is not set. These tests need a PostgreSQL 15 + PostGIS 3 server: run them "
    "with `ctest -L pg` (which starts a private one), or start one with `bash "
    "scripts/pg_test_server.sh start /tmp/pgdev 55477` and export "
    "RECLAIM_PG_URL=postgresql://postgres@127.0.0.1:55477/postgres";

std::string admin_url() {
  const char* u = std::getenv("RECLAIM_PG_URL");
  return u != nullptr ? u : "";
}

/// Parts of a postgresql:// URL: scheme://[user@]host:port/db?params
struct UrlParts {
  std::string scheme, user, hostport, params;
};
UrlParts split_url(const std::string& url) {
  UrlParts p;
  const size_t start = url.find("://") + 3;
  p.scheme = url.substr(0, start);
  size_t end = url.find_first_of("/?", start);
  if (end == std::string::npos) end = url.size();
  std::string authority = url.substr(start, end - start);
  if (const size_t at = authority.rfind('@'); at != std::string::npos) {
    p.user = authority.substr(0, at);
    authority.erase(0, at + 1);
  }
  p.hostport = authority;
  if (const size_t qm = url.find('?', start); qm != std::string::npos) p.params = url.substr(qm);
  return p;
}
/// The admin URL pointed at database `db` (as `user` if given), with `extra` parameters.
std::string url_for(const std::string& db, const std::string& user = "",
                    const std::string& extra = "") {
  UrlParts p = split_url(admin_url());
  if (!user.empty()) p.user = user;
  std::string url = p.scheme + (p.user.empty() ? "" : p.user + "@") + p.hostport + "/" + db;
  std::string params = p.params;
  if (!extra.empty()) params += (params.empty() ? "?" : "&") + extra;
  return url + params;
}

struct ConnCloser {
  void operator()(PGconn* c) const noexcept { PQfinish(c); }
};
struct ResultClearer {
  void operator()(PGresult* r) const noexcept { PQclear(r); }
};

/// A plain libpq connection for what the tests do behind the store's back.
class Admin {
 public:
  explicit Admin(const std::string& url) : conn_(PQconnectdb(url.c_str())) {
    if (PQstatus(conn_.get()) != CONNECTION_OK)
      ADD_FAILURE() << "cannot connect to " << url << ": " << PQerrorMessage(conn_.get());
  }
  /// Runs SQL; returns "" or the error message.
  std::string exec(const std::string& sql) {
    std::unique_ptr<PGresult, ResultClearer> r(PQexec(conn_.get(), sql.c_str()));
    const auto st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return "";
    return PQresultErrorMessage(r.get());
  }
  void must(const std::string& sql) {
    const std::string err = exec(sql);
    ASSERT_EQ(err, "") << sql;
  }
  /// The first value of a query, or "" (also for no rows and errors).
  std::string value(const std::string& sql) {
    std::unique_ptr<PGresult, ResultClearer> r(PQexec(conn_.get(), sql.c_str()));
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) == 0) return "";
    return PQgetvalue(r.get(), 0, 0);
  }

 private:
  std::unique_ptr<PGconn, ConnCloser> conn_;
};

std::mutex& created_mutex() {
  static std::mutex m;
  return m;
}
std::vector<std::string>& created() {
  static std::vector<std::string> dbs;
  return dbs;
}

/// A new, empty database (no Reclaim schema yet); "" if the server is not there.
std::string fresh_database(const std::string& template_db = "template1",
                           const std::string& owner = "") {
  if (admin_url().empty()) {
    ADD_FAILURE() << kNoServer;
    return "";
  }
  static std::atomic<int> serial{0};
  const std::string name =
      "reclaim_test_" + std::to_string(::getpid()) + "_" + std::to_string(++serial);
  Admin admin(admin_url());
  std::string sql = "CREATE DATABASE " + name + " TEMPLATE " + template_db;
  if (!owner.empty()) sql += " OWNER " + owner;
  if (const std::string err = admin.exec(sql); !err.empty()) {
    ADD_FAILURE() << sql << ": " << err;
    return "";
  }
  std::lock_guard lock(created_mutex());
  created().push_back(name);
  return name;
}

class DropDatabases : public ::testing::Environment {
 public:
  void TearDown() override {
    if (admin_url().empty() || created().empty()) return;
    Admin admin(admin_url());
    for (const auto& db : created())
      (void)admin.exec("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
  }
};
const auto* const kDropDatabases = ::testing::AddGlobalTestEnvironment(new DropDatabases);

std::unique_ptr<Store> fresh_pg() {
  const std::string db = fresh_database();
  if (db.empty()) return nullptr;
  auto store = open_store(url_for(db));
  if (!store) {
    ADD_FAILURE() << store.error().message;
    return nullptr;
  }
  return std::move(*store);
}

}  // namespace

INSTANTIATE_TEST_SUITE_P(Postgres, StoreContract,
                         ::testing::Values(StoreAdapter{"postgres", fresh_pg}), adapter_name);
INSTANTIATE_TEST_SUITE_P(Postgres, StoreQueryContract,
                         ::testing::Values(StoreAdapter{"postgres", fresh_pg}), adapter_name);

// ---- what only a server has ----

namespace {

class PgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (admin_url().empty()) GTEST_FAIL() << kNoServer;
  }
  const core::EntitySchema& hazards() const { return core::schema(core::entity::kHazards); }

  /// A migrated store on database `db` (fails the test if it cannot be opened).
  static std::unique_ptr<PgStore> open_pg(const std::string& url) {
    auto s = PgStore::open(url);
    if (!s) {
      ADD_FAILURE() << s.error().message;
      return nullptr;
    }
    if (auto r = (*s)->migrate(); !r) {
      ADD_FAILURE() << r.error().message;
      return nullptr;
    }
    return std::move(*s);
  }
};

TEST_F(PgStoreTest, EightConcurrentWritersLoseNoUpdate) {
  const std::string db = fresh_database();
  ASSERT_FALSE(db.empty());
  const auto& s = hazards();
  core::Record h = full_record(s, 1);
  core::set(s, h, "beneficiaries", int64_t{0});
  {
    auto seed = open_pg(url_for(db));
    ASSERT_NE(seed, nullptr);
    ASSERT_TRUE(seed->commit(change_set({insert_of(s, h, "row 1")})));
  }

  constexpr int kWriters = 8;
  constexpr int kUpdatesEach = 25;
  std::atomic<int> successes{0}, conflicts{0};
  std::mutex errors_mutex;
  std::vector<std::string> errors;
  std::latch start(kWriters);
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto note = [&](const std::string& e) {
        std::lock_guard lock(errors_mutex);
        errors.push_back("writer " + std::to_string(w) + ": " + e);
      };
      auto store = PgStore::open(url_for(db));
      start.arrive_and_wait();
      if (!store) return note(store.error().message);
      for (int done = 0, attempts = 0; done < kUpdatesEach && attempts < 10000; ++attempts) {
        auto cur = (*store)->get(s, h.id());
        if (!cur || !cur->has_value()) return note(cur ? "record vanished" : cur.error().message);
        core::Record rec = std::move(**cur);
        core::set(s, rec, "beneficiaries", core::get_int(s, rec, "beneficiaries") + 1);
        auto r = (*store)->commit(
            ChangeSet{{"writer" + std::to_string(w), "", "count"}, {update_of(s, rec, "edit")}});
        if (r) {
          ++done;
          ++successes;
        } else if (r.error().code == ErrorCode::kConflict) {
          ++conflicts;
          if (r.error().message.find("reload") == std::string::npos) note(r.error().message);
        } else {
          return note(r.error().message);
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  EXPECT_THAT(errors, ::testing::IsEmpty());
  EXPECT_EQ(successes.load(), kWriters * kUpdatesEach);

  auto check = open_pg(url_for(db));
  ASSERT_NE(check, nullptr);
  auto stored = check->get(s, h.id());
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ(core::get_int(s, **stored, "beneficiaries"), successes.load());
  EXPECT_EQ((*stored)->version, 1 + successes.load());
  auto hist = check->history(s, h.id());
  ASSERT_TRUE(hist.has_value());
  EXPECT_EQ(hist->size(), static_cast<size_t>(1 + successes.load()));
  RecordProperty("conflicts_retried", conflicts.load());
}

TEST_F(PgStoreTest, TwoWritersInsertingTheSameIdExactlyOneGetsAlreadyExists) {
  const std::string db = fresh_database();
  ASSERT_FALSE(db.empty());
  const auto& s = hazards();
  auto a = open_pg(url_for(db));
  auto b = open_pg(url_for(db));
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  constexpr int kRounds = 10;
  for (int round = 1; round <= kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::latch start(2);
    Result<void> ra, rb;
    // Many inserts first so that the two transactions overlap, then the same id in both.
    auto work = [&](Store& st, Result<void>& out, int base) {
      std::vector<Change> changes;
      for (int i = 0; i < 200; ++i)
        changes.push_back(insert_of(s, full_record(s, base + round * 1000 + i), "row x"));
      changes.push_back(insert_of(s, full_record(s, round), "row clash"));
      const ChangeSet cs = change_set(std::move(changes));
      start.arrive_and_wait();
      out = st.commit(cs);
    };
    std::thread ta(work, std::ref(*a), std::ref(ra), 100000);
    std::thread tb(work, std::ref(*b), std::ref(rb), 200000);
    ta.join();
    tb.join();
    ASSERT_NE(ra.has_value(), rb.has_value());
    const Error& e = ra ? rb.error() : ra.error();
    EXPECT_EQ(e.code, ErrorCode::kAlreadyExists) << e.message;
    EXPECT_THAT(e.message, ::testing::HasSubstr(sample_id(s, round)));
    EXPECT_THAT(e.message, ::testing::HasSubstr("row clash"));
  }
  auto n = a->count(s);
  ASSERT_TRUE(n.has_value());
  EXPECT_EQ(*n, kRounds * 201);  // the loser wrote nothing
}

TEST_F(PgStoreTest, UnreachableServerIsAnIoError) {
  // Port 1 on loopback: nothing listens there.
  auto s = PgStore::open("postgresql://postgres@127.0.0.1:1/postgres");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("127.0.0.1"));
  auto via = open_store("postgres://postgres@127.0.0.1:1/postgres");
  ASSERT_FALSE(via.has_value());
  EXPECT_EQ(via.error().code, ErrorCode::kIo);
}

TEST_F(PgStoreTest, PasswordsAreMaskedInMessages) {
  auto s = PgStore::open("postgresql://postgres:s3cret@127.0.0.1:1/postgres");
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_THAT(s.error().message, ::testing::Not(::testing::HasSubstr("s3cret")));
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("postgres:***@127.0.0.1:1"));
  EXPECT_EQ(mask_password("postgresql://u:p%40ss@h:5432/db?password=x&sslmode=require"),
            "postgresql://u:***@h:5432/db?password=***&sslmode=require");
  EXPECT_EQ(mask_password("host=h password='a b' dbname=d"), "host=h password=*** dbname=d");
  EXPECT_EQ(mask_password("postgresql://u@h/db"), "postgresql://u@h/db");
}

TEST_F(PgStoreTest, WrongDatabaseNameIsAnIoError) {
  auto s = PgStore::open(url_for("reclaim_no_such_database"));
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("reclaim_no_such_database"));
  EXPECT_THAT(s.error().message, ::testing::HasSubstr("does not exist"));
}

TEST_F(PgStoreTest, SchemaNewerThanTheBinaryIsRefused) {
  const std::string db = fresh_database();
  ASSERT_FALSE(db.empty());
  ASSERT_NE(open_pg(url_for(db)), nullptr);
  Admin(url_for(db))
      .must(
          "INSERT INTO reclaim_migrations (version, name, applied_at) "
          "VALUES (999, '0999_from_the_future', '2030-01-01T00:00:00Z')");
  auto s = PgStore::open(url_for(db));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  auto r = (*s)->migrate();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("999"));
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("newer than this Reclaim"));
  auto via = open_store(url_for(db));
  ASSERT_FALSE(via.has_value());
  EXPECT_EQ(via.error().code, ErrorCode::kFailedPrecondition);
}

// Issue 7: an edit made in the database by another client (psql, QGIS on PostgreSQL) is
// recorded by the PL/pgSQL triggers of migration 5 as a direct, unvalidated edit and bumps the
// row version; Reclaim's own writes are not; a settings change moves the data generation.
TEST_F(PgStoreTest, DirectEditsByAnotherClientAreRecordedAsUnvalidatedHistory) {
  const std::string db = fresh_database();
  ASSERT_FALSE(db.empty());
  auto store = open_pg(url_for(db));
  ASSERT_NE(store, nullptr);
  const auto& s = core::schema(core::entity::kHazards);
  const core::Record h1 = full_record(s, 1), h2 = full_record(s, 2);
  ASSERT_TRUE(store->commit(change_set({insert_of(s, h1), insert_of(s, h2)})));
  auto none = store->direct_edits(10);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty()) << "Reclaim's own commit was taken for a direct edit";
  auto gen = store->generation();
  ASSERT_TRUE(gen);
  auto before = store->get(s, h1.id());
  ASSERT_TRUE(before && *before);
  Admin admin(url_for(db));
  const std::string idc = "\"" + s.id_field().name + "\"", field = "\"" + s.fields[1].name + "\"";
  admin.must("UPDATE hazards SET " + field + " = 'edited in psql' WHERE " + idc + " = '" + h1.id() + "'");
  admin.must("DELETE FROM hazards WHERE " + idc + " = '" + h2.id() + "'");
  auto edits = store->direct_edits(10);
  ASSERT_TRUE(edits) << edits.error().message;
  ASSERT_EQ(edits->size(), 2u);
  EXPECT_EQ((*edits)[0].op, "delete");
  EXPECT_EQ((*edits)[0].record_id, h2.id());
  EXPECT_EQ((*edits)[1].op, "update");
  EXPECT_EQ((*edits)[1].record_id, h1.id());
  EXPECT_EQ((*edits)[1].reason, std::string(kDirectEditReason));
  EXPECT_THAT((*edits)[1].after_json, ::testing::HasSubstr("edited in psql"));
  auto now = store->get(s, h1.id());
  ASSERT_TRUE(now && *now);
  EXPECT_EQ((*now)->version, (*before)->version + 1);
  auto stale = store->commit(change_set({update_of(s, **before)}));  // the version read before
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  ASSERT_TRUE(store->commit(change_set({update_of(s, **now)})));
  EXPECT_EQ(store->direct_edits(10)->size(), 2u);
  auto gen2 = store->generation();
  ASSERT_TRUE(gen2);
  EXPECT_NE(*gen2, *gen);
  // a settings change by another client (no history) moves the generation too
  admin.must("UPDATE reclaim_meta SET value = value WHERE true");
  admin.must("INSERT INTO reclaim_meta (key, value) VALUES ('k', 'v')");
  auto gen3 = store->generation();
  ASSERT_TRUE(gen3);
  EXPECT_NE(*gen3, *gen2);
}

TEST_F(PgStoreTest, AVersion3DatabaseGetsTheFilterIndexesOfStep4OnOpen) {
  ASSERT_GE(PgStore::latest_schema_version(), 4);
  const std::string db = fresh_database();
  ASSERT_FALSE(db.empty());
  ASSERT_NE(open_pg(url_for(db)), nullptr);
  Admin admin(url_for(db));
  // What a database made by a version-3 binary looks like: no step 4, no filter indexes.
  admin.must(
      "DELETE FROM reclaim_migrations WHERE version >= 4; DROP INDEX hazards_status; "
      "DROP INDEX hazards_province_code; DROP INDEX accidents_date; "
      // … and none of the columns of step 7
      "DROP INDEX hazards_assigned_org; ALTER TABLE hazards DROP COLUMN assigned_org; "
      "ALTER TABLE users DROP COLUMN province_code; ALTER TABLE submissions DROP COLUMN "
      "verify_by");
  ASSERT_EQ(admin.value("SELECT max(version) FROM reclaim_migrations"), "3");
  auto s = open_store(url_for(db));
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(admin.value("SELECT max(version) FROM reclaim_migrations"),
            std::to_string(PgStore::latest_schema_version()));
  EXPECT_EQ(admin.value("SELECT name FROM reclaim_migrations WHERE version = 4"),
            "0004_filter_indexes");
  EXPECT_EQ(admin.value("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND "
                        "indexname IN ('hazards_status', 'hazards_province_code', "
                        "'accidents_date', 'activities_org', 'eo_finds_village_code')"),
            "5");
  // the prefix filter on village codes can use its C-collation index
  EXPECT_THAT(admin.value("SELECT indexdef FROM pg_indexes WHERE indexname = "
                          "'hazards_village_code'"),
              ::testing::HasSubstr("COLLATE \"C\""));
  // step 7 added its columns again
  EXPECT_EQ(admin.value("SELECT count(*) FROM information_schema.columns WHERE table_schema = "
                        "'public' AND (table_name, column_name) IN (('users', 'province_code'), "
                        "('hazards', 'assigned_org'), ('submissions', 'verify_by'))"),
            "3");
}

TEST_F(PgStoreTest, MissingPostGisIsInstalledWhenTheRoleMay) {
  const std::string db = fresh_database("template0");  // no PostGIS
  ASSERT_FALSE(db.empty());
  auto store = open_store(url_for(db));
  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ(Admin(url_for(db)).value("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"),
            "1");
}

TEST_F(PgStoreTest, MissingPostGisWithoutPrivilegeIsAFailedPrecondition) {
  Admin admin(admin_url());
  const std::string err = admin.exec("CREATE ROLE reclaim_plain LOGIN");
  ASSERT_TRUE(err.empty() || err.find("already exists") != std::string::npos) << err;
  const std::string db = fresh_database("template0");
  ASSERT_FALSE(db.empty());
  auto store = open_store(url_for(db, "reclaim_plain"));
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(store.error().message,
              ::testing::HasSubstr("PostGIS is not installed in database " + db));
}

/// n hazards with multipolygons: a large import.
ChangeSet big_import(const core::EntitySchema& s, int n) {
  std::vector<Change> changes;
  changes.reserve(static_cast<size_t>(n));
  for (int i = 1; i <= n; ++i)
    changes.push_back(insert_of(s, full_record(s, i), "row " + std::to_string(i)));
  return change_set(std::move(changes), "national.gpkg");
}

TEST_F(PgStoreTest, ConnectionKilledMidImportRollsBackAndSaysSo) {
  const std::string db = fresh_database();
  ASSERT_FALSE(db.empty());
  const auto& s = hazards();
  const std::string app = "reclaim_kill_" + db;
  auto store = open_pg(url_for(db, "", "application_name=" + app));
  ASSERT_NE(store, nullptr);
  const ChangeSet cs = big_import(s, 40000);

  Result<void> result;
  std::atomic<bool> done{false};
  std::thread importer([&] {
    result = store->commit(cs);
    done = true;
  });
  Admin admin(admin_url());
  bool killed = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!done && !killed && std::chrono::steady_clock::now() < deadline) {
    // Wait until some rows are in (the transaction has written), then kill the backend.
    const std::string pid = admin.value(
        "SELECT pid FROM pg_stat_activity WHERE application_name = '" + app +
        "' AND xact_start IS NOT NULL AND now() - xact_start > interval '200 milliseconds'");
    if (!pid.empty()) killed = admin.value("SELECT pg_terminate_backend(" + pid + ")") == "t";
    if (!killed) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  importer.join();
  ASSERT_TRUE(killed) << "the import finished before it could be interrupted";
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kIo);
  EXPECT_THAT(result.error().message,
              ::testing::HasSubstr("the connection to the server was lost during the import; the "
                                   "transaction was rolled back, nothing was written"));

  // The same store reconnects; nothing of the import is there.
  auto n = store->count(s);
  ASSERT_TRUE(n.has_value()) << n.error().message;
  EXPECT_EQ(*n, 0);
  EXPECT_EQ(admin.value("SELECT count(*) FROM pg_database WHERE datname = '" + db + "'"), "1");
  EXPECT_EQ(Admin(url_for(db)).value("SELECT count(*) FROM history"), "0");
}

TEST_F(PgStoreTest, StatementTimeoutMidImportRollsBackAndSaysSo) {
  const std::string db = fresh_database();
  ASSERT_FALSE(db.empty());
  const auto& s = hazards();
  const auto& orgs = core::schema(core::entity::kOrganisations);
  auto store = open_pg(url_for(db, "", "options=-c%20statement_timeout%3D300"));
  ASSERT_NE(store, nullptr);
  // Another session holds the hazards table: the import's hazard inserts wait and time out.
  Admin blocker(url_for(db));
  blocker.must("BEGIN");
  blocker.must("LOCK TABLE hazards IN ACCESS EXCLUSIVE MODE");
  auto r = store->commit(change_set(
      {insert_of(orgs, full_record(orgs, 1), "row 1"), insert_of(s, full_record(s, 2), "row 2")}));
  blocker.must("ROLLBACK");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kIo);
  EXPECT_THAT(r.error().message, ::testing::HasSubstr("statement timeout"));
  EXPECT_THAT(r.error().message,
              ::testing::HasSubstr("the transaction was rolled back, nothing was written"));
  EXPECT_EQ(*store->count(orgs), 0);
  EXPECT_EQ(*store->count(s), 0);
  EXPECT_TRUE(store->history(orgs, sample_id(orgs, 1))->empty());
}

TEST_F(PgStoreTest, GeometriesAreStoredAsPostGisWithGistIndexes) {
  const std::string db = fresh_database();
  ASSERT_FALSE(db.empty());
  const auto& s = hazards();
  auto store = open_pg(url_for(db));
  ASSERT_NE(store, nullptr);
  core::Record h = full_record(s, 1);
  h.geometry = polygon();
  ASSERT_TRUE(store->commit(change_set({insert_of(s, h)})));
  Admin admin(url_for(db));
  EXPECT_EQ(admin.value("SELECT ST_GeometryType(geom) || ' ' || ST_NumGeometries(geom) || ' ' || "
                        "ST_SRID(geom) FROM hazards"),
            "ST_MultiPolygon 1 4326");
  const auto& all = core::all_schemas();
  const auto spatial = std::count_if(all.begin(), all.end(), [](const core::EntitySchema& e) {
    return e.geometry != core::GeometryKind::kNone;
  });
  EXPECT_EQ(admin.value("SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND "
                        "indexdef LIKE '%USING gist%'"),
            std::to_string(1 + spatial));  // admin_boundaries + every entity with a geometry
  EXPECT_EQ(admin.value("SELECT max(version) FROM reclaim_migrations"),
            std::to_string(PgStore::latest_schema_version()));
}

}  // namespace
}  // namespace reclaim::storage::contract
