"""Loads test/support/skip_policy.py (skips only in real-data CTest entries) and starts one
Slurm cluster (cluster.py) for the whole suite; every process the suite starts sees its
SLURM_CONF."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "support"), os.path.join(HERE, "..", "prun"),
                os.path.join(HERE, "..", "alg"), HERE]
pytest_plugins = ["skip_policy"]

from cluster import SlurmCluster  # noqa: E402


@pytest.fixture(scope="session")
def slurm():
    cluster = SlurmCluster().start()
    saved = {k: os.environ.get(k) for k in ("SLURM_CONF", "SLURM_JOB_ID")}
    os.environ["SLURM_CONF"] = cluster.env["SLURM_CONF"]
    os.environ.pop("SLURM_JOB_ID", None)
    try:
        yield cluster
    finally:
        cluster.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
