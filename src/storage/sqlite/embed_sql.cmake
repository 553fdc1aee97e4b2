# Writes OUT, a C++ source holding each SQL file of FILES ("|"-separated) as a raw string, so
# the numbered migrations ship inside the binary.  Run by add_custom_command (cmake -P).
string(REPLACE "|" ";" _files "${FILES}")
set(_body "")
foreach(_f IN LISTS _files)
  file(READ "${_f}" _sql)
  string(FIND "${_sql}" ")reclaim_sql\"" _clash)
  if(NOT _clash EQUAL -1)
    message(FATAL_ERROR "${_f} contains the raw-string delimiter )reclaim_sql\"")
  endif()
  get_filename_component(_name "${_f}" NAME_WE)
  string(APPEND _body "    {\"${_name}\", R\"reclaim_sql(${_sql})reclaim_sql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp"
"// Generated from src/storage/sqlite/migrations/*.sql by embed_sql.cmake. Do not edit.
#include \"storage/sqlite/migrations.hpp\"

namespace reclaim::storage::detail {

std::span<const SqlFile> embedded_migration_files() noexcept {
  static constexpr SqlFile kFiles[] = {
${_body}  };
  return kFiles;
}

}  // namespace reclaim::storage::detail
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
