"""Workload 7: PageRank against python3-igraph (prpack) and networkx, the iterations against
the tight serial loop (build/bin/pagerank_serial), and the start-up of a job on its own."""

import os
import statistics
import subprocess

from bench_common import Row, datagen, interleaved, log, prun_job, real_data, run, timed

IGRAPH = r"""
import sys, time, igraph
start = time.perf_counter()
g = igraph.Graph.Read_Edgelist(sys.argv[1], directed=True)
loaded = time.perf_counter()
g.pagerank(damping=0.85, implementation="prpack")
print(time.perf_counter() - start, loaded - start)
"""
NETWORKX = r"""
import sys, time, networkx as nx
start = time.perf_counter()
g = nx.DiGraph()
with open(sys.argv[1]) as f:
    g.add_edges_from(tuple(l.split()) for l in f if l.strip())
nx.pagerank(g, alpha=0.85, tol=1e-9)
print(time.perf_counter() - start)
"""


def script(ctx, name, text):
    path = ctx.scratch(name)
    open(path, "w").write(text)
    return path


class ParacelRuns:
    """Runs the job and keeps its metrics, so that one run gives the total and the split."""

    def __init__(self, ctx, path, name):
        self.ctx, self.path, self.name, self.metrics = ctx, path, name, []

    def __call__(self):
        seconds, metrics = prun_job(self.ctx, "pagerank", {"input": self.path, "max_rounds": 200},
                                    name=self.name)
        self.metrics.append(metrics)
        return seconds

    def median(self, key):
        return statistics.median(m[key] for m in self.metrics)

    def split(self):
        return "load %.2f s, %d iterations of %.1f ms" % (
            self.median("load_seconds"), self.metrics[0]["rounds"],
            1000 * self.median("seconds_per_iteration"))


def serial_iteration(ctx, path):
    """Seconds per iteration of the tight loop (it prints them on stderr)."""
    done = subprocess.run([ctx.bin("pagerank_serial"), path, "0.85", "1e-9", "200"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return float(done.stderr.split()[-4])


def compare(ctx, path, name, short, igraph, networkx=None):
    paracel = ParacelRuns(ctx, path, short)
    measures = [paracel, lambda: float(run(["/usr/bin/python3", igraph, path]).split()[0])]
    if networkx:
        measures.append(lambda: float(run(["/usr/bin/python3", networkx, path])))
    times = interleaved(ctx.reps, *measures)
    ctx.rows.append(Row(name, "seconds, load + solve", times[0], times[1],
                        "python3-igraph (prpack)", False, note=paracel.split()))
    if networkx:
        ctx.rows.append(Row(name, "seconds, load + solve", times[0], times[2], "networkx", False))
    tight = interleaved(ctx.reps, lambda: serial_iteration(ctx, path))[0]
    ctx.rows.append(Row(name, "seconds per iteration", paracel.median("seconds_per_iteration"),
                        tight, "tight serial loop (pagerank_serial, 1 core)", False, goal=1 / 3))
    return times[0]


def measure(ctx):
    igraph = script(ctx, "pr_igraph.py", IGRAPH)
    networkx = script(ctx, "pr_networkx.py", NETWORKX)
    nodes, edges = (10000, 100000) if ctx.smoke else (1000000, 10000000)
    log("pagerank: %d nodes, %d edges" % (nodes, edges))
    graph = datagen(ctx, "edges", "edges_%d.txt" % edges, edges, nodes=nodes, seed=1)
    name = "PageRank, %s nodes / %s edges (R-MAT), 2 workers" % (f"{nodes:,}", f"{edges:,}")
    t_large = compare(ctx, graph, name, "pagerank", igraph)
    folder = real_data("wordnet")
    if folder:
        wordnet = os.path.join(folder, "graph", "wordnet_pointers.txt")
        compare(ctx, wordnet, "PageRank, wordnet_pointers (117,659 / 361,638), 2 workers",
                "pagerank_wordnet", igraph, networkx)
    # A job's fixed cost: prun starting two servers and two MPI ranks that load a 3-edge
    # graph, against the Python interpreter starting, importing igraph and doing the same
    # (wall time of both).
    tiny = ctx.scratch("edges_3.txt")
    open(tiny, "w").write("0 1\n1 2\n2 0\n")
    t_job, t_python = interleaved(
        ctx.reps, lambda: prun_job(ctx, "pagerank", {"input": tiny}, name="pr_tiny")[0],
        lambda: timed(["/usr/bin/python3", igraph, tiny])[0])
    ctx.rows.append(Row("job start-up: PageRank of a 3-edge graph, 2 servers + 2 workers",
                        "seconds, whole run", t_job, t_python,
                        "python3 starting, importing igraph, prpack", False))
    small = datagen(ctx, "edges", "edges_%d.txt" % (edges // 10), edges // 10,
                    nodes=nodes // 10, seed=1)
    t_small = interleaved(ctx.reps, ParacelRuns(ctx, small, "pagerank_small"))[0]
    ctx.rows.append(Row("scaling: PageRank, 10x graph", "time ratio 10x / 1x",
                        t_large / t_small, 10.0, "linear (10)", False,
                        note="iterations to converge may differ between the sizes"))
