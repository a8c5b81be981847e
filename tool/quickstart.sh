#!/usr/bin/env bash
# Quick start: install what is missing, build, and run a small job against real servers
# (a word count over the license texts every Debian system ships, checked against a
# serial count).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tool/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

texts=(/usr/share/common-licenses/*)
run_dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$run_dir"
}
trap cleanup EXIT

endpoints=()
for i in 0 1; do
  build/bin/paracel_server --threads=2 --endpoint_file="$run_dir/server$i" >"$run_dir/server$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1; do
  for _ in $(seq 100); do [ -s "$run_dir/server$i" ] && break; sleep 0.05; done
  [ -s "$run_dir/server$i" ] || { echo "server $i did not start:"; cat "$run_dir/server$i.log"; exit 1; }
  endpoints+=("$(cat "$run_dir/server$i")")
done
echo "servers: ${endpoints[*]}"
build/bin/ps_demo --servers "$(IFS=,; echo "${endpoints[*]}")" --threads 4 "${texts[@]}"
