# Module include roots: the build enforces the dependency direction (docs/architecture.md,
# "Include rules"; the `layering` test checks the finer rules and third-party headers).
#
# No target sees src/ as a whole. Each module's library gets, in the build tree,
#   include/<target>/<dir>/<header>.hpp   one symbolic link per public header (PUBLIC include
#                                         root: what the targets that link it may include),
#   include_private/<target>/<dir>        a link to the whole module directory (PRIVATE root:
#                                         the module's own sources and tests see all of it).
# So `#include "storage/store.hpp"` compiles only in a target that links reclaim_storage
# (directly or through a PUBLIC dependency); including a module it does not depend on is a
# compile error ("No such file or directory").
#
# reclaim_module(<target> <dir under src/> [PRIVATE_HEADERS <header>...])
#   Public headers are the *.hpp directly in <dir> except PRIVATE_HEADERS; headers in
#   sub-directories (geo/engine, storage/sqlite) are private unless that sub-directory is a
#   module of its own. Adding a header re-runs CMake (CONFIGURE_DEPENDS).
function(reclaim_module target dir)
  cmake_parse_arguments(M "" "" "PRIVATE_HEADERS" ${ARGN})
  set(src ${PROJECT_SOURCE_DIR}/src/${dir})
  set(pub ${CMAKE_BINARY_DIR}/include/${target})
  set(priv ${CMAKE_BINARY_DIR}/include_private/${target})
  file(REMOVE_RECURSE ${pub} ${priv})
  file(GLOB headers CONFIGURE_DEPENDS RELATIVE ${src} ${src}/*.hpp)
  file(MAKE_DIRECTORY ${pub}/${dir})
  foreach(h IN LISTS headers)
    if(NOT h IN_LIST M_PRIVATE_HEADERS)
      file(CREATE_LINK ${src}/${h} ${pub}/${dir}/${h} SYMBOLIC)
    endif()
  endforeach()
  get_filename_component(parent ${priv}/${dir} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(CREATE_LINK ${src} ${priv}/${dir} SYMBOLIC)
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE ${pub})
  else()
    target_include_directories(${target} PUBLIC ${pub} PRIVATE ${priv})
  endif()
endfunction()

# An executable's own directory (cli): its sources see their own headers, nothing else.
function(reclaim_module_private target dir)
  set(src ${PROJECT_SOURCE_DIR}/src/${dir})
  set(priv ${CMAKE_BINARY_DIR}/include_private/${target})
  file(REMOVE_RECURSE ${priv})
  get_filename_component(parent ${priv}/${dir} DIRECTORY)
  file(MAKE_DIRECTORY ${parent})
  file(CREATE_LINK ${src} ${priv}/${dir} SYMBOLIC)
  target_include_directories(${target} PRIVATE ${priv})
endfunction()
