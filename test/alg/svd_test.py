"""Truncated SVD through prun.py (2 servers, 3 workers) against LAPACK (numpy), or ARPACK
(scipy's svds, tol=0) where the dense matrix is too big: singular values to 1e-10 relative,
residuals |A v - sigma u| and |A'u - sigma v| <= 1e-8 sigma_1, orthonormal factors, the same
subspaces (principal angles, never signs), on generated sparse and dense matrices, MovieLens'
rating matrix and fashion-MNIST."""

import json
import os

import pytest

from alg_support import read_named_vectors, real_data, run_failing_job, run_job


def write_triples(path, a, transpose=False):
    import numpy as np
    rows, cols = np.nonzero(a)
    with open(path, "w") as out:
        for r, c in zip(rows, cols):
            row, col = ("r%d" % r, "c%d" % c)
            out.write("%s %s %r\n" % ((col, row, a[r, c]) if transpose else (row, col, a[r, c])))


def write_dense(path, a):
    with open(path, "w") as out:
        for r, row in enumerate(a):
            out.write("r%d %s\n" % (r, " ".join(repr(v) for v in row)))


def generated(seed, m=400, n=150, density=0.2):
    """A sparse matrix with decaying singular values."""
    import numpy as np
    rng = np.random.default_rng(seed)
    low = rng.normal(size=(m, 12)) @ np.diag(0.8 ** np.arange(12) * 10) @ rng.normal(size=(12, n))
    return np.where(rng.random((m, n)) < density, low + rng.normal(size=(m, n)), 0.0)


def run(tmp_path, name, config, workers=3):
    out = tmp_path / name
    run_job("svd", dict(config, output=str(out)), tmp_path, workers=workers)
    sigma = [float(line.split()[0]) for line in (out / "singular_values").read_text().split("\n")
             if line]
    return (sigma, read_named_vectors(out / "u"), read_named_vectors(out / "v"),
            json.loads((out / "metrics.json").read_text()), out)


def check(a, row_names, col_names, result, k, value_tolerance=1e-10, residual=1e-8):
    """Against numpy's SVD of the dense A (rows/columns named as in the files)."""
    import numpy as np
    sigma, u_rows, v_rows, metrics, _ = result
    want = np.linalg.svd(a, compute_uv=True, full_matrices=False)
    assert len(sigma) == k
    np.testing.assert_allclose(sigma, want[1][:k], rtol=value_tolerance)
    u = np.array([u_rows[n] for n in row_names])
    v = np.array([v_rows[n] for n in col_names])
    s1 = sigma[0]
    assert np.abs(a @ v - u * sigma).max() <= residual * s1
    assert np.linalg.norm(a.T @ u - v * sigma, axis=0).max() <= residual * s1
    assert np.abs(v.T @ v - np.eye(k)).max() <= 1e-10
    assert np.abs(u.T @ u - np.eye(k)).max() <= 1e-8
    # The same subspace as LAPACK's: every principal angle's cosine is 1.
    cosines = np.linalg.svd(v.T @ want[2][:k].T, compute_uv=False)
    assert cosines.min() >= 1 - 1e-8, cosines
    assert metrics["rows"] == a.shape[0] and metrics["columns"] == a.shape[1]


@pytest.mark.parametrize("method", ["krylov", "randomized"])
def test_sparse_triples(tmp_path, method):
    a = generated(1)
    write_triples(tmp_path / "a.txt", a)
    config = {"input": str(tmp_path / "a.txt"), "rank": 6, "method": method,
              "power_iterations": 30}
    result = run(tmp_path, method, config)
    check(a, ["r%d" % r for r in range(a.shape[0])], ["c%d" % c for c in range(a.shape[1])],
          result, 6, value_tolerance=1e-10 if method == "krylov" else 1e-8,
          residual=1e-8 if method == "krylov" else 1e-5)
    metrics = result[3]
    assert metrics["converged"] and metrics["relative_residual"] <= (
        1e-10 if method == "krylov" else 1e-5)


def test_transpose_dense_and_one_worker(tmp_path):
    import numpy as np
    a = generated(2, m=120, n=90, density=0.5)
    write_triples(tmp_path / "at.txt", a, transpose=True)
    rows, cols = ["r%d" % r for r in range(120)], ["c%d" % c for c in range(90)]
    check(a, rows, cols, run(tmp_path, "t", {"input": str(tmp_path / "at.txt"), "rank": 5,
                                             "transpose": True}), 5)
    write_dense(tmp_path / "dense.txt", a)
    dense = run(tmp_path, "dense", {"input": str(tmp_path / "dense.txt"), "format": "dense",
                                    "rank": 5})
    check(a, rows, [str(c) for c in range(90)], dense, 5)
    one = run(tmp_path, "one", {"input": str(tmp_path / "dense.txt"), "format": "dense",
                                "rank": 5}, workers=1)
    np.testing.assert_allclose(one[0], dense[0], rtol=1e-12)


def test_pca_centres_the_columns(tmp_path):
    import numpy as np
    a = generated(3, m=200, n=60, density=0.4) + 3.0 * (np.arange(60) % 4)
    write_dense(tmp_path / "a.txt", a)
    sigma, u, v, metrics, out = run(tmp_path, "pca", {"input": str(tmp_path / "a.txt"),
                                                      "format": "dense", "rank": 4,
                                                      "center": True})
    centred = a - a.mean(axis=0)
    check(centred, ["r%d" % r for r in range(200)], [str(c) for c in range(60)],
          (sigma, u, v, metrics, out), 4)
    variance = [float(line.split()[1]) for line in (out / "singular_values").read_text().split("\n")
                if line]
    np.testing.assert_allclose(variance, np.array(sigma) ** 2 / 199, rtol=1e-12)


@pytest.mark.real_data
def test_movielens_rating_matrix(tmp_path):
    import numpy as np
    path = os.path.join(real_data("movielens"), "ratings", "movielens_dslabs.txt")
    triples = [line.split() for line in open(path) if line.strip()]
    users = sorted({t[0] for t in triples})
    items = sorted({t[1] for t in triples})
    ui, ii = {u: j for j, u in enumerate(users)}, {i: j for j, i in enumerate(items)}
    a = np.zeros((len(users), len(items)))
    for u, i, r in triples:
        a[ui[u], ii[i]] = float(r)
    result = run(tmp_path, "krylov", {"input": path, "rank": 10})
    check(a, users, items, result, 10)
    # Randomized with 7 power iterations: within 1e-5 (the original's 10 plain subspace
    # iterations left 7.5e-3).
    sigma = run(tmp_path, "randomized", {"input": path, "rank": 10, "method": "randomized",
                                         "power_iterations": 7})[0]
    exact = np.linalg.svd(a, compute_uv=False)[:10]
    assert np.abs(np.array(sigma) - exact).max() <= 1e-5 * exact[0]


@pytest.mark.real_data
def test_fashion_mnist(tmp_path):
    import numpy as np
    from scipy.sparse.linalg import svds
    from sklearn.datasets import load_svmlight_file
    folder = os.path.join(real_data("fashion_mnist"), "classification")
    # The 10,000 test images as LIBSVM (the benchmark runs the 60,000 training images).
    path = os.path.join(folder, "fashion_mnist_tops.test.libsvm")
    sigma, u, _, metrics, _ = run(tmp_path, "fashion", {"input": path, "format": "libsvm",
                                                        "rank": 10})
    a = load_svmlight_file(path, n_features=784)[0].tocsr()
    exact = sorted(svds(a, k=10, tol=0, return_singular_vectors=False), reverse=True)
    assert a.shape == (10000, 784) and metrics["rows"] == 10000 and len(u) == 10000
    np.testing.assert_allclose(sigma, exact, rtol=1e-10)
    # Rows are named by their position in the input.
    named = read_named_vectors(tmp_path / "fashion" / "v")  # LIBSVM columns, from 1
    v = np.array([named[str(j + 1)] for j in range(784)])
    for row in (0, 4321, 9999):
        np.testing.assert_allclose(np.array(u[str(row)]) * np.array(sigma),
                                   a[row].toarray()[0] @ v, atol=1e-8 * sigma[0])


def test_libsvm_rows(tmp_path):
    a = generated(4, m=150, n=70, density=0.3)
    with open(tmp_path / "a.libsvm", "w") as out:
        for row in a:
            out.write("1 " + " ".join("%d:%r" % (j + 1, v) for j, v in enumerate(row) if v)
                      + "\n")
    result = run(tmp_path, "libsvm", {"input": str(tmp_path / "a.libsvm"), "format": "libsvm",
                                      "rank": 5})
    check(a, [str(r) for r in range(150)], [str(c + 1) for c in range(70)], result, 5)


def test_bad_input_is_named(tmp_path):
    small = tmp_path / "small.txt"
    small.write_text("r1 c1 1\nr2 c2 2\nr3 c1 1\n")
    status, err = run_failing_job("svd", {"input": str(small), "rank": 3,
                                          "output": str(tmp_path / "o")}, tmp_path)
    assert status != 0 and "rank 3 exceeds the matrix's smaller side (3 rows x 2 columns" in err
    bad = tmp_path / "bad.txt"
    bad.write_text("r1 c1 1\nr2 c2 x\n")
    status, err = run_failing_job("svd", {"input": str(bad), "output": str(tmp_path / "o")},
                                  tmp_path)
    assert status != 0 and "bad.txt:2" in err
    status, err = run_failing_job("svd", {"input": str(small), "method": "lanczos",
                                          "output": str(tmp_path / "o")}, tmp_path)
    assert status != 0 and "method must be" in err
