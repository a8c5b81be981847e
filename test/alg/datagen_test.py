"""tool/datagen: fixed seeds give the same bytes, the formats hold, and the planted
logistic model is learnable (the quick start relies on it)."""

import json
import os
import subprocess

import pytest

from alg_support import BIN, run_job

KINDS = {
    "libsvm": ["--features=50", "--nnz=5"],
    "regression": ["--features=50", "--nnz=5", "--support=4"],
    "ratings": ["--users=30", "--items=40"],
    "edges": ["--nodes=1000"],
    "text": ["--vocabulary=500"],
    "bars": ["--words_per_line=100"],
    "points": ["--dim=3", "--clusters=4"],
}


def generate(tmp_path, kind, seed, rows=2000, name=None):
    out = tmp_path / (name or "%s_%d" % (kind, seed))
    subprocess.run([os.path.join(BIN, "datagen"), "--kind=" + kind, "--rows=%d" % rows,
                    "--seed=%d" % seed, "--out=%s" % out, *KINDS.get(kind, [])], check=True)
    return out.read_text()


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, kind):
    first = generate(tmp_path, kind, 5)
    assert first == generate(tmp_path, kind, 5, name="again")
    assert first != generate(tmp_path, kind, 6)


def test_formats(tmp_path):
    for line in generate(tmp_path, "libsvm", 1).splitlines():
        label, *items = line.split()
        assert label in ("+1", "-1")
        idx = [int(i.split(":")[0]) for i in items]
        assert len(idx) == 5 and idx == sorted(set(idx)) and 1 <= idx[0] and idx[-1] <= 50
    for line in generate(tmp_path, "regression", 1).splitlines():
        label, *items = line.split()
        idx = [int(i.split(":")[0]) for i in items]
        assert float(label) == float(label) and len(idx) <= 5 and idx == sorted(set(idx))
        assert all(1 <= i <= 50 for i in idx)
    for line in generate(tmp_path, "ratings", 1).splitlines():
        user, item, rating = line.split()
        assert user.startswith("u") and item.startswith("i") and 0.5 <= float(rating) <= 5
    edges = [tuple(map(int, l.split())) for l in generate(tmp_path, "edges", 1).splitlines()]
    assert edges and all(a != b and 0 <= a < 1000 and 0 <= b < 1000 for a, b in edges)
    assert all(len(l.split()) == 12 for l in generate(tmp_path, "text", 1).splitlines())
    for line in generate(tmp_path, "bars", 1).splitlines():
        words = line.split()
        assert len(words) == 100 and all(w[0] == "w" and 0 <= int(w[1:]) < 25 for w in words)
    points = generate(tmp_path, "points", 1).splitlines()
    assert len(points) == 2000 and all(len(p.split()) == 3 for p in points)


def test_the_planted_model_is_learnable(tmp_path):
    text = generate(tmp_path, "libsvm", 3, rows=12000).splitlines(keepends=True)
    (tmp_path / "train").write_text("".join(text[:10000]))
    (tmp_path / "test").write_text("".join(text[10000:]))
    out = tmp_path / "out"
    run_job("logistic_regression", {"input": str(tmp_path / "train"),
                                    "test_input": str(tmp_path / "test"), "output": str(out),
                                    "rounds": 100}, tmp_path, workers=2)
    metrics = json.loads((out / "metrics.json").read_text())
    positives = sum(l.startswith("+1") for l in text[10000:]) / 2000
    assert metrics["test_accuracy"] > max(positives, 1 - positives) + 0.1
