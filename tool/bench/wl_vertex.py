"""Workload 16: weakly connected components, the whole job (load + solve): Paracel's Pregel
layer (min-label propagation, 2 workers) against scipy's connected_components and igraph's
clusters, each reading the same edge list."""

import os

from bench_common import Row, datagen, interleaved, log, openblas_env, prun_job, run

BASELINE = r"""
import sys, time
import numpy as np
path, which = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if which == "scipy":
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components
    e = np.loadtxt(path, dtype=np.int64, ndmin=2)
    n = int(e.max()) + 1
    count = connected_components(sp.coo_matrix((np.ones(len(e)), (e[:, 0], e[:, 1])),
                                               shape=(n, n)), connection="weak")[0]
else:
    import igraph
    g = igraph.Graph.Read_Edgelist(path, directed=True)
    count = len(g.connected_components(mode="weak"))
print(time.perf_counter() - start)
"""


def compare(ctx, what, path):
    log("components: " + what)
    script = ctx.scratch("components_baseline.py")
    open(script, "w").write(BASELINE)
    found = {}

    def paracel():
        seconds, metrics = prun_job(ctx, "vertex_programs", {"program": "components",
                                                             "input": path})
        found.update(metrics)
        return seconds

    def baseline(which):
        return lambda: float(run(["/usr/bin/python3", script, path, which],
                                 env=openblas_env(ctx)))

    t_paracel, t_scipy, t_igraph = interleaved(ctx.reps, paracel, baseline("scipy"),
                                               baseline("igraph"))
    note = "%d components, %d supersteps, %d messages" % (found["components"],
                                                          found["supersteps"],
                                                          found["messages"])
    name = "connected components, %s, 2 workers" % what
    ctx.rows.append(Row(name, "seconds, whole job", t_paracel, t_scipy,
                        "scipy connected_components (load + solve)", False, note=note))
    ctx.rows.append(Row(name, "seconds, whole job", t_paracel, t_igraph,
                        "igraph (load + solve)", False, note=note))


def measure(ctx, data_folder):
    if data_folder:
        compare(ctx, "WordNet pointers", os.path.join(data_folder, "graph",
                                                      "wordnet_pointers.txt"))
    nodes = 10000 if ctx.smoke else 1000000
    path = datagen(ctx, "edges", "components_%d.txt" % nodes, 2 * nodes, nodes=nodes, seed=2)
    compare(ctx, "R-MAT %s vertices, %s edges" % (f"{nodes:,}", f"{2 * nodes:,}"), path)
