#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (CTest).
# Extra arguments go to ctest, e.g. tool/run_tests.sh -R Concurrency.
# PARACEL_SANITIZE=address|thread|undefined builds an instrumented tree in build-<name>.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tool/install_deps.sh
build_dir=build
cmake_args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ -n "${PARACEL_SANITIZE:-}" ]; then
  build_dir="build-${PARACEL_SANITIZE}"
  cmake_args+=(-DPARACEL_SANITIZE="${PARACEL_SANITIZE}" -DPARACEL_BUILD_BENCHMARKS=OFF)
fi
cmake -S . -B "$build_dir" "${cmake_args[@]}" >/dev/null
cmake --build "$build_dir" -j"$(nproc)"
ctest --test-dir "$build_dir" --output-on-failure -j"$(nproc)" "$@"
