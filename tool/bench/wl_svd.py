"""Workload 15: truncated SVD, rank 10, the solve alone: Paracel's block Lanczos (2 workers,
to 1e-10) against ARPACK (scipy.sparse.linalg.svds, tol=0) and scikit-learn's randomized_svd
(7 power iterations), each from the matrix in memory; the largest relative error of the 10
values against ARPACK's is in the note."""

import json
import os

from bench_common import Row, interleaved, log, openblas_env, prun_job, run
from wl_similarity import fashion_dense

BASELINE = r"""
import sys, time, json
import numpy as np, scipy.sparse as sp
path, fmt, which = sys.argv[1], sys.argv[2], sys.argv[3]
if fmt == "dense":
    width = len(open(path).readline().split())
    x = sp.csr_matrix(np.loadtxt(path, usecols=range(1, width)))
else:
    t = [l.split() for l in open(path)]
    rows, cols = {}, {}
    x = sp.csr_matrix(([float(v) for _, _, v in t],
                       ([rows.setdefault(a, len(rows)) for a, _, _ in t],
                        [cols.setdefault(b, len(cols)) for _, b, _ in t])))
from scipy.sparse.linalg import svds  # noqa: E402 -- imported before the clock starts
from sklearn.utils.extmath import randomized_svd  # noqa: E402
start = time.perf_counter()
if which == "arpack":
    s = svds(x, k=10, tol=0, return_singular_vectors=True)[1]
else:
    s = randomized_svd(x, 10, n_iter=7, random_state=1)[1]
print(json.dumps([time.perf_counter() - start, sorted(s.tolist(), reverse=True)]))
"""


def compare(ctx, what, path, fmt):
    log("svd: " + what)
    script = ctx.scratch("svd_baseline.py")
    open(script, "w").write(BASELINE)
    found = {}

    def paracel():
        seconds, metrics = prun_job(ctx, "svd", {"input": path, "format": fmt, "rank": 10})
        values = open(os.path.join(ctx.scratch("out_svd"), "singular_values")).read().split()
        found["paracel"] = [float(v) for v in values]
        found["products"] = metrics["products"]
        return metrics["seconds"]

    def baseline(which):
        def measure():
            seconds, values = json.loads(run(["/usr/bin/python3", script, path, fmt, which],
                                             env=openblas_env(ctx)))
            found[which] = values
            return seconds
        return measure

    t_paracel, t_arpack, t_random = interleaved(ctx.reps, paracel, baseline("arpack"),
                                                baseline("randomized"))
    exact = found["arpack"]
    error = lambda got: max(abs(a - b) / exact[0] for a, b in zip(got, exact))
    note = "error vs ARPACK: Paracel %.1e (%d products of A'A), randomized %.1e" % (
        error(found["paracel"]), found["products"], error(found["randomized"]))
    name = "SVD rank 10, %s, 2 workers" % what
    ctx.rows.append(Row(name, "seconds, solve", t_paracel, t_arpack, "ARPACK (scipy svds)",
                        False, note=note))
    ctx.rows.append(Row(name, "seconds, solve", t_paracel, t_random,
                        "scikit-learn randomized_svd (q=7)", False, note=note))


def measure(ctx, data_folder):
    if not data_folder:
        log("svd: no real data, skipped")
        return
    compare(ctx, "MovieLens 671 x 9,066", os.path.join(data_folder, "ratings",
                                                        "movielens_dslabs.txt"), "triples")
    rows = 6000 if ctx.smoke else 60000
    compare(ctx, "fashion-MNIST %s x 784" % f"{rows:,}", fashion_dense(ctx, data_folder, rows),
            "dense")
