"""k-means through prun.py on real points (200,000 flights: delay, distance, time; 171,075
city coordinates), against the serial reference from the same initial centres."""

import json
import os

import pytest

from alg_support import (datagen, real_data, reference, run_failing_job, run_job,
                         run_killed_and_resumed)


def rows(text):
    return [[float(v) for v in line.split()] for line in text.splitlines() if line.strip()]


def run_kmeans(tmp_path, points, **config):
    out = tmp_path / "out"
    run_job("kmeans", dict({"input": points, "output": str(out), "max_rounds": 100,
                            "tolerance": 1e-6}, **config), tmp_path)
    return json.loads((out / "metrics.json").read_text()), out


REAL = pytest.mark.real_data


def point_file(name, tmp_path):
    if name.startswith("generated"):  # "generated_d3": a Gaussian mixture of dimension 3
        dim = int(name.split("_d")[1])
        return datagen(tmp_path, "points", rows=30000, seed=6, dim=dim, clusters=8)
    return os.path.join(real_data("points"), "points", name + ".txt")


@pytest.mark.parametrize("name,k,init", [("generated_d3", 8, "kmeans++"),
                                         ("generated_d20", 12, "random"),  # d >= 16: products
                                         pytest.param("flights200k", 10, "kmeans++", marks=REAL),
                                         pytest.param("geonames_cities_latlon", 20, "random",
                                                      marks=REAL),
                                         pytest.param("digits8x8", 10, "kmeans++",
                                                      marks=REAL)])  # d = 64: products
def test_inertia_equals_the_serial_reference(tmp_path, name, k, init):
    points = point_file(name, tmp_path)
    metrics, out = run_kmeans(tmp_path, points, k=k, init=init, seed=3)
    initial = rows((out / "initial_centres").read_text())
    all_points = rows(open(points).read())
    point_set = {tuple(p) for p in all_points}
    assert len(initial) == k and all(tuple(c) in point_set for c in initial)
    assert len({tuple(c) for c in initial}) == k
    serial = reference("kmeans_serial", points, out / "initial_centres", 100, 1e-6).split("\n")
    assert metrics["inertia"] == pytest.approx(float(serial[0]), rel=1e-9)
    assert metrics["rounds"] == int(serial[1])
    centres = rows((out / "centres").read_text())
    for got, want in zip(centres, rows("\n".join(serial[2:]))):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)
    assert metrics["points"] == len(all_points)


def test_a_run_killed_and_resumed_from_its_checkpoint_ends_where_an_uninterrupted_one_does(
        tmp_path):
    points = datagen(tmp_path, "points", rows=200000, seed=6, dim=20, clusters=30)
    config = {"input": points, "max_rounds": 60, "tolerance": 0, "k": 30, "init": "random",
              "seed": 3}
    metrics, out = run_kmeans(tmp_path, points, **config)
    resumed_out = tmp_path / "resumed"
    run_killed_and_resumed("kmeans", dict(config, output=str(resumed_out)), tmp_path, every=5)
    resumed = json.loads((resumed_out / "metrics.json").read_text())
    assert resumed["rounds"] == metrics["rounds"]
    assert resumed["inertia"] == pytest.approx(metrics["inertia"], rel=1e-12)
    flat = lambda path: [v for row in rows(path.read_text()) for v in row]  # noqa: E731
    assert flat(resumed_out / "centres") == pytest.approx(flat(out / "centres"), rel=1e-12)
    assert (resumed_out / "initial_centres").read_text() == (out / "initial_centres").read_text()


def test_checkpoint_keys_of_the_config(tmp_path):
    """checkpoint_dir / checkpoint_every / checkpoint_keep in the config act as prun's flags
    (which win); a value of the wrong type is refused before anything starts."""
    points = datagen(tmp_path, "points", rows=30000, seed=6, dim=3, clusters=8)
    folder = tmp_path / "checkpoints"
    config = {"input": points, "output": str(tmp_path / "out"), "k": 8, "max_rounds": 12,
              "tolerance": 0, "checkpoint_dir": str(folder), "checkpoint_every": 3,
              "checkpoint_keep": 3}
    run_job("kmeans", config, tmp_path)
    rounds = json.loads((tmp_path / "out" / "metrics.json").read_text())["rounds"]
    clocks = list(range(3, rounds + 1, 3))
    assert len(clocks) >= 2, rounds
    assert sorted(p.parent.name for p in folder.glob("ckpt-*/MANIFEST.json")) == \
        ["ckpt-%010d" % c for c in clocks[-3:]]
    run_job("kmeans", config, tmp_path, extra=("--checkpoint_keep", "1"))
    assert [p.parent.name for p in folder.glob("ckpt-*/MANIFEST.json")] == \
        ["ckpt-%010d" % clocks[-1]]
    status, err = run_failing_job("kmeans", dict(config, checkpoint_every="3"), tmp_path)
    assert status == 2 and "checkpoint_every must be an integer" in err, err


def test_empty_cluster_keeps_its_centre_and_assignments(tmp_path):
    points = tmp_path / "p.txt"
    points.write_text("0 0\n0 1\n1 0\n10 10\n10 11\n11 10\n")
    centres = tmp_path / "c.txt"
    centres.write_text("0 0\n10 10\n500 500\n")  # nothing is near the third
    metrics, out = run_kmeans(tmp_path, str(points), k=3, init="file",
                              init_centres=str(centres), dump_assignments=True)
    got = rows((out / "centres").read_text())
    assert got[2] == [500, 500]
    assert got[0] == pytest.approx([1 / 3, 1 / 3]) and got[1] == pytest.approx([31 / 3, 31 / 3])
    assert (out / "assignments").read_text().split() == ["0", "0", "0", "1", "1", "1"]
    serial = reference("kmeans_serial", points, centres, 100, 1e-6).split("\n")
    assert metrics["inertia"] == pytest.approx(float(serial[0]), rel=1e-12)


def test_bad_input_is_named(tmp_path):
    points = tmp_path / "p.txt"
    points.write_text("1 2\n3 4 5\n")
    status, err = run_failing_job("kmeans", {"input": str(points), "output": str(tmp_path),
                                             "k": 1}, tmp_path)
    assert status != 0 and "p.txt:2" in err and "expected 2 coordinates" in err
    status, err = run_failing_job("kmeans", {"input": str(points), "output": str(tmp_path),
                                             "init": "best"}, tmp_path)
    assert status != 0 and "init must be" in err
