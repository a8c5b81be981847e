"""prun.py -m slurm on a real Slurm (slurmctld + slurmd of Debian's packages, started by
conftest.py on this host): real algorithms inside an allocation and from outside one, and
every way a job ends. After each job no process carrying its tag and no Slurm job or step of
its own may be left."""

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from alg_support import BIN, datagen, reference
from prun_test import LICENSES, PRUN, SERVER, WORKER, Job, wait_for, wait_until_gone


def assert_no_paracel_job_left(slurm, keep=()):
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        jobs = [j for j in slurm.jobs() if j[0] not in keep]
        if not jobs and not slurm.steps():
            return
        time.sleep(0.2)
    assert (jobs, slurm.steps()) == ([], [])


def finish(job, slurm, timeout=300):
    status, out, err = job.finish(timeout)
    assert wait_until_gone(job.tag) == []
    assert_no_paracel_job_left(slurm)
    return status, out, err


def word_count_config(tmp_path):
    out_dir = tmp_path / "wc"
    cfg = tmp_path / "wc.json"
    cfg.write_text(json.dumps({"input": LICENSES[0], "output": str(out_dir), "top_k": 5}))
    serial = subprocess.run([os.path.join(BIN, "word_count_serial"), "--top", "5", LICENSES[0]],
                            capture_output=True, text=True, check=True).stdout
    return str(cfg), out_dir, serial.split()


class InAllocation(Job):
    """prun.py run by salloc, as a user inside an allocation would run it."""

    def __init__(self, tasks, *args):
        self.tag = uuid.uuid4().hex
        env = dict(os.environ, PARACEL_TEST_TAG=self.tag)
        self.proc = subprocess.Popen(
            ["salloc", "-n", str(tasks), "-J", "caller", sys.executable, PRUN,
             "--server_bin", SERVER, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_word_count_in_the_callers_allocation(slurm, tmp_path):
    """Inside salloc (SLURM_JOB_ID set) prun runs its two steps in that allocation and
    makes none of its own."""
    cfg, out_dir, serial = word_count_config(tmp_path)
    with InAllocation(5, "-m", "slurm", "-p", "2", "-w", "3", "-c", cfg,
                      os.path.join(BIN, "word_count")) as job:
        status, out, err = finish(job, slurm)
    assert status == 0, err
    assert "Slurm job" not in err  # no allocation of its own
    assert (out_dir / "top_words").read_text().split() == serial


def test_logistic_regression_from_outside_an_allocation(slurm, tmp_path):
    """prun asks for its own allocation (salloc --no-shell) and gives it back; the model is
    the serial reference's step for step (BSP dgd, 3 workers on 2 servers)."""
    data = datagen(tmp_path, "libsvm", rows=2000, seed=3, features=40, nnz=8)
    out_dir = tmp_path / "lr"
    cfg = tmp_path / "lr.json"
    cfg.write_text(json.dumps({"input": data, "output": str(out_dir), "l2": 1e-3,
                               "method": "dgd", "rounds": 40}))
    with Job("-m", "slurm", "-p", "2", "-w", "3", "--time_limit", "10", "--ppn", "3",
             "--ppn_server", "2", "--mem_limit", "400", "--mem_limit_server", "300",
             "-c", str(cfg), os.path.join(BIN, "logistic_regression")) as job:
        status, out, err = finish(job, slurm)
    assert status == 0, err
    assert "Slurm job" in err and "allocated" in err
    metrics = json.loads((out_dir / "metrics.json").read_text())
    weights = [float(v) for v in (out_dir / "model").read_text().split()]
    serial = [float(v) for v in reference("lr_serial", data, 40, repr(metrics["learning_rate"]),
                                          1e-3).split()]
    assert metrics["train_objective"] == pytest.approx(serial[0], rel=1e-9)
    assert weights == pytest.approx(serial[1:], rel=1e-6, abs=1e-9)


def test_a_failing_worker_ends_the_job_with_its_status(slurm):
    with Job("-m", "slurm", "-p", "2", "-w", "3", WORKER, "--mode=fail",
             "--fail_rank=1") as job:
        status, _, err = finish(job, slurm)
    # srun itself exits with the others' SIGTERM (143); prun reports the failed task's 3.
    assert status == 3, err
    assert "workers failed with exit status 3" in err


def test_a_server_that_dies_ends_the_job_and_is_named(slurm):
    with Job("-m", "slurm", "-p", "2", "-w", "2", WORKER, "--mode=sleep") as job:
        servers = wait_for(job.tag, SERVER, 2)
        wait_for(job.tag, WORKER, 2)
        os.kill(servers[1], signal.SIGKILL)
        status, _, err = finish(job, slurm)
    assert status != 0
    assert "servers (srun)" in err and "died during the job" in err, err


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_prun_stops_the_steps_and_the_allocation(slurm, signum):
    with Job("-m", "slurm", "-p", "2", "-w", "2", WORKER, "--mode=sleep") as job:
        wait_for(job.tag, WORKER, 2)
        job.proc.send_signal(signum)
        status, _, err = finish(job, slurm)
    assert status == 128 + signum
    assert "stopping servers and workers" in err


def test_interrupted_while_waiting_for_the_allocation_leaves_no_request(slurm):
    """With the node full, prun's request pends; SIGTERM then must withdraw it."""
    blocker = subprocess.run(["salloc", "--no-shell", "-n", "16", "-J", "blocker"],
                             capture_output=True, text=True, check=True)
    blocker_id = blocker.stderr.split("Granted job allocation")[1].split()[0]
    try:
        with Job("-m", "slurm", "-p", "1", "-w", "1", WORKER) as job:
            deadline = time.monotonic() + 30
            while not any(j[1].startswith("paracel-") for j in slurm.jobs()):
                assert time.monotonic() < deadline, slurm.jobs()
                time.sleep(0.2)
            assert [j[2] for j in slurm.jobs() if j[1].startswith("paracel-")] == ["PENDING"]
            time.sleep(3)  # prun looks every 2 s
            job.proc.send_signal(signal.SIGTERM)
            status, _, err = job.finish(60)
            assert status == 128 + signal.SIGTERM, err
            assert "is pending (reason: Resources)" in err, err
            assert_no_paracel_job_left(slurm, keep=(blocker_id,))
    finally:
        subprocess.run(["scancel", blocker_id], check=True)
    assert_no_paracel_job_left(slurm)


def test_an_allocation_slurm_cannot_grant_is_a_named_error(slurm):
    with Job("-m", "slurm", "-p", "10", "-w", "10", WORKER) as job:
        status, _, err = finish(job, slurm, timeout=60)
    assert status == 1
    assert "salloc could not allocate 20 tasks" in err, err
