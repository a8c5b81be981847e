"""Workload 9: k-means seconds per iteration against scikit-learn's KMeans (lloyd), with
OpenBLAS (what a numpy user has) and with Debian's default reference BLAS."""

import json

from bench_common import Row, datagen, interleaved, log, openblas_env, prun_job, run

SKLEARN = r"""
import sys, time, numpy as np
from sklearn.cluster import KMeans
points = np.fromfile(sys.argv[1], sep=" ").reshape(-1, int(sys.argv[3]))
centres = np.fromfile(sys.argv[2], sep=" ").reshape(-1, int(sys.argv[3]))
start = time.perf_counter()
km = KMeans(n_clusters=len(centres), init=centres, n_init=1, max_iter=int(sys.argv[4]),
            tol=0, algorithm="lloyd").fit(points)
print((time.perf_counter() - start) / km.n_iter_, km.inertia_)
"""


def measure(ctx):
    rows, dim, k, rounds = (20000, 20, 10, 5) if ctx.smoke else (200000, 100, 100, 10)
    log("k-means: %d x %d, k = %d" % (rows, dim, k))
    points = datagen(ctx, "points", "points_%dx%d.txt" % (rows, dim), rows, dim=dim,
                     clusters=k, seed=1)
    config = {"input": points, "k": k, "init": "random", "max_rounds": rounds, "tolerance": 0,
              "seed": 1}
    script = ctx.scratch("kmeans_sklearn.py")
    open(script, "w").write(SKLEARN)

    def paracel():
        _, metrics = prun_job(ctx, "kmeans", config)
        return metrics["seconds"] / metrics["rounds"]

    def sklearn(env=None):
        initial = ctx.scratch("out_kmeans") + "/initial_centres"
        out = run(["/usr/bin/python3", script, points, initial, str(dim), str(rounds)], env=env)
        return float(out.split()[0])

    paracel()  # writes the initial centres both start from
    t_paracel, t_openblas, t_reference = interleaved(
        ctx.reps, paracel, lambda: sklearn(openblas_env(ctx)), sklearn)
    name = "k-means, %d x %d, k = %d, 2 workers" % (rows, dim, k)
    ctx.rows.append(Row(name, "seconds per iteration", t_paracel, t_openblas,
                        "scikit-learn KMeans (lloyd, 2 threads, OpenBLAS)", False))
    ctx.rows.append(Row(name, "seconds per iteration", t_paracel, t_reference,
                        "the same on Debian's default reference BLAS", False))
    small = datagen(ctx, "points", "points_%dx%d.txt" % (rows // 10, dim), rows // 10, dim=dim,
                    clusters=k, seed=1)
    small_cfg = dict(config, input=small)
    t_small = interleaved(ctx.reps, lambda: (lambda m: m["seconds"] / m["rounds"])(
        prun_job(ctx, "kmeans", small_cfg, name="kmeans_small")[1]))[0]
    ctx.rows.append(Row("scaling: k-means, 10x points", "time ratio 10x / 1x",
                        t_paracel / t_small, 10.0, "linear (10)", False))
