"""Watching a job (docs/observability.md): the per-iteration metrics files of real logistic
regression and matrix factorisation runs, the servers' statistics prun saves beside them,
prun's progress line (on a pseudo-terminal, in a pipe, and silenced by --quiet), and
tool/report.py's pictures of a real run."""

import json
import os
import pty
import select
import subprocess
import sys
import time

import pytest

from alg_support import BIN, JOB_ENV, SOURCE, datagen, run_job

FIELDS = ["worker", "clock", "total", "time", "elapsed", "seconds", "compute_seconds",
          "wait_seconds", "network_seconds", "waits", "reads", "cache_hits", "requests",
          "bytes_sent", "bytes_received", "keys_pulled", "keys_pushed", "report"]
WORKERS = 3
ROUNDS = 15


def metric_lines(output, worker):
    path = os.path.join(output, "metrics", "worker-%d.jsonl" % worker)
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def check_iteration_lines(lines, worker, clocks):
    """One line per clock 1..clocks, then the final line; the documented fields, sensible."""
    assert [l["clock"] for l in lines] == list(range(1, clocks + 1)) + [clocks], lines
    assert [bool(l.get("final")) for l in lines] == [False] * clocks + [True]
    previous = None
    for line in lines:
        assert all(field in line for field in FIELDS), line
        assert line["worker"] == worker
        assert line["bytes_sent"] > 0 and line["bytes_received"] > 0 and line["requests"] > 0
        assert line["seconds"] >= 0
        split = line["compute_seconds"] + line["wait_seconds"] + line["network_seconds"]
        assert split == pytest.approx(line["seconds"], rel=1e-6, abs=1e-6), line
        if previous is not None:
            assert line["time"] >= previous["time"] and line["elapsed"] >= previous["elapsed"]
        previous = line


@pytest.fixture(scope="module")
def lr_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lr")
    data = datagen(folder, "libsvm", rows=6000, features=50)
    out = folder / "out"
    job = run_job("logistic_regression",
                  {"input": data, "output": str(out), "format": "libsvm", "method": "dgd",
                   "rounds": ROUNDS, "l2": 0.001, "bias": True, "test_input": data},
                  folder, workers=WORKERS)
    return str(out), job


def test_lr_writes_one_line_per_worker_per_clock(lr_run):
    output, _ = lr_run
    metrics = json.load(open(os.path.join(output, "metrics.json")))
    for worker in range(WORKERS):
        lines = metric_lines(output, worker)
        check_iteration_lines(lines, worker, ROUNDS)
        for line in lines[:-1]:
            assert line["total"] == ROUNDS
            assert line["keys_pulled"] >= 1 and line["keys_pushed"] >= 1
            assert line["report"]["loss"] > 0
        # dgd descends: this worker's share of the objective falls.
        assert lines[-2]["report"]["loss"] < lines[0]["report"]["loss"]
        # The final line carries the job's result, as metrics.json has it.
        assert lines[-1]["report"]["loss"] == metrics["train_objective"]
        assert lines[-1]["report"]["test_logloss"] == metrics["test_logloss"]
        # ... and counts the whole run since the loop began: at least every iteration's.
        assert lines[-1]["requests"] >= sum(l["requests"] for l in lines[:-1])


def test_prun_saves_each_servers_statistics(lr_run):
    output, job = lr_run
    total_requests = 0
    for index in range(2):
        stats = json.load(open(os.path.join(output, "metrics", "server-%d.json" % index)))
        assert stats["errors"] == 0 and stats["zmq_errors"] == 0
        assert stats["requests"] == sum(op["requests"] for op in stats["ops"].values())
        for op in stats["ops"].values():
            assert op["p50_us"] <= op["p99_us"]
        total_requests += stats["requests"]
        assert "prun.py: server %d %s" % (index, stats["endpoint"]) in job.stderr
    # Every worker committed every clock on server 0 (the clock server).
    clock_server = json.load(open(os.path.join(output, "metrics", "server-0.json")))
    assert clock_server["ops"]["clock_commit"]["requests"] == WORKERS * ROUNDS
    assert total_requests > WORKERS * ROUNDS


def test_mf_reports_its_rmse_every_clock(tmp_path):
    ratings = datagen(tmp_path, "ratings", rows=8000, seed=2, users=200, items=100, rank=3)
    out = tmp_path / "mf"
    epochs = 3
    run_job("matrix_factorization",
            {"input": ratings, "output": str(out), "rank": 4, "epochs": epochs,
             "learning_rate": 0.01, "decay": 0.9, "l2": 0.05, "block_items": 10}, tmp_path,
            workers=2)  # 10 blocks: every stratum of every worker has ratings
    metrics = json.load(open(out / "metrics.json"))
    for worker in range(2):
        lines = metric_lines(str(out), worker)
        check_iteration_lines(lines, worker, epochs * 2)  # one clock per stratum
        assert all(l["report"]["rmse"] > 0 for l in lines)
        assert lines[-1]["report"]["rmse"] == metrics["train_rmse"]


def test_metrics_can_be_turned_off(tmp_path):
    data = datagen(tmp_path, "libsvm", rows=600, features=10)
    out = tmp_path / "out"
    cfg = tmp_path / "lr.json"
    cfg.write_text(json.dumps({"input": data, "output": str(out), "format": "libsvm",
                               "method": "dgd", "rounds": 3}))
    done = subprocess.run([os.path.join(SOURCE, "prun.py"), "-p", "1", "-w", "2", "--timeout",
                           "120", "-c", str(cfg), os.path.join(BIN, "logistic_regression")],
                          env=dict(JOB_ENV, PARACEL_METRICS="off"), capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    assert (out / "metrics.json").exists()
    assert not (out / "metrics").exists()
    assert "prun.py: clock" not in done.stderr


def slow_lr_config(tmp_path, output):
    """About 2 s of iterations: every worker sleeps 100 ms per clock."""
    data = datagen(tmp_path, "libsvm", rows=600, features=10)
    cfg = tmp_path / "slow.json"
    cfg.write_text(json.dumps({"input": data, "output": str(output), "format": "libsvm",
                               "method": "dgd", "rounds": 20, "slow_workers": "all",
                               "slow_ms": 100}))
    return str(cfg)


def prun_command(cfg, *flags):
    return [os.path.join(SOURCE, "prun.py"), "-p", "1", "-w", "2", "--timeout", "120", *flags,
            "-c", cfg, os.path.join(BIN, "logistic_regression")]


def run_on_a_terminal(cmd):
    """Runs cmd with stdout and stderr on a pseudo-terminal; returns (status, its output)."""
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal,
                            env=JOB_ENV)
    os.close(terminal)
    chunks = []
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: every writer is gone
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif proc.poll() is not None:
            break
    os.close(controller)
    status = proc.wait(timeout=30)
    return status, b"".join(chunks).decode(errors="replace")


def test_progress_line_is_redrawn_on_a_terminal_and_silenced_by_quiet(tmp_path):
    cfg = slow_lr_config(tmp_path, tmp_path / "tty")
    status, text = run_on_a_terminal(prun_command(cfg))
    assert status == 0, text
    redraws = [part for part in text.split("\r") if part.startswith("prun.py: clock")]
    assert len(redraws) >= 2, text  # redrawn in place while it ran
    assert "of 20 (2 workers)" in text and "it/s" in text and "loss" in text, text
    assert "\x1b[K" in text
    assert "prun.py: clock 20 of 20" in text  # the last state, drawn once more at the end

    status, text = run_on_a_terminal(prun_command(cfg, "--quiet"))
    assert status == 0, text
    assert "prun.py: clock" not in text and "\r" not in text.replace("\r\n", "\n"), text


def test_progress_lines_in_a_pipe_come_every_so_often(tmp_path):
    cfg = slow_lr_config(tmp_path, tmp_path / "pipe")
    done = subprocess.run(prun_command(cfg, "--progress_every", "0.5"), env=JOB_ENV,
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    lines = [l for l in done.stderr.splitlines() if l.startswith("prun.py: clock")]
    assert len(lines) >= 3, done.stderr  # about 2 s at one line per 0.5 s, and the last
    assert "\r" not in done.stderr and "\x1b" not in done.stderr
    clocks = [int(l.split()[2].split("-")[0]) for l in lines]
    assert clocks == sorted(clocks) and clocks[-1] == 20, lines


def test_report_draws_a_real_run(lr_run, tmp_path):
    output, _ = lr_run
    out = tmp_path / "report"
    done = subprocess.run(["/usr/bin/python3", os.path.join(SOURCE, "tool", "report.py"), output,
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    page = (out / "report.md").read_text()
    for picture in ["values.png", "clocks.png", "time_split.png", "servers.png"]:
        assert "(%s)" % picture in page
        data = (out / picture).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10000, picture
    for worker in range(WORKERS):
        assert "\n| %d | %d |" % (worker, ROUNDS) in page  # its row: all clocks
    assert "loss" in page and "clock_commit" in page


def test_report_names_a_folder_without_metrics(tmp_path):
    done = subprocess.run(["/usr/bin/python3", os.path.join(SOURCE, "tool", "report.py"),
                           str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "no worker-<k>.jsonl in %s" % os.path.join(str(tmp_path), "metrics") in done.stderr


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-q"]))
