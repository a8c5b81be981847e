#!/usr/bin/env bash
# Fetches real public data sets for tests and benchmarks, using the converters in
# ../shared/data (a developer and CI checkout has it beside this repository) but downloading
# only the Debian packages the named sets need. Never commit the data.
#
#   tool/fetch_data.sh wordnet heart_scale     # -> $PARACEL_DATA/out/graph/wordnet_pointers.txt ...
#
# PARACEL_DATA (default /tmp/paracel-data) holds downloads and output; existing output is reused.
# Exit status 3 when the converters or the package archive are not reachable (tests skip then).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
shared="${PARACEL_SHARED_DATA:-$here/../shared/data}"
data="${PARACEL_DATA:-/tmp/paracel-data}"
[ -f "$shared/convert.py" ] || { echo "fetch_data: no converters at $shared" >&2; exit 3; }

declare -A packages=(
  [wordnet]="wordnet-base" [heart_scale]="deap-doc" [mushroom]="libfann-doc"
  [breast_cancer]="python3-sklearn" [movielens]="r-cran-dslabs" [cppreference]="cppreference-doc-en-html"
  [kjv]="bible-kjv bible-kjv-text" [dicts]="dict-gcide dict-foldoc dict-jargon"
  [fashion_mnist]="dataset-fashion-mnist" [spambase]="r-cran-kernlab"
)
mkdir -p "$data/debs" "$data/pkgs" "$data/out"
export PKGS="$data/pkgs" OUT="$data/out"
ls /var/lib/apt/lists/*_Packages* >/dev/null 2>&1 || apt-get update -q >/dev/null || exit 3
for name in "$@"; do
  [ -n "${packages[$name]:-}" ] || { echo "fetch_data: unknown data set $name" >&2; exit 2; }
  for p in ${packages[$name]}; do
    if [ ! -d "$PKGS/$p" ]; then
      (cd "$data/debs" && { ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download "$p" >/dev/null 2>&1; }) \
        || { echo "fetch_data: cannot download $p" >&2; exit 3; }
      mkdir -p "$PKGS/$p.tmp" && dpkg -x "$data/debs/${p}"_*.deb "$PKGS/$p.tmp" && mv "$PKGS/$p.tmp" "$PKGS/$p"
    fi
  done
  stamp="$OUT/.done_$name"
  [ -f "$stamp" ] || { /usr/bin/python3 "$shared/convert.py" "$name" >/dev/null && touch "$stamp"; }
done
echo "$OUT"
