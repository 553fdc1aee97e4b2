// Whole-database operations dispatched to the adapter of a location (storage/open/open.hpp).
#include "storage/backup.hpp"
#include "storage/open/open.hpp"
#include "storage/postgres/pg_backup.hpp"
#include "storage/postgres/pg_store.hpp"  // mask_password
#include "storage/sqlite/gpkg_backup.hpp"

namespace reclaim::storage {

std::string display_location(std::string_view location) {
  return kind_of_location(location) == BackupKind::kPostgres ? mask_password(location)
                                                             : std::string(location);
}

Result<void> check_same_back_end(BackupKind backup, const std::string& backup_file,
                                 std::string_view location) {
  const BackupKind target = kind_of_location(location);
  if (backup == target) return {};
  const std::string b(backup_kind_name(backup)), t(backup_kind_name(target));
  return fail(ErrorCode::kInvalidArgument,
              backup_file + " is a " + b + " backup but the target " + display_location(location) +
                  " is a " + t + " database: restore it into a " + b +
                  " database, then move it with `reclaim migrate --from A --to B`");
}

Result<void> backup_database(const std::string& location, const std::string& scratch_dir,
                             const ByteSink& sink) {
  if (kind_of_location(location) == BackupKind::kPostgres) return pg::backup(location, sink);
  return gpkg::backup(location, scratch_dir, sink);
}

Result<void> restore_database(const std::string& backup_file, BackupKind kind,
                              const std::string& location, const RestoreOptions& options) {
  if (auto r = check_same_back_end(kind, backup_file, location); !r) return r;
  const BackupKind target = kind_of_location(location);
  if (target == BackupKind::kPostgres) return pg::restore(backup_file, location, options);
  return gpkg::restore(backup_file, location, options);
}

Result<void> clear_live_sessions(const std::string& location) {
  if (kind_of_location(location) == BackupKind::kPostgres)
    return pg::clear_live_sessions(location);
  return gpkg::clear_live_sessions(location);
}

}  // namespace reclaim::storage
