# PARACEL_SANITIZE=address|undefined|thread|address,undefined instruments every target of
# this tree. UndefinedBehaviorSanitizer findings are errors (no recovery), so a test fails.
if(PARACEL_SANITIZE STREQUAL "")
  return()
endif()
if(NOT PARACEL_SANITIZE MATCHES "^(address|undefined|thread|address,undefined)$")
  message(FATAL_ERROR "PARACEL_SANITIZE must be address, undefined, thread or "
                      "address,undefined, not '${PARACEL_SANITIZE}'")
endif()
# Line tables (-g1) are all a report needs, and compile markedly faster than -g.
set(_paracel_san_flags -fsanitize=${PARACEL_SANITIZE} -fno-omit-frame-pointer -g1)
if(PARACEL_SANITIZE MATCHES "undefined")
  list(APPEND _paracel_san_flags -fno-sanitize-recover=undefined)
endif()
add_compile_options(${_paracel_san_flags})
add_link_options(-fsanitize=${PARACEL_SANITIZE})
