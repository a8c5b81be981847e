#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (CTest).
# Extra arguments go to ctest, e.g. tool/run_tests.sh -R Concurrency, or -L unit.
# PARACEL_SANITIZE=address|thread|undefined|address,undefined builds an instrumented tree in
# build-<name>. PARACEL_CMAKE_ARGS adds CMake options (e.g. -DPARACEL_BUILD_ALGORITHMS=OFF).
# Under CI (CI=true) compiler warnings are errors and debug info is minimal (-g1).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tool/install_deps.sh
build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${CI:-}" = "true" ]; then
  # Minimal debug info (line tables for backtraces, no variables): the Eigen-heavy files
  # compile markedly faster, and CI has a time budget.
  cmake_args+=(-DPARACEL_WERROR=ON "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG")
fi
if [ -n "${PARACEL_SANITIZE:-}" ]; then
  build_dir="build-${PARACEL_SANITIZE//,/-}"
  cmake_args+=(-DPARACEL_SANITIZE="${PARACEL_SANITIZE}" -DPARACEL_BUILD_BENCHMARKS=OFF)
fi
read -r -a extra_cmake_args <<< "${PARACEL_CMAKE_ARGS:-}"
cmake -S . -B "$build_dir" "${cmake_args[@]}" "${extra_cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" "$@"
