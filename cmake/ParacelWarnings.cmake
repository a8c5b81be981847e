# One set of warnings for the library, the server, the tools and the tests (link
# paracel_warnings). PARACEL_WERROR=ON (CI) turns them into errors.
option(PARACEL_WERROR "Treat compiler warnings as errors" OFF)
add_library(paracel_warnings INTERFACE)
target_compile_options(paracel_warnings INTERFACE -Wall -Wextra
  $<$<BOOL:${PARACEL_WERROR}>:-Werror>)
