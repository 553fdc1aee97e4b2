# Every third-party library, found once (pattern from shared/examples/dependencies.cmake).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(GEOS 3.11 CONFIG REQUIRED)           # GEOS::geos_c
find_package(PROJ 9 CONFIG REQUIRED)              # PROJ::proj
find_package(GDAL 3.6 CONFIG REQUIRED)            # GDAL::GDAL
find_package(SQLite3 REQUIRED)                    # SQLite::SQLite3
find_package(nlohmann_json 3.11 CONFIG REQUIRED)  # nlohmann_json::nlohmann_json
find_package(fmt CONFIG REQUIRED)                 # fmt::fmt
find_package(CLI11 CONFIG REQUIRED)               # CLI11::CLI11
find_package(GTest CONFIG REQUIRED)
find_package(benchmark CONFIG QUIET)
find_path(TL_EXPECTED_INCLUDE_DIR tl/expected.hpp REQUIRED)  # libexpected-dev (header-only)
add_library(tl_expected INTERFACE)
target_include_directories(tl_expected INTERFACE ${TL_EXPECTED_INCLUDE_DIR})

# GeographicLib: Debian ships only a Find-module
list(APPEND CMAKE_MODULE_PATH /usr/share/cmake/geographiclib)
find_package(GeographicLib REQUIRED)
add_library(GeographicLib::GeographicLib INTERFACE IMPORTED)
target_link_libraries(GeographicLib::GeographicLib INTERFACE ${GeographicLib_LIBRARIES})
target_include_directories(GeographicLib::GeographicLib INTERFACE ${GeographicLib_INCLUDE_DIRS})
