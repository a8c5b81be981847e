"""Workload 14: top-10 cosine neighbours, exact, the search alone: Paracel (2 workers; its
scoring seconds) against faiss IndexFlatIP on normalised rows and scikit-learn's brute-force
NearestNeighbors (each timed from the matrix in memory)."""

import os

from bench_common import Row, interleaved, log, openblas_env, prun_job, run

BASELINE = r"""
import sys, time
import numpy as np, scipy.sparse as sp
path, fmt, k, which = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
if fmt == "dense":
    width = len(open(path).readline().split())
    x = np.loadtxt(path, usecols=range(1, width), dtype=np.float32)
else:  # "user item rating", items compared by their users (>= 20 ratings)
    t = [l.split() for l in open(path)]
    users, items = {}, {}
    r = [users.setdefault(a, len(users)) for a, _, _ in t]
    c = [items.setdefault(b, len(items)) for _, b, _ in t]
    m = sp.csr_matrix(([float(v) for _, _, v in t], (c, r)), shape=(len(items), len(users)))
    x = m[np.diff(m.indptr) >= 20]
import faiss  # noqa: E402 -- imported before the clock starts
from sklearn.neighbors import NearestNeighbors  # noqa: E402
start = time.perf_counter()
if which == "faiss":
    d = np.asarray(x.todense() if sp.issparse(x) else x, dtype=np.float32)
    faiss.normalize_L2(d)
    index = faiss.IndexFlatIP(d.shape[1])
    index.add(d)
    index.search(d, k + 1)
else:
    NearestNeighbors(n_neighbors=k + 1, metric="cosine", algorithm="brute").fit(x).kneighbors(x)
print(time.perf_counter() - start)
"""


def fashion_dense(ctx, folder, rows):
    """The first ROWS fashion-MNIST training images as dense "name v1 ... v784" lines."""
    path = ctx.scratch("fashion_%d.dense" % rows)
    if not os.path.exists(path):
        source = os.path.join(folder, "classification", "fashion_mnist_tops.train.libsvm")
        with open(source) as f, open(path, "w") as out:
            for r, line in zip(range(rows), f):
                row = ["0"] * 784
                for pair in line.split()[1:]:
                    j, v = pair.split(":")
                    row[int(j) - 1] = v
                out.write("img%d %s\n" % (r, " ".join(row)))
    return path


def compare(ctx, what, path, fmt, config):
    log("similarity: " + what)
    script = ctx.scratch("similarity_baseline.py")
    open(script, "w").write(BASELINE)

    def paracel():
        return prun_job(ctx, "similarity", dict(config, input=path, format=fmt,
                                                top_k=10))[1]["score_seconds"]

    def baseline(which):
        return lambda: float(run(["/usr/bin/python3", script, path, fmt, "10", which],
                                 env=openblas_env(ctx)))

    t_paracel, t_faiss, t_sklearn = interleaved(ctx.reps, paracel, baseline("faiss"),
                                                baseline("sklearn"))
    name = "similarity cosine top-10, %s, 2 workers" % what
    ctx.rows.append(Row(name, "seconds, search", t_paracel, t_faiss,
                        "faiss IndexFlatIP (exact)", False))
    ctx.rows.append(Row(name, "seconds, search", t_paracel, t_sklearn,
                        "scikit-learn brute-force kNN", False))


def measure(ctx, data_folder):
    if not data_folder:
        log("similarity: no real data, skipped")
        return
    ratings = os.path.join(data_folder, "ratings", "movielens_dslabs.txt")
    compare(ctx, "MovieLens items with >= 20 ratings (sparse)", ratings, "triples",
            {"transpose": True, "min_count": 20})
    rows = 2000 if ctx.smoke else 20000
    compare(ctx, "fashion-MNIST %s x 784 (dense)" % f"{rows:,}",
            fashion_dense(ctx, data_folder, rows), "dense", {})
