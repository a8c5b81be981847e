# Installs the build into a scratch prefix; builds an algorithm and a plugin outside the tree
# against it; runs that algorithm and an installed one through the installed launcher
# (bin/paracel-run, which must find the installed paracel_server and plugin folder itself).
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
execute_process(COMMAND ${CMAKE_COMMAND} --install ${PARACEL_BUILD_DIR} --prefix ${prefix}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install failed")
endif()
foreach(file bin/paracel-run bin/paracel-report bin/paracel_server bin/word_count bin/logistic_regression
             bin/datagen share/paracel/config/word_count.json)
  if(NOT EXISTS ${prefix}/${file})
    message(FATAL_ERROR "the install lacks ${file}")
  endif()
endforeach()
file(GLOB_RECURSE installed_plugin ${prefix}/*/liblogistic_regression_plugin.so)
if(NOT installed_plugin)
  message(FATAL_ERROR "the install lacks the algorithms' plugins")
endif()

# A sanitized libparacel needs a consumer built with the same sanitizer.
set(flags "")
if(SANITIZE)
  set(flags "-fsanitize=${SANITIZE}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build
                        -DCMAKE_PREFIX_PATH=${prefix} "-DCMAKE_CXX_FLAGS=${flags}"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "configuring the consumer against the installed package failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK_DIR}/build RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "building the consumer failed")
endif()

function(run_installed what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err
                  TIMEOUT 120)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed (${rc}):\n${out}\n${err}")
  endif()
endfunction()

# The outside algorithm: 1..1000 over 3 workers and 2 servers, with its own plugin.
set(numbers "")
foreach(i RANGE 1 1000)
  string(APPEND numbers "${i}\n")
endforeach()
file(WRITE ${WORK_DIR}/numbers.txt "${numbers}")
run_installed("the outside algorithm through bin/paracel-run"
  ${prefix}/bin/paracel-run -p 2 -w 3 --plugin_dirs=${WORK_DIR}/build/plugins
  ${WORK_DIR}/build/sums --output=${WORK_DIR}/sums ${WORK_DIR}/numbers.txt libadd_square.so)
file(READ ${WORK_DIR}/sums/sums result)
string(STRIP "${result}" result)
if(NOT result STREQUAL "1000 500500.000000 333833500.000000")
  message(FATAL_ERROR "the outside algorithm computed '${result}'")
endif()

# An installed algorithm whose server-side updater lives in the installed plugin folder.
run_installed("datagen" ${prefix}/bin/datagen --kind=libsvm --rows=3000 --features=20 --nnz=5
              --seed=3 --out=${WORK_DIR}/lr.libsvm)
file(WRITE ${WORK_DIR}/lr.json "{\"input\": \"${WORK_DIR}/lr.libsvm\", \"output\": \
\"${WORK_DIR}/lr\", \"method\": \"agd\", \"learning_rate\": 0.5, \"rounds\": 10}")
run_installed("the installed logistic_regression through bin/paracel-run"
  ${prefix}/bin/paracel-run -p 1 -w 2 -c ${WORK_DIR}/lr.json ${prefix}/bin/logistic_regression)
file(READ ${WORK_DIR}/lr/metrics.json metrics)
string(JSON objective GET "${metrics}" train_objective)
if(NOT objective LESS 0.6)  # log(2) = 0.693 is the untrained model's
  message(FATAL_ERROR "the installed logistic_regression did not learn: ${metrics}")
endif()

# The installed launcher finds its own modules (the mesos method's): an unreachable master is
# a named error, not an ImportError.
execute_process(COMMAND ${prefix}/bin/paracel-run -m mesos --mesos_master 127.0.0.1:1
                        --start_timeout 5 ${prefix}/bin/word_count
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
if(NOT rc EQUAL 1 OR NOT err MATCHES "cannot reach Mesos master 127.0.0.1:1")
  message(FATAL_ERROR "the installed launcher's mesos method (${rc}):\n${out}\n${err}")
endif()
