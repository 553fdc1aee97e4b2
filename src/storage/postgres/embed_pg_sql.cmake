# Writes OUT, a C++ source holding the PostgreSQL migrations (FILES, "|"-separated) as raw
# strings. Reuses the GeoPackage adapter's embed_sql.cmake, then moves the generated function
# into the postgres adapter's namespace and header so both adapters link into one binary.
set(_final "${OUT}")
set(OUT "${_final}.sqlite-form")
include("${CMAKE_CURRENT_LIST_DIR}/../sqlite/embed_sql.cmake")
file(READ "${OUT}" _src)
file(REMOVE "${OUT}")
string(REPLACE "storage/sqlite/migrations.hpp" "storage/postgres/pg_migrations.hpp" _src "${_src}")
string(REPLACE "src/storage/sqlite/migrations/*.sql by embed_sql.cmake"
               "src/storage/postgres/migrations/*.sql by embed_pg_sql.cmake" _src "${_src}")
string(REPLACE "namespace reclaim::storage::detail" "namespace reclaim::storage::pg_detail"
               _src "${_src}")
file(WRITE "${_final}.tmp" "${_src}")
file(COPY_FILE "${_final}.tmp" "${_final}" ONLY_IF_DIFFERENT)
file(REMOVE "${_final}.tmp")
