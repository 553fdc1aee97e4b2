// GeoPackage-specific behaviour of the SQLite adapter: the file is a valid GeoPackage 1.3 that
// GDAL (and so QGIS) reads, with populated R-tree indexes and numbered migrations.
#include "storage/sqlite/gpkg_store.hpp"
#include "storage/open/open.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "contract_records.hpp"
#include "core/entities.hpp"
#include "storage/db_files.hpp"
#include "storage/sqlite/migrations.hpp"

namespace reclaim::storage {
namespace {

namespace fs = std::filesystem;
using contract::change_set;
using contract::full_record;
using contract::insert_of;
using contract::update_of;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kRtreeTolerance = 1e-4;  // degrees: the R-tree stores 32-bit floats (~1 m)

/// A read-only side connection to inspect the file as another client would.
class Raw {
 public:
  explicit Raw(const fs::path& file) {
    sqlite3* db = nullptr;
    rc_ = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    db_.reset(db);
  }
  bool ok() const { return rc_ == SQLITE_OK; }
  /// First column of the first row as text ("" if none or NULL).
  std::string text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_.get());
      return {};
    }
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
  }
  double real(const std::string& sql) { return std::stod(text(sql)); }
  int64_t integer(const std::string& sql) { return std::stoll(text(sql)); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
  };
  std::unique_ptr<sqlite3, Closer> db_;
  int rc_ = SQLITE_ERROR;
};

/// Runs a read/write SQL statement on the file (to fake other writers).
void poke(const fs::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  EXPECT_EQ(rc, SQLITE_OK) << (err != nullptr ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

/// stdout+stderr of a shell command.
std::string run(const std::string& cmd) {
  std::string out;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen((cmd + " 2>&1").c_str(), "r"), ::pclose);
  if (!pipe) return out;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), pipe.get())) > 0) out.append(buf.data(), n);
  return out;
}

class GpkgStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("reclaim-gpkg-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    file_ = dir_ / "national.gpkg";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::unique_ptr<Store> open_ok() {
    auto s = open_store(file_.string());
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  const core::EntitySchema& hazards() const { return core::schema(core::entity::kHazards); }

  fs::path dir_, file_;
};

/// One row in reclaim_migrations per embedded SQL file and generated step (numbers may
/// have gaps: branches add their steps independently).
int64_t migration_count() {
  return static_cast<int64_t>(migration_steps(detail::embedded_migration_files(), 3).size());
}

/// What step 7 added, removed again (a database of a version-6 or older binary).
/// Step 5's direct-edit triggers name every column, those of step 7 too: SQLite refuses to drop
/// a column a trigger names, so they go first (an older binary had none of them either).
constexpr const char* kUndoStep7 =
    "DROP TRIGGER reclaim_direct_hazards_insert; DROP TRIGGER reclaim_direct_hazards_update; "
    "DROP TRIGGER reclaim_direct_hazards_delete; "
    "DROP TRIGGER reclaim_direct_users_insert; DROP TRIGGER reclaim_direct_users_update; "
    "DROP TRIGGER reclaim_direct_users_delete; "
    "DROP TRIGGER reclaim_direct_submissions_insert; DROP TRIGGER reclaim_direct_submissions_update; "
    "DROP TRIGGER reclaim_direct_submissions_delete; "
    "DROP INDEX hazards_assigned_org; ALTER TABLE hazards DROP COLUMN assigned_org; "
    "ALTER TABLE users DROP COLUMN province_code; ALTER TABLE submissions DROP COLUMN verify_by";

TEST_F(GpkgStoreTest, FileIsIdentifiedAsGeoPackage13) {
  ASSERT_NE(open_ok(), nullptr);
  Raw raw(file_);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.integer("PRAGMA application_id"), 0x47504B47);
  EXPECT_EQ(raw.integer("PRAGMA user_version"), 10300);
  EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM gpkg_spatial_ref_sys WHERE srs_id IN (4326, -1, 0)"),
            3);
  EXPECT_THAT(raw.text("SELECT definition FROM gpkg_spatial_ref_sys WHERE srs_id = 4326"),
              HasSubstr("GEOGCS[\"WGS 84\""));
  EXPECT_EQ(raw.integer("SELECT MAX(version) FROM reclaim_migrations"),
            GpkgStore::latest_schema_version());
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM reclaim_migrations"), migration_count());
}

TEST_F(GpkgStoreTest, EveryEntityIsRegisteredInGpkgContents) {
  ASSERT_NE(open_ok(), nullptr);
  Raw raw(file_);
  for (const auto& s : core::all_schemas()) {
    SCOPED_TRACE(s.name);
    const std::string where = " WHERE table_name = '" + s.name + "'";
    const bool features = s.geometry != core::GeometryKind::kNone;
    EXPECT_EQ(raw.text("SELECT data_type FROM gpkg_contents" + where),
              features ? "features" : "attributes");
    if (!features) {
      EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM gpkg_geometry_columns" + where), 0);
      continue;
    }
    EXPECT_EQ(raw.integer("SELECT srs_id FROM gpkg_contents" + where), 4326);
    EXPECT_EQ(raw.text("SELECT geometry_type_name FROM gpkg_geometry_columns" + where),
              s.geometry == core::GeometryKind::kPoint ? "POINT" : "MULTIPOLYGON");
    EXPECT_EQ(raw.text("SELECT extension_name FROM gpkg_extensions" + where), "gpkg_rtree_index");
    EXPECT_EQ(
        raw.integer("SELECT COUNT(*) FROM sqlite_master WHERE name = 'rtree_" + s.name + "_geom'"),
        1);
  }
  EXPECT_EQ(raw.text("SELECT data_type FROM gpkg_contents WHERE table_name = 'admin_units'"),
            "attributes");
  EXPECT_EQ(raw.text("SELECT data_type FROM gpkg_contents WHERE table_name = 'admin_boundaries'"),
            "features");
  EXPECT_EQ(raw.text("SELECT data_type FROM gpkg_contents WHERE table_name = 'history'"),
            "attributes");
}

TEST_F(GpkgStoreTest, RtreeFollowsInsertsAndUpdates) {
  auto store = open_ok();
  ASSERT_NE(store, nullptr);
  const auto& s = hazards();
  core::Record a = full_record(s, 1);
  a.geometry = contract::polygon(102.5, 12.5);
  core::Record b = full_record(s, 2);
  b.geometry = contract::multipolygon_with_hole(103.0, 13.0);
  core::Record c = contract::bare_record(s, 3);  // no geometry: not in the index
  ASSERT_TRUE(store->commit(change_set({insert_of(s, a), insert_of(s, b), insert_of(s, c)})));

  Raw raw(file_);
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM rtree_hazards_geom"), 2);
  auto box = [&](const std::string& id, const char* col) {
    return raw.real(std::string("SELECT r.") + col +
                    " FROM rtree_hazards_geom r JOIN hazards h ON h.fid = r.id WHERE h.id = '" +
                    id + "'");
  };
  EXPECT_NEAR(box(a.id(), "minx"), 102.5, kRtreeTolerance);
  EXPECT_NEAR(box(a.id(), "maxx"), 102.51, kRtreeTolerance);
  EXPECT_NEAR(box(a.id(), "miny"), 12.5, kRtreeTolerance);
  EXPECT_NEAR(box(a.id(), "maxy"), 12.51, kRtreeTolerance);
  EXPECT_NEAR(box(b.id(), "maxx"), 103.025, kRtreeTolerance);  // the second polygon's edge

  core::Record moved = store->get(s, a.id())->value();
  moved.geometry = contract::polygon(104.0, 11.0);
  ASSERT_TRUE(store->commit(change_set({update_of(s, moved)})));
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM rtree_hazards_geom"), 2);
  EXPECT_NEAR(box(a.id(), "minx"), 104.0, kRtreeTolerance);
  EXPECT_NEAR(box(a.id(), "maxy"), 11.01, kRtreeTolerance);

  // gpkg_contents' extent covers everything written.
  EXPECT_LE(raw.real("SELECT min_x FROM gpkg_contents WHERE table_name = 'hazards'"), 102.5);
  EXPECT_GE(raw.real("SELECT max_x FROM gpkg_contents WHERE table_name = 'hazards'"), 104.01);
  EXPECT_LE(raw.real("SELECT min_y FROM gpkg_contents WHERE table_name = 'hazards'"), 11.0);
  EXPECT_GE(raw.real("SELECT max_y FROM gpkg_contents WHERE table_name = 'hazards'"), 13.01);
}

TEST_F(GpkgStoreTest, PointsAreIndexedFromTheirWkb) {
  auto store = open_ok();
  ASSERT_NE(store, nullptr);
  const auto& s = core::schema(core::entity::kEoFinds);
  core::Record f = full_record(s, 1);
  f.geometry = contract::point(102.25, 12.75);
  ASSERT_TRUE(store->commit(change_set({insert_of(s, f)})));
  Raw raw(file_);
  EXPECT_NEAR(raw.real("SELECT minx FROM rtree_eo_finds_geom"), 102.25, kRtreeTolerance);
  EXPECT_NEAR(raw.real("SELECT maxy FROM rtree_eo_finds_geom"), 12.75, kRtreeTolerance);
}

TEST_F(GpkgStoreTest, ReopeningKeepsTheData) {
  const auto& s = hazards();
  {
    auto store = open_ok();
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->commit(change_set({insert_of(s, full_record(s, 1))})));
    ASSERT_TRUE(store->set_meta("seed", "7"));
  }
  auto again = open_ok();
  ASSERT_NE(again, nullptr);
  EXPECT_EQ(*again->count(s), 1);
  EXPECT_EQ(again->meta("seed")->value_or(""), "7");
  Raw raw(file_);
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM reclaim_migrations"), migration_count());
}

// Issue 7: while one connection is open (the server), another store opened and closed in the same
// process must not drop this process's POSIX locks on the file. Without them, the next process to
// close the file believes it is the last user and deletes the -wal the open connection still
// writes to: its later commits then vanish for every other process.
TEST_F(GpkgStoreTest, OpeningTheFileAgainInTheSameProcessKeepsTheWalOfTheOpenConnection) {
  const auto& s = hazards();
  auto server = open_ok();
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->commit(change_set({insert_of(s, full_record(s, 1))})));
  { ASSERT_NE(open_ok(), nullptr); }  // e.g. a status read on another connection
  const fs::path wal = file_.string() + "-wal";
  ASSERT_TRUE(fs::exists(wal));
  // Another process opens, reads and closes the file (sqlite3's shell, as a GIS officer would).
  const std::string count = "sqlite3 " + file_.string() + " 'SELECT COUNT(*) FROM hazards'";
  EXPECT_EQ(run(count), "1\n");
  EXPECT_TRUE(fs::exists(wal)) << "another process deleted the -wal of an open connection";
  ASSERT_TRUE(server->commit(change_set({insert_of(s, full_record(s, 2))})));
  EXPECT_EQ(run(count), "2\n") << "a commit of the open connection is invisible to others";
}

TEST_F(GpkgStoreTest, ATextFileNamedGpkgIsUnsupported) {
  std::ofstream(file_) << "id,name\nKH-HZ-1,not a database\n";
  auto s = open_store(file_.string());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
  EXPECT_THAT(s.error().message, HasSubstr(file_.string()));
}

TEST_F(GpkgStoreTest, ASqliteDatabaseThatIsNotAGeoPackageIsUnsupported) {
  poke(file_, "CREATE TABLE t (x)");
  auto s = open_store(file_.string());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
  EXPECT_THAT(s.error().message, HasSubstr("not a GeoPackage"));
}

TEST_F(GpkgStoreTest, AGeoPackageOfAnotherApplicationIsNotTakenOver) {
  poke(file_, "PRAGMA application_id = 1196444487; CREATE TABLE roads (fid INTEGER PRIMARY KEY)");
  auto s = open_store(file_.string());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kUnsupported);
  EXPECT_THAT(s.error().message, HasSubstr("not a Reclaim database"));
}

TEST_F(GpkgStoreTest, AMissingDirectoryIsAnIoErrorNamingThePath) {
  const fs::path inside = dir_ / "no-such-dir" / "x.gpkg";
  auto s = open_store(inside.string());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kIo);
  EXPECT_THAT(s.error().message, HasSubstr(inside.string()));
}

TEST_F(GpkgStoreTest, ANewerSchemaIsRefused) {
  ASSERT_NE(open_ok(), nullptr);
  poke(file_, "INSERT INTO reclaim_migrations VALUES (99, '0099_future', '2030-01-01T00:00:00Z')");
  auto s = open_store(file_.string());
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, ErrorCode::kFailedPrecondition);
  EXPECT_THAT(s.error().message,
              HasSubstr("database schema version 99 is newer than this Reclaim (" +
                        std::to_string(GpkgStore::latest_schema_version()) + "); upgrade Reclaim"));
}

// Issue 7: an edit made directly in the file by another program (the sqlite3 shell: a
// connection without any function Reclaim registers) is recorded in the history as a direct,
// unvalidated edit; Reclaim's own writes are not. (The shell cannot edit feature tables: the
// GeoPackage R-tree triggers need ST_IsEmpty, which GDAL registers; see the GDAL test below.)
TEST_F(GpkgStoreTest, DirectEditsInTheFileAreRecordedAsUnvalidatedHistory) {
  const auto& s = core::schema(core::entity::kOrganisations);
  ASSERT_EQ(s.geometry, core::GeometryKind::kNone);
  auto store = open_ok();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->commit(change_set({insert_of(s, full_record(s, 1)), insert_of(s, full_record(s, 2))})));
  auto none = store->direct_edits(10);
  ASSERT_TRUE(none) << none.error().message;
  EXPECT_TRUE(none->empty()) << "Reclaim's own commit was taken for a direct edit";
  const std::string id1 = full_record(s, 1).id(), id2 = full_record(s, 2).id();
  const std::string idc = s.id_field().name, field = s.fields[1].name;
  auto before = store->get(s, id1);
  ASSERT_TRUE(before && *before);
  auto gen = store->generation();
  ASSERT_TRUE(gen);

  // the sqlite3 shell, a separate process
  const std::string sh = "sqlite3 " + file_.string() + " ";
  EXPECT_EQ(run(sh + "\"UPDATE organisations SET " + field + " = 'edited directly' WHERE " + idc +
                " = '" + id1 + "'\""),
            "");
  EXPECT_EQ(run(sh + "\"DELETE FROM organisations WHERE " + idc + " = '" + id2 + "'\""), "");

  auto after_gen = store->generation();
  ASSERT_TRUE(after_gen);
  EXPECT_NE(*after_gen, *gen) << "the server would not notice the direct edit";
  auto edits = store->direct_edits(10);
  ASSERT_TRUE(edits) << edits.error().message;
  ASSERT_EQ(edits->size(), 2u);
  EXPECT_EQ((*edits)[0].op, "delete");  // newest first
  EXPECT_EQ((*edits)[0].record_id, id2);
  EXPECT_EQ((*edits)[1].op, "update");
  EXPECT_EQ((*edits)[1].record_id, id1);
  EXPECT_EQ((*edits)[1].reason, std::string(kDirectEditReason));
  EXPECT_EQ((*edits)[1].user, "");
  EXPECT_THAT((*edits)[1].after_json, HasSubstr("edited directly"));
  EXPECT_THAT((*edits)[1].before_json, Not(HasSubstr("edited directly")));
  // the update bumped the version: a Reclaim writer holding the old one gets a conflict
  auto now = store->get(s, id1);
  ASSERT_TRUE(now && *now);
  EXPECT_EQ((*now)->version, (*before)->version + 1);
  auto stale = store->commit(change_set({update_of(s, **before)}));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  // the record's own history shows the direct edit after Reclaim's insert
  auto h = store->history(s, id1);
  ASSERT_TRUE(h);
  ASSERT_EQ(h->size(), 2u);
  EXPECT_FALSE(is_direct_edit((*h)[0]));
  EXPECT_TRUE(is_direct_edit((*h)[1]));
  // Reclaim's next update is not a direct edit
  ASSERT_TRUE(store->commit(change_set({update_of(s, **now)})));
  EXPECT_EQ(store->direct_edits(10)->size(), 2u);
  Raw raw(file_);
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM reclaim_writer"), 0);
}

// QGIS edits a layer through GDAL, which registers the ST_ functions and turns recursive
// triggers on: one direct edit is recorded once, and the R-tree follows the new geometry.
TEST_F(GpkgStoreTest, AnEditThroughGdalIsRecordedOnce) {
  const auto& s = hazards();
  auto store = open_ok();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->commit(change_set({insert_of(s, full_record(s, 1))})));
  const std::string id = full_record(s, 1).id();
  const std::string out = run("ogrinfo " + file_.string() + " -sql \"UPDATE hazards SET " +
                              s.fields[1].name + " = 'edited in QGIS' WHERE " +
                              s.id_field().name + " = '" + id + "'\"");
  EXPECT_THAT(out, Not(HasSubstr("ERROR"))) << out;
  auto edits = store->direct_edits(10);
  ASSERT_TRUE(edits);
  ASSERT_EQ(edits->size(), 1u) << "a GDAL update must write one history entry";
  EXPECT_EQ((*edits)[0].record_id, id);
  EXPECT_THAT((*edits)[0].after_json, HasSubstr("edited in QGIS"));
  auto r = store->get(s, id);
  ASSERT_TRUE(r && *r);
  EXPECT_EQ((*r)->version, 2);
}

TEST_F(GpkgStoreTest, ADirectInsertWithoutReclaimIsRecordedToo) {
  const auto& s = core::schema(core::entity::kOrganisations);
  auto store = open_ok();
  ASSERT_NE(store, nullptr);
  poke(file_, "INSERT INTO organisations (\"" + s.id_field().name + "\", version) VALUES ('QGIS-1', 1)");
  auto edits = store->direct_edits(10);
  ASSERT_TRUE(edits);
  ASSERT_EQ(edits->size(), 1u);
  EXPECT_EQ((*edits)[0].op, "insert");
  EXPECT_EQ((*edits)[0].record_id, "QGIS-1");
  EXPECT_EQ((*edits)[0].before_json, "");
}

// Issue 7: no output (or input) file of the CLI may be the database or its -wal/-shm.
TEST_F(GpkgStoreTest, TheDatabaseFilesAreRefusedAsOtherFiles) {
  auto store = open_ok();
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->set_meta("k", "v"));  // the -wal and -shm exist now
  const std::string db = file_.string();
  ASSERT_TRUE(fs::exists(db + "-wal"));
  for (const std::string& p :
       {db, db + "-wal", db + "-shm", db + "-journal", (dir_ / "." / "national.gpkg").string()}) {
    auto r = refuse_database_path(p, db, "--errors-json");
    ASSERT_FALSE(r) << p;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_THAT(r.error().message, HasSubstr("--errors-json " + p + " is the database file"));
  }
  // another name for the same file: a hard link and a symbolic link
  fs::create_hard_link(db, dir_ / "hard.gpkg");
  fs::create_symlink(db + "-wal", dir_ / "soft-wal");
  EXPECT_FALSE(refuse_database_path((dir_ / "hard.gpkg").string(), db, "export file"));
  EXPECT_FALSE(refuse_database_path((dir_ / "soft-wal").string(), db, "export file"));
  // a file named from the database's directory under another relative spelling
  EXPECT_TRUE(refuse_database_path((dir_ / "errors.json").string(), db, "--errors-json"));
  EXPECT_TRUE(refuse_database_path(db + ".bak", db, "--to"));
  EXPECT_TRUE(refuse_database_path(db, "postgresql://u@localhost/x", "--to"));
  Raw raw(file_);
  EXPECT_EQ(raw.text("PRAGMA integrity_check"), "ok");
}

TEST_F(GpkgStoreTest, AVersion3DatabaseGetsTheFilterIndexesOfStep4OnOpen) {
  ASSERT_GE(GpkgStore::latest_schema_version(), 4);
  ASSERT_NE(open_ok(), nullptr);
  // What a database made by a version-3 binary looks like: no step 4, no filter indexes.
  poke(file_,
       "DELETE FROM reclaim_migrations WHERE version >= 4; DROP INDEX hazards_status; "
       "DROP INDEX hazards_province_code; DROP INDEX accidents_date; " +
           std::string(kUndoStep7));
  {
    Raw raw(file_);
    ASSERT_TRUE(raw.ok());
    ASSERT_EQ(raw.integer("SELECT MAX(version) FROM reclaim_migrations"), 3);
  }
  ASSERT_NE(open_ok(), nullptr);
  Raw raw(file_);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.integer("SELECT MAX(version) FROM reclaim_migrations"),
            GpkgStore::latest_schema_version());
  EXPECT_EQ(raw.text("SELECT name FROM reclaim_migrations WHERE version = 4"),
            "0004_filter_indexes");
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                        "('hazards_status', 'hazards_province_code', 'accidents_date', "
                        "'activities_org', 'eo_finds_village_code')"),
            5);
}

TEST_F(GpkgStoreTest, Step6DropsTheStoredSessionKeyAndAddsTheSessionsTable) {
  ASSERT_GE(GpkgStore::latest_schema_version(), 6);
  ASSERT_NE(open_ok(), nullptr);
  // What an older database looks like: the signing key in reclaim_meta, no sessions table.
  poke(file_,
       "DELETE FROM reclaim_migrations WHERE version >= 6; DROP TABLE sessions; "
       "INSERT INTO reclaim_meta (key, value) VALUES ('auth_session_key', 'c2VjcmV0'), "
       "('seed', '7'); " + std::string(kUndoStep7));
  ASSERT_NE(open_ok(), nullptr);
  Raw raw(file_);
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM reclaim_meta WHERE key = 'auth_session_key'"), 0);
  EXPECT_EQ(raw.text("SELECT value FROM reclaim_meta WHERE key = 'seed'"), "7");  // others kept
  EXPECT_EQ(raw.text("SELECT name FROM reclaim_migrations WHERE version = 6"), "0006_sessions");
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM sessions"), 0);
  EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM pragma_table_info('sessions') WHERE name IN "
                        "('id_hash', 'user_id', 'created_at', 'last_seen_at', 'expires_at', "
                        "'device', 'ip')"),
            7);
}

TEST_F(GpkgStoreTest, AnOlderDatabaseGetsTheColumnsOfStep7AndKeepsItsSubmissionsRouted) {
  {
    auto store = open_ok();
    ASSERT_NE(store, nullptr);
    const auto& ss = core::schema(core::entity::kSubmissions);
    core::Record r = core::make_record(ss);
    for (auto [f, v] : {std::pair{"id", "SUB-000001"}, {"entity", "hazards"},
                        {"action", "create"}, {"payload", "{}"},
                        {"date_of_information", "2025-01-01"}, {"status", "submitted"},
                        {"org", "HALO"}, {"submitted_by", "kim"},
                        {"submitted_at", "2025-01-02T00:00:00Z"}})
      core::set(ss, r, f, std::string(v));
    ASSERT_TRUE(store->commit(change_set({insert_of(ss, r)})));
  }
  poke(file_, "DELETE FROM reclaim_migrations WHERE version >= 7; " + std::string(kUndoStep7));
  {
    Raw raw(file_);
    ASSERT_EQ(raw.integer("SELECT COUNT(*) FROM pragma_table_info('users') WHERE name = "
                          "'province_code'"),
              0);
  }
  auto store = open_ok();
  ASSERT_NE(store, nullptr);
  Raw raw(file_);
  EXPECT_EQ(raw.integer("SELECT MAX(version) FROM reclaim_migrations"),
            GpkgStore::latest_schema_version());
  EXPECT_EQ(raw.text("SELECT name FROM reclaim_migrations WHERE version = 7"),
            "0007_roles_and_boundaries");
  for (auto [table, column] : {std::pair{"users", "province_code"}, {"hazards", "assigned_org"},
                               {"submissions", "verify_by"}})
    EXPECT_EQ(raw.integer("SELECT COUNT(*) FROM pragma_table_info('" + std::string(table) +
                          "') WHERE name = '" + column + "'"),
              1)
        << table << "." << column;
  // a report submitted before step 7 was for its own organisation to verify
  auto sub = store->get(core::schema(core::entity::kSubmissions), "SUB-000001");
  ASSERT_TRUE(sub && *sub);
  EXPECT_EQ(core::get_text(core::schema(core::entity::kSubmissions), **sub, "verify_by"), "HALO");
}

TEST_F(GpkgStoreTest, PostgresUrlsGoToThePostgresAdapter) {
  // Nothing listens on port 1: the URL must reach libpq (kIo), not be opened as a file path.
  for (const char* url : {"postgresql://postgres:secret@127.0.0.1:1/reclaim",
                          "postgres://u@127.0.0.1:1/db"}) {
    auto s = open_store(url);
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().code, ErrorCode::kIo);
    EXPECT_THAT(s.error().message, Not(HasSubstr("secret")));
    EXPECT_FALSE(std::filesystem::exists(url));
  }
}

TEST_F(GpkgStoreTest, AWrongGeometryKindIsRejected) {
  auto store = open_ok();
  ASSERT_NE(store, nullptr);
  core::Record h = full_record(hazards(), 1);
  h.geometry = contract::point(102, 12);
  auto r = store->commit(change_set({insert_of(hazards(), h, "row 1")}));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_THAT(r.error().message, HasSubstr(h.id()));
  EXPECT_EQ(*store->count(hazards()), 0);
}

TEST_F(GpkgStoreTest, GdalReadsEveryLayer) {
  if (std::system("command -v ogrinfo >/dev/null 2>&1") != 0) GTEST_SKIP() << "no ogrinfo";
  {
    auto store = open_ok();
    ASSERT_NE(store, nullptr);
    std::vector<Change> changes;
    for (int n = 1; n <= 5; ++n) changes.push_back(insert_of(hazards(), full_record(hazards(), n)));
    const auto& finds = core::schema(core::entity::kEoFinds);
    changes.push_back(insert_of(finds, full_record(finds, 1)));
    ASSERT_TRUE(store->commit(change_set(std::move(changes))));
    ASSERT_TRUE(store->replace_admin_units(
        {{"24", "", core::AdminLevel::kProvince, "Pailin", "ប៉ៃលិន", 12.85, 102.6}},
        {{"24", core::AdminLevel::kProvince, contract::multipolygon_with_hole()}}));
  }
  const std::string list = run("ogrinfo -ro " + file_.string());
  EXPECT_THAT(list, ::testing::Not(HasSubstr("Warning")));
  EXPECT_THAT(list, ::testing::Not(HasSubstr("ERROR")));
  for (const auto& s : core::all_schemas()) EXPECT_THAT(list, HasSubstr(": " + s.name + " "));
  EXPECT_THAT(list, HasSubstr("hazards (Multi Polygon)"));
  EXPECT_THAT(list, HasSubstr("eo_finds (Point)"));

  const std::string info = run("ogrinfo -ro -al -so " + file_.string() + " hazards");
  EXPECT_THAT(info, ::testing::Not(HasSubstr("Warning")));
  EXPECT_THAT(info, HasSubstr("Feature Count: 5"));
  EXPECT_THAT(info, HasSubstr("Extent: (102.600000, 12.850000) - (102.625000, 12.860000)"));
  EXPECT_THAT(info, HasSubstr("estimated_area_m2: Real"));
  EXPECT_THAT(info, HasSubstr("date_recorded: Date"));
  EXPECT_THAT(info, HasSubstr("version: Integer64"));

  const std::string rtree = run("ogrinfo -ro " + file_.string() +
                                " -sql \"SELECT COUNT(*) AS n FROM rtree_hazards_geom\"");
  EXPECT_THAT(rtree, HasSubstr("n (Integer) = 5"));

  const std::string bools = run("ogrinfo -ro -al -so " + file_.string() + " accidents");
  EXPECT_THAT(bools, HasSubstr("demining_accident: Integer(Boolean)"));
}

TEST_F(GpkgStoreTest, GdalsGeoPackageValidatorAcceptsTheFile) {
  const char* kValidator = "/usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py";
  if (!fs::exists(kValidator) || std::system("command -v python3 >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "no validate_gpkg.py (python3-gdal)";
  {
    auto store = open_ok();
    ASSERT_NE(store, nullptr);
    std::vector<Change> changes;
    for (const auto& s : core::all_schemas()) {
      changes.push_back(insert_of(s, full_record(s, 1)));
      changes.push_back(insert_of(s, contract::bare_record(s, 2)));
      if (s.geometry == core::GeometryKind::kPolygon) {
        core::Record single = full_record(s, 3);
        single.geometry = contract::polygon();  // stored as a MULTIPOLYGON of one
        changes.push_back(insert_of(s, single));
      }
    }
    ASSERT_TRUE(store->commit(change_set(std::move(changes))));
    ASSERT_TRUE(store->replace_admin_units(
        {{"24", "", core::AdminLevel::kProvince, "Pailin", "ប៉ៃលិន", 12.85, 102.6}},
        {{"24", core::AdminLevel::kProvince, contract::polygon()}}));
  }
  const std::string out = run("python3 " + std::string(kValidator) + " " + file_.string());
  EXPECT_EQ(out, "") << out;
}

}  // namespace
}  // namespace reclaim::storage
