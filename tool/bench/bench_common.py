"""Shared by the benchmark workloads: timing, interleaving, jobs, data, result rows."""

import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass
class Row:
    """One measured figure: Paracel against its baseline from the same run."""
    workload: str
    measure: str        # what the figures are (ops/s, seconds, ...)
    paracel: float
    baseline: float
    baseline_name: str
    higher_is_better: bool = True
    goal: float = None  # the ratio we aim for (paracel/baseline, or baseline/paracel for times)
    note: str = ""

    @property
    def ratio(self):
        if self.higher_is_better:
            return self.paracel / self.baseline if self.baseline else float("nan")
        return self.baseline / self.paracel if self.paracel else float("nan")


@dataclass
class Context:
    build: str
    work: str           # scratch folder for generated data and outputs
    out: str            # results folder
    reps: int = 3
    smoke: bool = False
    rows: list = field(default_factory=list)
    plots: list = field(default_factory=list)   # (title, file name)

    def bin(self, name):
        return os.path.join(self.build, "bin", name)

    def scratch(self, name):
        os.makedirs(self.work, exist_ok=True)
        return os.path.join(self.work, name)


def log(message):
    print(message, file=sys.stderr, flush=True)


def run(cmd, timeout=1800, env=None, stdout=True):
    """Runs cmd; returns its stdout (raises naming the command on failure)."""
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env,
                          shell=isinstance(cmd, str))
    if done.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s" % (cmd if isinstance(cmd, str) else " ".join(cmd),
                                                  done.returncode, done.stderr[-3000:]))
    return done.stdout if stdout else None


def timed(cmd, **kwargs):
    """(seconds, stdout) of one run."""
    start = time.monotonic()
    out = run(cmd, **kwargs)
    return time.monotonic() - start, out


def interleaved(reps, *measures):
    """Calls each measure once per repetition, in turn; returns the median of each."""
    results = [[] for _ in measures]
    for _ in range(reps):
        for i, measure in enumerate(measures):
            results[i].append(measure())
    return [statistics.median(r) for r in results]


def prun_job(ctx, program, config, servers=2, workers=2, name=None, prun_args=()):
    """Runs build/bin/PROGRAM through prun.py (with PRUN_ARGS); returns (wall seconds,
    metrics.json or None)."""
    name = name or program
    out = ctx.scratch("out_" + name)
    cfg = dict(config, output=out)
    path = ctx.scratch(name + ".json")
    with open(path, "w") as f:
        json.dump(cfg, f)
    # This tree's server, never another build's that prun.py might find first.
    # Under this interpreter, as the Python baselines run: not through whatever `python3`
    # PATH finds first (a version manager's shim costs a tenth of a second per start).
    seconds, _ = timed([sys.executable, os.path.join(ROOT, "prun.py"), "-p", str(servers),
                        "-w", str(workers),
                        "--server_bin", ctx.bin("paracel_server"), "-c", path, *prun_args,
                        ctx.bin(program)])
    metrics = os.path.join(out, "metrics.json")
    return seconds, (json.load(open(metrics)) if os.path.exists(metrics) else None)


def datagen(ctx, kind, name, rows, **flags):
    """A generated input in the scratch folder (reused when present)."""
    path = ctx.scratch(name)
    if not os.path.exists(path):
        log("generating %s (%d rows)" % (name, rows))
        run([ctx.bin("datagen"), "--kind=" + kind, "--rows=%d" % rows, "--out=" + path]
            + ["--%s=%s" % kv for kv in flags.items()])
    return path


def real_data(*sets):
    """The folder of the fetched real data sets, or None when they cannot be had."""
    done = subprocess.run(["python3", os.path.join(ROOT, "tool", "data", "fetch.py"), *sets],
                          capture_output=True, text=True)
    if done.returncode != 0:
        log("real data %s unavailable: %s" % (", ".join(sets), done.stderr.strip()))
        return None
    return done.stdout.strip().splitlines()[-1]


_OPENBLAS = {}


def openblas_env(ctx):
    """The environment of a numpy/scipy/faiss baseline: OpenBLAS, what a numpy user runs,
    instead of Debian's default reference BLAS, without changing the system's choice: the
    package libopenblas0-pthread is unpacked into the scratch folder and its libblas.so.3 and
    liblapack.so.3 preloaded. OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, set on some machines for
    older OpenBLAS builds, are left out. Logs which BLAS numpy then uses (threadpoolctl)."""
    if "env" not in _OPENBLAS:
        sys.path.insert(0, os.path.join(ROOT, "tool", "data"))
        import sources  # noqa: E402 -- the project's own Debian-package unpacker
        folder = os.path.join(sources.deb("libopenblas0-pthread", ctx.scratch("packages")),
                              "usr", "lib", "x86_64-linux-gnu", "openblas-pthread")
        env = {k: v for k, v in os.environ.items()
               if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
        env["LD_PRELOAD"] = " ".join(os.path.join(folder, lib)
                                     for lib in ("libblas.so.3", "liblapack.so.3"))
        probe = ("import numpy, threadpoolctl; numpy.ones((64, 64)) @ numpy.ones((64, 64)); "
                 "print([(i['internal_api'], i.get('architecture'))"
                 " for i in threadpoolctl.threadpool_info()])")
        blas = run(["/usr/bin/python3", "-c", probe], env=env)
        log("baselines run with OpenBLAS: %s" % blas.strip())
        _OPENBLAS["env"] = env
    return _OPENBLAS["env"]
