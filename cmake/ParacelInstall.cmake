# `find_package(Paracel)` from outside this tree gives paracel::paracel.
include(CMakePackageConfigHelpers)

set(PARACEL_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/Paracel)
set(CMAKE_INSTALL_RPATH ${CMAKE_INSTALL_FULL_LIBDIR})

install(TARGETS paracel EXPORT ParacelTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS paracel_server RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/paracel DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ParacelTargets NAMESPACE paracel:: DESTINATION ${PARACEL_CMAKE_DIR})

configure_package_config_file(cmake/ParacelConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ParacelConfig.cmake
  INSTALL_DESTINATION ${PARACEL_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ParacelConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/ParacelConfig.cmake
  ${PROJECT_BINARY_DIR}/ParacelConfigVersion.cmake
  DESTINATION ${PARACEL_CMAKE_DIR})
