"""The Pregel-style vertex programs through prun.py (2 servers, 3 workers): weakly connected
components against scipy's partition and a synchronous reference's superstep count,
max-vertex-value against SCC condensation + dynamic programming (networkx), shortest paths
against scipy's Dijkstra; on a generated R-MAT graph and WordNet's pointers."""

import json
import os

import pytest

from alg_support import (datagen, real_data, run_failing_job, run_job, run_killed_and_resumed,
                         tab_rows)


def edges_of(path):
    out = []
    for line in open(path):
        f = line.split()
        if f:
            out.append((f[0], f[1], float(f[2]) if len(f) > 2 else 1.0))
    return out


def run(tmp_path, name, config, workers=3):
    out = tmp_path / name
    run_job("vertex_programs", dict(config, output=str(out)), tmp_path, workers=workers)
    values = dict(tab_rows((out / "values").read_text()))
    return values, json.loads((out / "metrics.json").read_text())


@pytest.fixture(scope="module")
def rmat(tmp_path_factory):
    """A sparse R-MAT graph: many small weak components, sinks, cycles."""
    folder = tmp_path_factory.mktemp("rmat")
    return datagen(folder, "edges", rows=2500, seed=7, nodes=4096)


def synchronous_supersteps(edges):
    """Supersteps of min-label propagation (edges both ways), superstep 0 included."""
    neighbours = {}
    for a, b, _ in edges:
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    label = {v: int(v) for v in neighbours}
    inbox = {}
    for v in neighbours:  # superstep 0: everyone sends its label
        for w in neighbours[v]:
            inbox[w] = min(inbox.get(w, label[v]), label[v])
    steps = 1
    while inbox:
        steps += 1
        outbox = {}
        for v, m in inbox.items():
            if m < label[v]:
                label[v] = m
                for w in neighbours[v]:
                    outbox[w] = min(outbox.get(w, m), m)
        inbox = outbox
    return steps, label


def check_components(path, values, metrics):
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components
    edges = edges_of(path)
    names = sorted({v for a, b, _ in edges for v in (a, b)}, key=int)
    index = {n: i for i, n in enumerate(names)}
    m = sp.coo_matrix((np.ones(len(edges)), ([index[a] for a, _, _ in edges],
                                             [index[b] for _, b, _ in edges])),
                      shape=(len(names), len(names)))
    count, labels = connected_components(m, directed=True, connection="weak")
    assert metrics["components"] == count and metrics["vertices"] == len(names) == len(values)
    # The same partition, each labelled by its smallest member.
    smallest = {}
    for n in names:
        smallest[labels[index[n]]] = min(smallest.get(labels[index[n]], int(n)), int(n))
    assert all(int(values[n]) == smallest[labels[index[n]]] for n in names)
    steps, _ = synchronous_supersteps(edges)
    assert metrics["supersteps"] == steps
    return count, steps


def test_components_equal_scipy(tmp_path, rmat):
    values, metrics = run(tmp_path, "cc", {"program": "components", "input": rmat})
    check_components(rmat, values, metrics)
    one, _ = run(tmp_path, "cc_one", {"program": "components", "input": rmat}, workers=1)
    assert one == values


def test_max_value_is_the_largest_ancestor(tmp_path, rmat):
    import networkx as nx
    values, _ = run(tmp_path, "max", {"program": "max_value", "input": rmat})
    graph = nx.DiGraph((a, b) for a, b, _ in edges_of(rmat))
    condensed = nx.condensation(graph)  # a DAG of strongly connected components
    best = {}
    for c in nx.topological_sort(condensed):
        own = max(int(v) for v in condensed.nodes[c]["members"])
        best[c] = max([own] + [best[p] for p in condensed.predecessors(c)])
    mapping = condensed.graph["mapping"]
    assert len(values) == graph.number_of_nodes()
    assert all(int(values[v]) == best[mapping[v]] for v in graph.nodes)
    # Vertices that only receive edges are there too, with their ancestors' maximum.
    sinks = [v for v in graph.nodes if graph.out_degree(v) == 0]
    assert sinks and all(v in values for v in sinks)


@pytest.mark.parametrize("undirected", [False, True])
def test_shortest_paths_equal_dijkstra(tmp_path, rmat, undirected):
    import numpy as np
    import scipy.sparse as sp
    from scipy.sparse.csgraph import dijkstra
    rng = np.random.default_rng(3)
    pairs = sorted({(a, b) for a, b, _ in edges_of(rmat) if a != b})
    weighted = tmp_path / "weighted.txt"
    weights = rng.uniform(0.1, 5.0, len(pairs))
    weighted.write_text("".join("%s %s %r\n" % (a, b, w) for (a, b), w in zip(pairs, weights)))
    source = pairs[0][0]
    values, metrics = run(tmp_path, "sssp", {"program": "sssp", "input": str(weighted),
                                             "source": source, "undirected": undirected})
    names = sorted({v for p in pairs for v in p}, key=int)
    index = {n: i for i, n in enumerate(names)}
    m = sp.csr_matrix((weights, ([index[a] for a, _ in pairs], [index[b] for _, b in pairs])),
                      shape=(len(names), len(names)))
    want = dijkstra(m, directed=not undirected, indices=index[source])
    for n in names:
        got = float(values[n])
        expected = want[index[n]]
        assert (got == expected == np.inf) or abs(got - expected) <= 1e-12 * max(1, expected)
    assert metrics["reached"] == int(np.isfinite(want).sum())


@pytest.mark.real_data
def test_wordnet_components(tmp_path):
    folder = os.path.join(real_data("wordnet"), "graph")
    path = os.path.join(folder, "wordnet_pointers.txt")
    values, metrics = run(tmp_path, "wordnet", {"program": "components", "input": path})
    count, steps = check_components(path, values, metrics)
    # 368 components among the synsets with a pointer; 14 supersteps counting superstep 0
    # and the last, in which no label changes.
    assert (count, steps) == (368, 14)
    # With the synset list, the 1,009 synsets without any pointer are components too.
    synsets = os.path.join(folder, "wordnet_pointers.nodes.tsv")
    values, metrics = run(tmp_path, "wordnet_all", {"program": "components", "input": path,
                                                    "vertices": synsets})
    assert metrics["vertices"] == len(values) == 117659
    assert (metrics["components"], metrics["supersteps"]) == (1377, 14)


def test_bad_input_is_named(tmp_path):
    named = tmp_path / "named.txt"
    named.write_text("a b 1\nb c 2\n")
    status, err = run_failing_job("vertex_programs", {"program": "max_value",
                                                      "input": str(named),
                                                      "output": str(tmp_path / "o")}, tmp_path)
    assert status != 0 and "must be an integer" in err
    status, err = run_failing_job("vertex_programs", {"program": "sssp", "input": str(named),
                                                      "source": "z",
                                                      "output": str(tmp_path / "o")}, tmp_path)
    assert status != 0 and "source vertex 'z' is not in" in err
    negative = tmp_path / "negative.txt"
    negative.write_text("a b 1\nb c -2\n")
    status, err = run_failing_job("vertex_programs", {"program": "sssp", "input": str(negative),
                                                      "source": "a",
                                                      "output": str(tmp_path / "o")}, tmp_path)
    assert status != 0 and "weights >= 0" in err
    status, err = run_failing_job("vertex_programs", {"program": "pagerank",
                                                      "input": str(named),
                                                      "output": str(tmp_path / "o")}, tmp_path)
    assert status != 0 and "program must be" in err


def test_a_run_killed_and_resumed_from_its_checkpoint_ends_where_an_uninterrupted_one_does(
        tmp_path):
    """Labels crawl along a path one superstep per edge: 300 supersteps, a checkpoint every 20
    (values, halted flags, inboxes and aggregators in the workers' states, the messages in
    flight on the servers)."""
    path = tmp_path / "path.txt"
    path.write_text("".join("%d %d\n" % (i + 1, i) for i in range(299)))
    config = {"program": "components", "input": str(path)}
    values, metrics = run(tmp_path, "whole", config)
    out = tmp_path / "resumed"
    run_killed_and_resumed("vertex_programs", dict(config, output=str(out)), tmp_path, every=20)
    resumed = json.loads((out / "metrics.json").read_text())
    assert dict(tab_rows((out / "values").read_text())) == values
    assert set(values.values()) == {"0"}
    for key in ("supersteps", "messages", "components"):
        assert resumed[key] == metrics[key], key
