"""PageRank through prun.py on a generated R-MAT graph (tool/datagen) and on real graphs (the
WordNet pointer graph, 117,659 vertices, and the cppreference.com hyperlink graph, 334,236
edges), against networkx's pagerank and the serial reference."""

import json
import os

import pytest

from alg_support import (datagen, real_data, reference, run_failing_job, run_job,
                         run_killed_and_resumed, tab_rows)


def networkx_pagerank(path):
    import networkx as nx
    graph = nx.DiGraph()
    with open(path) as f:
        graph.add_edges_from(tuple(line.split()) for line in f if line.strip())
    # A tolerance far below the comparison's, so that the oracle itself is converged.
    return nx.pagerank(graph, alpha=0.85, tol=1e-13, max_iter=1000)


def graph_file(name, tmp_path):
    if name == "rmat":  # skewed degrees and dangling vertices; duplicate edges dropped
        edges = open(datagen(tmp_path, "edges", rows=60000, seed=5, nodes=8192)).readlines()
        path = tmp_path / "rmat.txt"
        path.write_text("".join(sorted(set(edges))))
        return str(path)
    return os.path.join(real_data("wordnet" if name.startswith("wordnet") else "cppreference"),
                        "graph", name + ".txt")


@pytest.mark.parametrize("name", ["rmat",
                                  pytest.param("wordnet_pointers", marks=pytest.mark.real_data),
                                  pytest.param("cppreference_web", marks=pytest.mark.real_data)])
def test_ranks_equal_networkx(tmp_path, name):
    path = graph_file(name, tmp_path)
    out = tmp_path / "out"
    run_job("pagerank", {"input": path, "output": str(out), "block_size": 2048,
                         "max_rounds": 300}, tmp_path)
    ranks = {v: float(r) for v, r in tab_rows((out / "pagerank").read_text())}
    expected = networkx_pagerank(path)
    assert set(ranks) == set(expected)
    assert abs(sum(ranks.values()) - 1) < 1e-9
    l1 = sum(abs(ranks[v] - expected[v]) for v in expected)
    assert l1 < 1e-6, l1
    serial = {v: float(r) for v, r in tab_rows(reference("pagerank_serial", path, 0.85, 1e-9, 300))}
    assert sum(abs(ranks[v] - serial[v]) for v in serial) < 1e-12
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["last_l1_change"] < 1e-9 and metrics["rounds"] < 300


def test_a_run_killed_and_resumed_from_its_checkpoint_ends_where_an_uninterrupted_one_does(
        tmp_path):
    path = datagen(tmp_path, "edges", rows=1000000, seed=5, nodes=131072)
    config = {"input": path, "max_rounds": 30, "tolerance": 0, "block_size": 4096}
    out, resumed_out = tmp_path / "out", tmp_path / "resumed"
    run_job("pagerank", dict(config, output=str(out)), tmp_path)
    run_killed_and_resumed("pagerank", dict(config, output=str(resumed_out)), tmp_path, every=3)
    ranks = {v: float(r) for v, r in tab_rows((out / "pagerank").read_text())}
    resumed = {v: float(r) for v, r in tab_rows((resumed_out / "pagerank").read_text())}
    assert set(resumed) == set(ranks)
    assert sum(abs(resumed[v] - ranks[v]) for v in ranks) < 1e-12
    assert json.loads((resumed_out / "metrics.json").read_text())["rounds"] == 30


def test_dangling_vertices_and_bad_input(tmp_path):
    graph = tmp_path / "g.txt"
    graph.write_text("a b\nb c\nc a\nc d\ne a\n")  # d dangles, e has no in-edges
    out = tmp_path / "out"
    run_job("pagerank", {"input": str(graph), "output": str(out), "block_size": 2},
            tmp_path, workers=2)
    ranks = {v: float(r) for v, r in tab_rows((out / "pagerank").read_text())}
    expected = networkx_pagerank(str(graph))
    assert sum(abs(ranks[v] - expected[v]) for v in expected) < 1e-8
    bad = tmp_path / "bad.txt"
    bad.write_text("a b\nonlyone\n")
    status, err = run_failing_job("pagerank", {"input": str(bad), "output": str(out)},
                                  tmp_path)
    assert status != 0 and "bad.txt:2" in err
    status, err = run_failing_job("pagerank", {"input": str(graph), "output": str(out),
                                               "damping": 1.5}, tmp_path)
    assert status != 0 and "damping must be in (0, 1)" in err
