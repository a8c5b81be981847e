#!/usr/bin/env bash
# Quick start: install what is missing, build, and run a small job through prun.py: two
# parameter servers and three MPI workers count the words of the license texts every Debian
# system ships, and rank 0 checks the servers' top words against a serial count.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tool/install_deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

./prun.py -p 2 -w 3 -m local build/bin/ps_demo /usr/share/common-licenses/*
