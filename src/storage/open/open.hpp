#pragma once
// The factory that picks a storage adapter from a location (a postgresql:// URL or a GeoPackage
// file) and the whole-database operations that dispatch to an adapter (backup, restore, clearing
// live sessions). Separate from the port (storage/store.hpp, storage/backup.hpp) so that only the
// composition roots (cli, the facade's migrate and backup) link the adapters.
#include <memory>
#include <string>

#include "common/error.hpp"
#include "storage/backup.hpp"
#include "storage/store.hpp"

namespace reclaim::storage {

/// Opens a store from a location: a postgresql://… (or postgres://…) URL — PostgreSQL 15 +
/// PostGIS 3 — or else a file path (a GeoPackage, created if missing), then migrates it.
/// Errors: kIo (unreachable server, bad credentials, unwritable file), kUnsupported (a file that
/// is not a Reclaim GeoPackage), kFailedPrecondition (schema newer than this binary).
Result<std::unique_ptr<Store>> open_store(const std::string& location);

/// Writes a consistent plain backup of the database at `location` to `sink`.
/// GeoPackage: the snapshot is first written to a private file (mode 0600) in `scratch_dir`,
/// checked (PRAGMA quick_check), streamed to `sink` and removed; the source file is only ever
/// opened through SQLite. PostgreSQL: pg_dump's output is streamed (no copy on disk); the
/// password, if the URL has one, reaches pg_dump in its environment (PGPASSWORD), never on its
/// command line. Live sessions are left out of the backup (see clear_live_sessions).
/// Errors: kNotFound (no such file), kUnsupported (not a Reclaim database), kIo (the database,
/// pg_dump, the scratch file, or the sink failed; nothing usable was produced).
Result<void> backup_database(const std::string& location, const std::string& scratch_dir,
                             const ByteSink& sink);

/// Restores the plain backup in `backup_file` (of `kind`, already verified by the caller as far
/// as its wrapper goes) into the database at `location`, which must be of the same back end and
/// used by no one else, then clears its live sessions (clear_live_sessions).
/// GeoPackage: the backup is checked (integrity_check, a Reclaim schema no newer than this
/// binary) before anything is written; the target (created if missing) is locked exclusively —
/// it is refused if any other connection (a server, a CLI command, QGIS) has it open — and
/// replaced page by page in one SQLite transaction through the online backup API, then put back
/// in WAL mode. PostgreSQL: the database must exist and have no other client connection;
/// pg_restore --single-transaction --clean --if-exists (all or nothing).
/// A target that holds data (any record, history entry or admin unit; or tables that are not a
/// Reclaim schema) is refused unless options.force.
/// Errors: kInvalidArgument (the backup and the target are of different back ends, naming
/// both; a corrupt backup), kFailedPrecondition (target not empty without force; target in
/// use; backup schema newer than this binary), kNotFound (no such PostgreSQL database),
/// kIo. On every error the target is left as it was.
Result<void> restore_database(const std::string& backup_file, BackupKind kind,
                              const std::string& location, const RestoreOptions& options);

/// Deletes every row of the `sessions` table of the database at `location`, if it has that
/// table (a restored or migrated database must start with no live sessions: nobody stays
/// signed in through a copy). Tolerates the table not existing. Errors: kIo.
Result<void> clear_live_sessions(const std::string& location);

/// `location` for messages: a URL's password replaced by "***".
std::string display_location(std::string_view location);

/// Refuses a backup of one back end for a target of the other (that is `reclaim migrate`).
/// Errors: kInvalidArgument naming both back ends and the file.
Result<void> check_same_back_end(BackupKind backup, const std::string& backup_file,
                                 std::string_view location);

}  // namespace reclaim::storage
