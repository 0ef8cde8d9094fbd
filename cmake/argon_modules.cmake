# One static library per area of src/argon (see DESIGN.md); unit tests (*_test.cpp) sit beside
# their sources and are linked into one test binary per area.
set(ARGON_SRC ${CMAKE_SOURCE_DIR}/src)

# The layers are enforced by the build: an area's sources see, on their include path, only
# their own headers and those of the areas they depend on (DEPS, transitively, through the
# dependencies' PUBLIC include directories). Each area gets a directory of its own,
# build/layers/<area>/argon/<area> -> src/argon/<area>; a wrong-way include ("argon/app/…" from
# services/) finds no file and fails to compile.
function(argon_area name)
  cmake_parse_arguments(A "" "" "DEPS;LIBS" ${ARGN})
  set(layer ${CMAKE_BINARY_DIR}/layers/${name})
  file(MAKE_DIRECTORY ${layer}/argon)
  if(NOT EXISTS ${layer}/argon/${name})
    file(CREATE_LINK ${ARGON_SRC}/argon/${name} ${layer}/argon/${name} SYMBOLIC)
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${ARGON_SRC}/argon/${name}/*.cpp)
  list(FILTER sources EXCLUDE REGEX "_test\\.cpp$")
  if(sources)
    add_library(argon_${name} STATIC ${sources})
    target_include_directories(argon_${name} PUBLIC ${layer})
    target_link_libraries(argon_${name} PUBLIC ${A_DEPS} ${A_LIBS})
  else()  # header-only so far
    add_library(argon_${name} INTERFACE)
    target_include_directories(argon_${name} INTERFACE ${layer})
    target_link_libraries(argon_${name} INTERFACE ${A_DEPS} ${A_LIBS})
  endif()
  if(ARGON_BUILD_TESTS)
    file(GLOB tests CONFIGURE_DEPENDS ${ARGON_SRC}/argon/${name}/*_test.cpp)
    if(tests)
      add_executable(argon_${name}_test ${tests})
      target_link_libraries(argon_${name}_test PRIVATE argon_${name} argon_testing GTest::gtest_main
                                                      GTest::gmock)
      gtest_discover_tests(argon_${name}_test TEST_PREFIX "${name}." DISCOVERY_TIMEOUT 30)
    endif()
  endif()
endfunction()

if(ARGON_BUILD_TESTS)
  enable_testing()
  find_package(GTest REQUIRED)
  include(GoogleTest)
  add_library(argon_testing INTERFACE)
endif()

argon_area(domain LIBS Boost::headers)
argon_area(crypto DEPS argon_domain LIBS PkgConfig::SODIUM OpenSSL::Crypto)
argon_area(wire DEPS argon_domain LIBS Boost::json)
argon_area(store DEPS argon_domain LIBS PkgConfig::SQLITE3 PkgConfig::LIBPQ spdlog::spdlog
           Threads::Threads)
argon_area(events DEPS argon_store LIBS Boost::json spdlog::spdlog PkgConfig::LIBNATS)
argon_area(contracts DEPS argon_domain argon_crypto argon_wire)
argon_area(voice DEPS argon_domain argon_crypto argon_wire LIBS PkgConfig::OPUS)
argon_area(services DEPS argon_domain argon_crypto argon_store argon_events argon_wire argon_contracts argon_voice spdlog::spdlog)
argon_area(http LIBS Boost::headers Boost::json Boost::url spdlog::spdlog Threads::Threads)
argon_area(api DEPS argon_domain argon_http argon_wire argon_events)
argon_area(clientapi DEPS argon_services argon_api)
argon_area(botapi DEPS argon_services argon_api argon_contracts)
argon_area(app DEPS argon_clientapi argon_botapi argon_contracts LIBS CLI11::CLI11 tomlplusplus::tomlplusplus
           prometheus-cpp::core
           spdlog::spdlog fmt::fmt)

# The version and git commit, regenerated at every build (cmake/build_info.cmake).
set(ARGON_BUILD_INFO ${CMAKE_BINARY_DIR}/generated/build_info.cpp)
add_custom_target(
  argon_build_info_source
  COMMAND ${CMAKE_COMMAND} -DSRC=${CMAKE_SOURCE_DIR} -DOUT=${ARGON_BUILD_INFO}
          -DVERSION=${PROJECT_VERSION} -P ${CMAKE_SOURCE_DIR}/cmake/build_info.cmake
  BYPRODUCTS ${ARGON_BUILD_INFO}
  COMMENT "argon build info")
target_sources(argon_app PRIVATE ${ARGON_BUILD_INFO})
add_dependencies(argon_app argon_build_info_source)

if(EXISTS ${ARGON_SRC}/argon/main.cpp)
  add_executable(argon ${ARGON_SRC}/argon/main.cpp)
  target_link_libraries(argon PRIVATE argon_app)
  set_target_properties(argon PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endif()

# The unit tests that touch the store run a second time on PostgreSQL (store/test_database.hpp):
# one ctest entry per area runs the whole binary with ARGON_TEST_STORE=postgres. They need
# ARGON_TEST_PG_URL, which `make unit` provides through scripts/with-postgres.
if(ARGON_BUILD_TESTS)
  foreach(area store events services)
    add_test(NAME ${area}.on_postgres COMMAND argon_${area}_test)
    set_tests_properties(${area}.on_postgres PROPERTIES ENVIRONMENT "ARGON_TEST_STORE=postgres"
                                                        TIMEOUT 600)
  endforeach()
endif()

# The contract tests read the Bot API manifests and canonical texts the project keeps in
# tests/fixtures (absolute: ccache's base_dir makes __FILE__ relative).
if(ARGON_BUILD_TESTS)
  target_compile_definitions(argon_contracts_test
                             PRIVATE ARGON_FIXTURE_DIR="${CMAKE_SOURCE_DIR}/tests/fixtures")
endif()

# The layer rule itself is tested: with the services layer's include path (its own headers and
# its dependencies'), a header of a lower layer is found and one of a higher layer is not.
if(ARGON_BUILD_TESTS)
  foreach(probe may_include_store cannot_include_app)
    string(REPLACE "may_include_" "includes_" file ${probe})
    string(REPLACE "cannot_include_" "includes_" file ${file})
    add_test(NAME layers.services_${probe}
             COMMAND ${CMAKE_CXX_COMPILER} -std=c++20 -fsyntax-only
                     "-I$<JOIN:$<TARGET_PROPERTY:argon_services,INCLUDE_DIRECTORIES>,;-I>"
                     ${CMAKE_SOURCE_DIR}/cmake/layer_probes/services_${file}.cpp
             COMMAND_EXPAND_LISTS)
  endforeach()
  set_tests_properties(layers.services_cannot_include_app PROPERTIES WILL_FAIL TRUE)
endif()
