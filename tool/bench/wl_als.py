"""Workload 13: ALS (explicit ALS-WR and implicit feedback), seconds per iteration against the
serial reference (build/bin/als_serial, 1 core) and against a vectorised numpy/scipy ALS that
a Python user would write at its best: every row's normal equations at once (a sparse
product of the rating pattern with the other side's outer products), then one batched
np.linalg.solve, on OpenBLAS or whatever BLAS numpy has."""

import os

from bench_common import Row, datagen, interleaved, log, openblas_env, prun_job, run

NUMPY = r"""
import sys, time
import numpy as np
import scipy.sparse as sp
path, rank, iterations, lam, alpha = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4]), float(sys.argv[5])
users, items, values = {}, {}, []
rows, cols = [], []
for line in open(path):
    u, i, v = line.split()
    rows.append(users.setdefault(u, len(users)))
    cols.append(items.setdefault(i, len(items)))
    values.append(float(v))
r = sp.csr_matrix((values, (rows, cols)), shape=(len(users), len(items)))
implicit = alpha > 0
rng = np.random.default_rng(1)
x = np.zeros((len(users), rank))
y = rng.normal(0, 0.1, (len(items), rank))

def half_step(r, y):
    pattern = r.copy()
    pattern.data = alpha * r.data if implicit else np.ones_like(r.data)
    outer = np.einsum("ik,il->ikl", y, y).reshape(len(y), -1)
    a = (pattern @ outer).reshape(r.shape[0], rank, rank)
    if implicit:
        a += y.T @ y
        rhs = r.copy(); rhs.data = 1 + alpha * r.data
        b = rhs @ y
        reg = np.full(r.shape[0], lam)
    else:
        b = r @ y
        reg = lam * np.diff(r.indptr)
    a[:, np.arange(rank), np.arange(rank)] += reg[:, None]
    return np.linalg.solve(a, b[:, :, None])[:, :, 0]

rt = r.T.tocsr()
start = time.perf_counter()
for _ in range(iterations):
    x = half_step(r, y)
    y = half_step(rt, x)
seconds = time.perf_counter() - start
pred = np.einsum("ij,ij->i", x[rows], y[cols])
print(seconds / iterations, np.sqrt(np.mean((np.array(values) - pred) ** 2)))
"""


def compare(ctx, name, train, rank, iterations, params):
    log("ALS: " + name)
    script = ctx.scratch("als_numpy.py")
    open(script, "w").write(NUMPY)
    config = dict(params, input=train, rank=rank, iterations=iterations)
    found = {}
    implicit = params.get("feedback") == "implicit"

    def paracel():
        _, m = prun_job(ctx, "als", config)
        found["paracel"] = m["train_rmse"]
        # Per iteration, from the trace: the first iteration's time includes nothing else.
        return m["trace"][-1][4] / len(m["trace"])

    def serial():
        args = [ctx.bin("als_serial"), train, "-", str(rank), str(iterations),
                str(params["lambda"])]
        if implicit:
            args += ["--implicit", str(params["alpha"])]
        lines = run(args).splitlines()
        found["serial"] = float(lines[-1].split()[2])
        return float(lines[-1].split()[4]) / iterations

    def numpy():
        seconds, rmse = map(float, run(["/usr/bin/python3", script, train, str(rank),
                                        str(iterations), str(params["lambda"]),
                                        str(params.get("alpha", 0) if implicit else 0)],
                                       env=openblas_env(ctx)).split())
        found["numpy"] = rmse
        return seconds

    t_paracel, t_serial, t_numpy = interleaved(ctx.reps, paracel, serial, numpy)
    note = "train RMSE %.4f (serial %.4f, numpy %.4f)" % (found["paracel"], found["serial"],
                                                          found["numpy"])
    what = "ALS %s rank %d, %s, 2 workers" % ("implicit" if implicit else "ALS-WR", rank, name)
    ctx.rows.append(Row(what, "seconds per iteration", t_paracel, t_serial,
                        "serial reference (1 core)", False, note=note))
    ctx.rows.append(Row(what, "seconds per iteration", t_paracel, t_numpy,
                        "numpy/scipy batched ALS", False, note=note))


def measure(ctx, data_folder):
    if data_folder:
        ratings = os.path.join(data_folder, "ratings", "movielens_dslabs.txt")
        compare(ctx, "MovieLens 100k", ratings, 10, 10, {"lambda": 0.1})
    rows = 200000 if ctx.smoke else 2000000
    big = datagen(ctx, "ratings", "als_ratings_%d.txt" % rows, rows, users=rows // 50,
                  items=rows // 500, rank=10, seed=5)
    # datagen may repeat a (user, item) pair; ALS takes each pair once.
    train = ctx.scratch("als_ratings_%d.distinct" % rows)
    if not os.path.exists(train):
        seen = set()
        with open(big) as f, open(train, "w") as out:
            for line in f:
                pair = tuple(line.split()[:2])
                if pair not in seen:
                    seen.add(pair)
                    out.write(line)
    name = "synthetic %s ratings" % f"{rows:,}"
    compare(ctx, name, train, 32, 5, {"lambda": 0.05})
    compare(ctx, name, train, 32, 5, {"lambda": 0.05, "feedback": "implicit", "alpha": 1.0})
