"""Shared by the algorithm integration tests: real data, jobs through prun.py, references."""

import json
import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("PARACEL_BUILD_DIR", os.path.join(HERE, "../../build")))
SOURCE = os.path.abspath(os.environ.get("PARACEL_SOURCE_DIR", os.path.join(HERE, "../..")))
BIN = os.path.join(BUILD, "bin")


def real_data(*sets):
    """The folder of the fetched real data sets; skips the test when apt is unreachable."""
    out = subprocess.run(["bash", os.path.join(SOURCE, "tool", "fetch_data.sh"), *sets],
                         capture_output=True, text=True)
    if out.returncode == 3:
        pytest.skip("real data %s unavailable (no ../shared/data or apt): %s"
                    % (", ".join(sets), out.stderr.strip()))
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def run_job(program, config, tmp_path, servers=2, workers=3, timeout=600, extra=()):
    """Runs build/bin/PROGRAM through prun.py with CONFIG (a dict written as JSON)."""
    cfg = tmp_path / (program + ".json")
    cfg.write_text(json.dumps(config))
    cmd = [os.path.join(SOURCE, "prun.py"), "-p", str(servers), "-w", str(workers),
           "-c", str(cfg), *extra, os.path.join(BIN, program)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, "%s failed (%d):\n%s\n%s" % (
        " ".join(cmd), out.returncode, out.stdout, out.stderr)
    return out


def run_failing_job(program, config, tmp_path, workers=2):
    """Runs a job expected to fail; returns (exit status, stderr)."""
    cfg = tmp_path / (program + "_bad.json")
    cfg.write_text(json.dumps(config))
    cmd = [os.path.join(SOURCE, "prun.py"), "-p", "1", "-w", str(workers), "-c", str(cfg),
           os.path.join(BIN, program)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    return out.returncode, out.stderr


def reference(program, *args):
    """Stdout of the serial reference build/bin/PROGRAM."""
    out = subprocess.run([os.path.join(BIN, program), *map(str, args)], capture_output=True,
                         text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    return out.stdout


def tab_rows(text):
    return [tuple(line.split("\t")) for line in text.splitlines() if line]
