# `cmake --install` gives a user everything needed to run jobs outside the tree: the library
# and headers (`find_package(Paracel)` gives paracel::paracel for programs and paracel::plugin
# for server plugins), paracel_server, the launcher
# as bin/paracel-run (it finds the installed server and plugin folder itself), the job report
# as bin/paracel-report, the algorithm
# drivers and plugins (alg/CMakeLists.txt), datagen, and the demo configs.
include(CMakePackageConfigHelpers)

set(PARACEL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Paracel)

install(TARGETS paracel paracel_core paracel_plugin EXPORT ParacelTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS paracel_server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/paracel DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ParacelTargets NAMESPACE paracel:: DESTINATION ${PARACEL_CMAKE_DIR})

# The launcher, told where the plugins and its own modules (tool/prun: the mesos method)
# are installed (relative to the prefix).
set(PARACEL_INSTALL_LAUNCHER_DIR ${CMAKE_INSTALL_LIBDIR}/paracel/launcher)
file(READ ${PROJECT_SOURCE_DIR}/prun.py _paracel_launcher)
string(REPLACE "INSTALLED_PLUGIN_DIR = None" "INSTALLED_PLUGIN_DIR = \"${PARACEL_INSTALL_PLUGIN_DIR}\""
       _paracel_launcher "${_paracel_launcher}")
string(REPLACE "INSTALLED_MODULE_DIR = None"
       "INSTALLED_MODULE_DIR = \"${PARACEL_INSTALL_LAUNCHER_DIR}\""
       _paracel_launcher "${_paracel_launcher}")
install(FILES tool/prun/mesos_api.py tool/prun/mesos_job.py tool/prun/mesos_offers.py
  DESTINATION ${PARACEL_INSTALL_LAUNCHER_DIR})
install(PROGRAMS tool/prun/mesos_shim.py DESTINATION ${PARACEL_INSTALL_LAUNCHER_DIR})
file(WRITE ${PROJECT_BINARY_DIR}/paracel-run "${_paracel_launcher}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/prun.py)
install(PROGRAMS ${PROJECT_BINARY_DIR}/paracel-run DESTINATION ${CMAKE_INSTALL_BINDIR})
# The job report (docs/observability.md), as bin/paracel-report.
install(PROGRAMS tool/report.py DESTINATION ${CMAKE_INSTALL_BINDIR} RENAME paracel-report)
install(FILES
  config/word_count.json config/logistic_regression.json config/matrix_factorization.json
  config/pagerank.json config/kmeans.json config/ridge.json
  DESTINATION ${CMAKE_INSTALL_DATADIR}/paracel/config)

configure_package_config_file(cmake/ParacelConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ParacelConfig.cmake
  INSTALL_DESTINATION ${PARACEL_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ParacelConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/ParacelConfig.cmake
  ${PROJECT_BINARY_DIR}/ParacelConfigVersion.cmake
  DESTINATION ${PARACEL_CMAKE_DIR})
