#!/usr/bin/env bash
# Quick start: install what is missing, build, and run two real algorithms end to end
# through prun.py (two parameter servers, three MPI workers each):
#   1. word count of the license texts every Debian system ships, checked against the
#      serial reference;
#   2. logistic regression on a generated LIBSVM set (200,000 x 1,000 sparse rows from a
#      planted model, tool/datagen), with the held-out accuracy and log-loss it reaches.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tool/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

demo=/tmp/paracel-demo
mkdir -p "$demo"

echo "== word count: /usr/share/common-licenses (config/word_count.json)"
./prun.py -p 2 -w 3 -c config/word_count.json build/bin/word_count
cat /tmp/paracel_word_count/top_words
build/bin/word_count_serial --top 10 /usr/share/common-licenses > "$demo/top_words.serial"
if cmp -s /tmp/paracel_word_count/top_words "$demo/top_words.serial"; then
  echo "word count: the top 10 equal the serial count"
else
  echo "word count: differs from the serial count" >&2
  diff /tmp/paracel_word_count/top_words "$demo/top_words.serial" >&2
  exit 1
fi

echo "== logistic regression: generated data (config/logistic_regression.json)"
if [ ! -s "$demo/lr_test.libsvm" ]; then
  # One planted model, 220,000 rows: the first 200,000 train, the last 20,000 are held out.
  build/bin/datagen --kind=libsvm --rows=220000 --features=1000 --seed=1 --out="$demo/lr_all.libsvm"
  head -n 200000 "$demo/lr_all.libsvm" > "$demo/lr_train.libsvm"
  tail -n 20000 "$demo/lr_all.libsvm" > "$demo/lr_test.libsvm"
  rm "$demo/lr_all.libsvm"
fi
./prun.py -p 2 -w 3 -c config/logistic_regression.json build/bin/logistic_regression
echo "logistic regression: metrics in /tmp/paracel_logistic_regression/metrics.json, model in .../model"
