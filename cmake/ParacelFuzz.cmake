# PARACEL_FUZZ=ON: a tree for the libFuzzer targets of test/fuzz. It composes with
# PARACEL_SANITIZE=address,undefined (cmake/ParacelSanitize.cmake), which it requires: every
# target is compiled with AddressSanitizer + UndefinedBehaviorSanitizer and, here, with the
# fuzzer's coverage instrumentation, so the code under test is instrumented, not only the
# harness. The same tree builds and runs the unit suites (tool/run_fuzz.sh --unit-tests).
# Needs clang (libFuzzer's runtime: Debian's libclang-rt-14-dev).
option(PARACEL_FUZZ "Build the libFuzzer targets under test/fuzz (clang only)" OFF)
if(NOT PARACEL_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "PARACEL_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++-14), not "
                      "${CMAKE_CXX_COMPILER_ID}")
endif()
if(NOT PARACEL_SANITIZE STREQUAL "address,undefined")
  message(FATAL_ERROR "PARACEL_FUZZ needs -DPARACEL_SANITIZE=address,undefined, not "
                      "'${PARACEL_SANITIZE}'")
endif()
add_compile_options(-fsanitize=fuzzer-no-link)
