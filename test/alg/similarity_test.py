"""Similarity search through prun.py (2 servers, 3 workers) against numpy brute force: per
row the sorted top-k scores equal numpy's to 1e-12 (values, not neighbour lists: ties occur),
on generated ratings (items compared by their users, cosine and Jaccard), generated dense rows,
MovieLens items with at least 20 ratings and fashion-MNIST images (LIBSVM)."""

import json
import os

import pytest

from alg_support import datagen, real_data, run_failing_job, run_job


def read_triples(path, transpose):
    rows = {}
    for line in open(path):
        fields = line.split()
        if not fields:
            continue
        row, col = (fields[1], fields[0]) if transpose else (fields[0], fields[1])
        value = float(fields[2]) if len(fields) > 2 else 1.0
        rows.setdefault(row, {})
        rows[row][col] = rows[row].get(col, 0.0) + value
    return rows


def read_dense(path):
    return {f[0]: {j: float(v) for j, v in enumerate(f[1:])}
            for f in (line.split() for line in open(path)) if f}


def brute_force(a, b, measure, k, threshold, same, sparse, min_count=1):
    """name -> best k scores, descending (numpy, every pair)."""
    import numpy as np
    def keep(rows):
        return {n: r for n, r in rows.items()
                if sum(v != 0 for v in r.values()) >= min_count and any(r.values())}
    a, b = keep(a), keep(b)
    cols = sorted({c for r in list(a.values()) + list(b.values()) for c in r}, key=str)
    index = {c: j for j, c in enumerate(cols)}

    def matrix(rows):
        m = np.zeros((len(rows), len(cols)))
        for i, r in enumerate(rows.values()):
            for c, v in r.items():
                m[i, index[c]] = v
        return m
    ma, mb = matrix(a), matrix(b)
    if measure == "jaccard":
        ma, mb = (ma != 0).astype(float), (mb != 0).astype(float)
        inter = ma @ mb.T
        scores = inter / (ma.sum(1)[:, None] + mb.sum(1)[None, :] - inter)
        shares = inter > 0
    else:
        ma = ma / np.linalg.norm(ma, axis=1)[:, None]
        mb = mb / np.linalg.norm(mb, axis=1)[:, None]
        scores = ma @ mb.T
        shares = (ma != 0).astype(float) @ (mb != 0).astype(float).T > 0
    names_b = list(b)
    out = {}
    for i, name in enumerate(a):
        ok = scores[i] >= threshold
        if sparse:
            ok &= shares[i]
        if same:
            ok &= np.array([n != name for n in names_b])
        out[name] = sorted(scores[i][ok], reverse=True)[:k]
    return out


def run(tmp_path, name, config, workers=3):
    out = tmp_path / name
    run_job("similarity", dict(config, output=str(out)), tmp_path, workers=workers)
    got = {}
    for line in (out / "neighbours").read_text().splitlines():
        row, listed = line.split("\t")
        pairs = [p.rsplit(":", 1) for p in listed.split(",")] if listed else []
        got[row] = pairs
    return got, json.loads((out / "metrics.json").read_text())


def assert_same_scores(got, want, tolerance=1e-12):
    assert set(got) == set(want)
    for row, pairs in got.items():
        scores = [float(s) for _, s in pairs]
        assert scores == sorted(scores, reverse=True)
        assert len(scores) == len(want[row]), (row, scores, want[row])
        for g, w in zip(scores, want[row]):
            assert abs(g - w) <= tolerance, (row, scores, want[row])


@pytest.fixture(scope="module")
def ratings(tmp_path_factory):
    return datagen(tmp_path_factory.mktemp("ratings"), "ratings", rows=8000, seed=4, users=400,
                   items=300, rank=4)


@pytest.mark.parametrize("measure,threshold", [("cosine", -1), ("cosine", 0.3),
                                               ("jaccard", -1), ("jaccard", 0.1)])
def test_items_against_items(tmp_path, ratings, measure, threshold):
    config = {"input": ratings, "transpose": True, "measure": measure, "top_k": 7,
              "block_rows": 40}
    if threshold >= 0:
        config["threshold"] = threshold
    got, metrics = run(tmp_path, measure, config)
    rows = read_triples(ratings, transpose=True)
    want = brute_force(rows, rows, measure, 7, threshold, True, sparse=True)
    assert_same_scores(got, want)
    assert metrics["rows"] == len(rows)
    if threshold >= 0:
        assert all(float(s) >= threshold for pairs in got.values() for _, s in pairs)
    for row, pairs in got.items():
        assert row not in [n for n, _ in pairs]  # never its own neighbour


def test_dense_rows_and_one_set_against_another(tmp_path):
    import numpy as np
    rng = np.random.default_rng(9)
    a = rng.normal(size=(260, 12))
    a[5] = a[7]  # a tie
    b = rng.normal(size=(90, 12))
    for name, m, prefix in (("a.txt", a, "a"), ("b.txt", b, "b")):
        (tmp_path / name).write_text("".join(
            "%s%d %s\n" % (prefix, i, " ".join(repr(v) for v in row)) for i, row in enumerate(m)))
    config = {"input": str(tmp_path / "a.txt"), "format": "dense", "top_k": 5, "block_rows": 32}
    got, _ = run(tmp_path, "self", config)
    rows_a, rows_b = read_dense(tmp_path / "a.txt"), read_dense(tmp_path / "b.txt")
    assert_same_scores(got, brute_force(rows_a, rows_a, "cosine", 5, -2, True, sparse=False))
    assert got["a5"][0] == ["a7", got["a5"][0][1]] and float(got["a5"][0][1]) == pytest.approx(1)
    got, _ = run(tmp_path, "ab", dict(config, against=str(tmp_path / "b.txt")))
    assert_same_scores(got, brute_force(rows_a, rows_b, "cosine", 5, -2, False, sparse=False))
    assert all(n.startswith("b") for pairs in got.values() for n, _ in pairs)
    one, _ = run(tmp_path, "ab_one_worker", dict(config, against=str(tmp_path / "b.txt")),
                 workers=1)
    # The same lists whatever the split (ties broken by name; a product summed in another
    # order may differ in the last bits, so names are compared where scores are apart).
    assert set(one) == set(got)
    for row in got:
        scores = [float(s) for _, s in got[row]]
        assert [float(s) for _, s in one[row]] == pytest.approx(scores, abs=1e-12)
        for i, (name, score) in enumerate(got[row]):
            if all(abs(float(score) - x) > 1e-12 for j, x in enumerate(scores) if j != i):
                assert one[row][i][0] == name


@pytest.mark.real_data
def test_movielens_items(tmp_path):
    path = os.path.join(real_data("movielens"), "ratings", "movielens_dslabs.txt")
    config = {"input": path, "transpose": True, "top_k": 10, "min_count": 20}
    got, metrics = run(tmp_path, "movielens", config)
    rows = read_triples(path, transpose=True)
    want = brute_force(rows, rows, "cosine", 10, -1, True, sparse=True, min_count=20)
    assert metrics["rows"] == len(want) > 1000
    assert_same_scores(got, want)


@pytest.mark.real_data
def test_fashion_mnist_images_as_libsvm(tmp_path):
    folder = os.path.join(real_data("fashion_mnist"), "classification")
    subset = tmp_path / "images.libsvm"
    with open(os.path.join(folder, "fashion_mnist_tops.test.libsvm")) as f:
        lines = [next(f) for _ in range(3000)]
    subset.write_text("".join(lines))
    got, metrics = run(tmp_path, "fashion", {"input": str(subset), "format": "libsvm",
                                             "top_k": 10, "block_rows": 500})
    rows = {str(i): {int(p.split(":")[0]): float(p.split(":")[1]) for p in line.split()[1:]}
            for i, line in enumerate(lines)}
    assert metrics["rows"] == 3000
    assert_same_scores(got, brute_force(rows, rows, "cosine", 10, -1, True, sparse=True))


def test_bad_input_is_named(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("a x 1\nb y two\n")
    status, err = run_failing_job("similarity", {"input": str(bad), "output": str(tmp_path / "o")},
                                  tmp_path)
    assert status != 0 and "bad.txt:2" in err and "not a number" in err
    ragged = tmp_path / "ragged.txt"
    ragged.write_text("a 1 2 3\nb 1 2\n")
    status, err = run_failing_job("similarity", {"input": str(ragged), "format": "dense",
                                                 "output": str(tmp_path / "o")}, tmp_path,
                                  workers=1)
    assert status != 0 and "ragged.txt:2" in err
    status, err = run_failing_job("similarity", {"input": str(bad), "measure": "jaccard",
                                                 "format": "dense",
                                                 "output": str(tmp_path / "o")}, tmp_path)
    assert status != 0 and "jaccard compares sets" in err
