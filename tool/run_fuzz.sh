#!/usr/bin/env bash
# The libFuzzer targets of test/fuzz: builds them with clang (AddressSanitizer +
# UndefinedBehaviorSanitizer + coverage) in build-fuzz, writes the seed corpora with the
# project's encoders, replays every seed and every saved regression (test/fuzz/regressions),
# then fuzzes each target for SECONDS (default 60), under memory limits that a 6-byte header
# asking for gigabytes would trip.
#   bash tool/run_fuzz.sh [--unit-tests] [SECONDS] [TARGET...]
# targets: request decode config checkpoint
# --unit-tests first builds the in-process suites in the same instrumented tree and runs them
# (ctest -L unit): CI's sanitizer stage, one clang build for both.
# New corpus entries stay in build-fuzz/corpus; a crash leaves its input in build-fuzz/ and
# fails the script: add it to test/fuzz/regressions/<target>/ and a case to bad_input_test.
set -euo pipefail
cd "$(dirname "$0")/.."

unit_tests=false
if [ "${1:-}" = "--unit-tests" ]; then
  unit_tests=true
  shift
fi
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(request decode config checkpoint)

bash tool/install_deps.sh
build=build-fuzz
werror=OFF
[ "${CI:-}" = "true" ] && werror=ON
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2" -DPARACEL_WERROR="$werror" \
  -DPARACEL_FUZZ=ON -DPARACEL_SANITIZE=address,undefined -DPARACEL_BUILD_TESTS=ON -DPARACEL_BUILD_ALGORITHMS=OFF \
  -DPARACEL_BUILD_BENCHMARKS=OFF >/dev/null
if $unit_tests; then
  cmake --build "$build" -j"$(nproc)"
  echo "== the in-process suites (ctest -L unit) under ASan + UBSan"
  ctest --test-dir "$build" --output-on-failure -j"$(nproc)" -L unit
else
  cmake --build "$build" -j"$(nproc)" --target fuzzers
fi

corpus="$PWD/$build/corpus"
"$build/bin/fuzz_seeds" "$corpus" config
limits=(-rss_limit_mb=1024 -malloc_limit_mb=256 -max_len=8192 -timeout=10
        -artifact_prefix="$PWD/$build/")
# libFuzzer reports every new input; its output goes to build-fuzz/<target>.log, and only the
# totals (or, on a finding, the report) are printed.
run_logged() {
  local log="$1"
  shift
  if ! "$@" >"$log" 2>&1; then
    tail -n 80 "$log"
    echo "run_fuzz: $(basename "$1") failed; its input is in $build/ (whole log: $log)" >&2
    exit 1
  fi
}
for target in "${targets[@]}"; do
  binary="$build/bin/fuzz_$target"
  dict=()
  [ -f "$corpus/$target.dict" ] && dict=(-dict="$corpus/$target.dict")
  regressions="test/fuzz/regressions/$target"
  mkdir -p "$regressions"
  log="$PWD/$build/fuzz_$target.log"
  echo "== fuzz_$target: replay of the corpus and $regressions"
  run_logged "$log" "$binary" "${limits[@]}" -runs=0 "$corpus/$target" "$regressions"
  grep -E "^Done" "$log" || true
  echo "== fuzz_$target: fuzz ${seconds} s"
  run_logged "$log" "$binary" "${limits[@]}" "${dict[@]}" -max_total_time="$seconds" \
    -print_final_stats=1 "$corpus/$target"
  # The last status line has the coverage (cov: edges, ft: features, corp: corpus size).
  grep -E "^#[0-9]+" "$log" | tail -n 1
  grep -E "^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)" "$log"
done
