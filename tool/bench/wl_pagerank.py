"""Workload 7: PageRank against python3-igraph (prpack) and networkx."""

import os

from bench_common import Row, datagen, interleaved, log, prun_job, real_data, run

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


def paracel(ctx, path, name="pagerank"):
    return prun_job(ctx, "pagerank", {"input": path, "max_rounds": 200}, name=name)[0]


def measure(ctx):
    igraph = script(ctx, "pr_igraph.py", IGRAPH)
    networkx = script(ctx, "pr_networkx.py", NETWORKX)
    nodes, edges = (10000, 100000) if ctx.smoke else (1000000, 10000000)
    log("pagerank: %d nodes, %d edges" % (nodes, edges))
    graph = datagen(ctx, "edges", "edges_%d.txt" % edges, edges, nodes=nodes, seed=1)
    t_large, t_igraph = interleaved(
        ctx.reps, lambda: paracel(ctx, graph),
        lambda: float(run(["/usr/bin/python3", igraph, graph]).split()[0]))
    name = "PageRank, %s nodes / %s edges (R-MAT), 2 workers" % (f"{nodes:,}", f"{edges:,}")
    ctx.rows.append(Row(name, "seconds, load + solve", t_large, t_igraph,
                        "python3-igraph (prpack)", False))
    folder = real_data("wordnet")
    if folder:
        wordnet = os.path.join(folder, "graph", "wordnet_pointers.txt")
        t_paracel, t_igraph, t_networkx = interleaved(
            ctx.reps, lambda: paracel(ctx, wordnet, "pagerank_wordnet"),
            lambda: float(run(["/usr/bin/python3", igraph, wordnet]).split()[0]),
            lambda: float(run(["/usr/bin/python3", networkx, wordnet])))
        name = "PageRank, wordnet_pointers (117,659 / 361,638), 2 workers"
        ctx.rows.append(Row(name, "seconds, load + solve", t_paracel, t_igraph,
                            "python3-igraph (prpack)", False))
        ctx.rows.append(Row(name, "seconds, load + solve", t_paracel, t_networkx,
                            "networkx", False))
    small = datagen(ctx, "edges", "edges_%d.txt" % (edges // 10), edges // 10,
                    nodes=nodes // 10, seed=1)
    t_small = interleaved(ctx.reps, lambda: paracel(ctx, small, "pagerank_small"))[0]
    ctx.rows.append(Row("scaling: PageRank, 10x graph", "time ratio 10x / 1x",
                        t_large / t_small, 10.0, "linear (10)", False,
                        note="iterations to converge may differ between the sizes"))
