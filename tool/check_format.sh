#!/usr/bin/env bash
# Fails, listing the files, when any C++ file differs from what .clang-format asks for.
# Fix them with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "check_format: install clang-format" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp')
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  echo "check_format: not formatted as .clang-format says: ${bad[*]}" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files formatted"
