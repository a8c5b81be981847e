"""Checkpoints end to end (docs/checkpoints.md): prun.py --checkpoint_dir, --resume, --restarts.

The job is test/checkpoint/counter_job.cpp: integer counters that every worker adds to each
clock, plus each worker's running sum and random engine in its worker state. Integer adds
commute, so its final line is the same however the updates interleave: a resumed run must
print exactly the line of an uninterrupted one, under BSP and under SSP. A checkpoint that
held an update of a later clock (a snapshot taken when the slowest worker reached c while
faster ones went on) would apply it twice after the resume and change the line.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("PARACEL_BUILD_DIR", os.path.join(HERE, "../../build")))
SOURCE = os.path.abspath(os.environ.get("PARACEL_SOURCE_DIR", os.path.join(HERE, "../..")))
PRUN = os.path.join(SOURCE, "prun.py")
SERVER = os.path.join(BUILD, "bin", "paracel_server")
JOB = os.path.join(BUILD, "bin", "counter_job")
ITERATIONS = 12
EVERY = 4


def prun(*args, job_args=(), timeout=180):
    cmd = [sys.executable, PRUN, "--server_bin", SERVER, "--quiet"] + list(args) + [JOB] + \
        ["--iterations=%d" % ITERATIONS] + list(job_args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def result_line(done):
    lines = [l for l in done.stdout.splitlines() if l.startswith("RESULT ")]
    assert done.returncode == 0 and len(lines) == 1, done.stdout + done.stderr
    return lines[0]


@pytest.fixture
def folder():
    path = tempfile.mkdtemp(prefix="paracel-ckpt-test-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def checkpoints(path):
    return sorted(n for n in os.listdir(path) if n.startswith("ckpt-"))


def complete(path):
    """The checkpoints that have a manifest (a worker ahead under SSP may have begun the next
    one when another died: that one has none)."""
    return [n for n in checkpoints(path) if os.path.isfile(os.path.join(path, n, "MANIFEST.json"))]


@pytest.mark.parametrize("servers,staleness", [(1, 2), (2, 2), (3, 2), (2, 0)])
def test_resume_after_sigkill_matches_an_uninterrupted_run(folder, servers, staleness):
    # SSP with a slow worker is the harder cut (1, 2 and 3 servers); BSP once.
    # Under SSP worker 1 is slow, so that worker 0 runs ahead up to the bound: a checkpoint
    # that did not wait for the cut would catch some of its later clocks.
    ssp = ["--staleness=%d" % staleness] + (["--slow_rank=1", "--slow_ms=40"] if staleness else [])
    expected = result_line(prun("-p", str(servers), "-w", "2", job_args=ssp))

    seed = random.randrange(1 << 30)
    die_at = random.Random(seed).randrange(EVERY + 1, ITERATIONS)  # after the first checkpoint
    killed = prun("-p", str(servers), "-w", "2", "--checkpoint_dir", folder,
                  "--checkpoint_every", str(EVERY),
                  job_args=ssp + ["--die_at=%d" % die_at, "--die_rank=1"])
    assert killed.returncode == 137, "seed %d: %s" % (seed, killed.stderr)
    assert "kills itself at clock %d" % die_at in killed.stderr
    newest = (die_at // EVERY) * EVERY
    assert complete(folder)[-1] == "ckpt-%010d" % newest, checkpoints(folder)

    resumed = prun("-p", str(servers), "-w", "2", "--checkpoint_dir", folder, "--resume",
                   job_args=ssp)
    assert "resumed from %s/ckpt-%010d at clock %d" % (folder, newest, newest) in resumed.stderr, \
        resumed.stderr
    assert result_line(resumed) == expected, "seed %d, killed at clock %d" % (seed, die_at)


def test_resume_on_another_number_of_servers(folder):
    """The shards go back through the ring of the new job's servers."""
    expected = result_line(prun("-p", "2", "-w", "2"))
    killed = prun("-p", "2", "-w", "2", "--checkpoint_dir", folder, "--checkpoint_every", "4",
                  job_args=["--die_at=6"])
    assert killed.returncode == 137
    resumed = prun("-p", "3", "-w", "2", "--checkpoint_dir", folder, "--resume")
    assert result_line(resumed) == expected


def test_restarts_survive_two_failures(folder):
    expected = result_line(prun("-p", "2", "-w", "2"))
    marker = os.path.join(folder, "died")
    done = prun("-p", "2", "-w", "2", "--checkpoint_dir", folder, "--checkpoint_every", "3",
                "--restarts", "2",
                job_args=["--die_at=5,10", "--die_rank=1", "--die_marker=" + marker])
    assert result_line(done) == expected
    assert "restart 1 of 2, from %s/ckpt-%010d" % (folder, 3) in done.stderr, done.stderr
    assert "restart 2 of 2, from %s/ckpt-%010d" % (folder, 9) in done.stderr, done.stderr


def test_restarts_give_up_after_the_limit_naming_each_failure(folder):
    marker = os.path.join(folder, "died")
    done = prun("-p", "1", "-w", "2", "--checkpoint_dir", folder, "--checkpoint_every", "3",
                "--restarts", "1",
                job_args=["--die_at=5,10", "--die_rank=1", "--die_marker=" + marker])
    assert done.returncode == 137
    assert "giving up after 1 restart(s)" in done.stderr, done.stderr
    assert done.stderr.count("workers failed with exit status 137") >= 2


def test_restarts_without_a_checkpoint_start_again_from_zero(folder):
    expected = result_line(prun("-p", "1", "-w", "2"))
    marker = os.path.join(folder, "died")
    done = prun("-p", "1", "-w", "2", "--restarts", "1",
                job_args=["--die_at=2", "--die_marker=" + marker])
    assert "restart 1 of 1, from the start" in done.stderr, done.stderr
    assert result_line(done) == expected


def newest_manifest_time(folder):
    times = [os.path.getmtime(os.path.join(folder, c, "MANIFEST.json")) for c in complete(folder)]
    return max(times) if times else None


@pytest.mark.parametrize("kills", [2, 3])
def test_restarts_2_survive_two_server_kills_and_a_third_ends_the_job(folder, kills):
    """A server SIGKILLed in each attempt, once it wrote a checkpoint: prun stops the job and
    starts again from the newest checkpoint; the third kill is one too many."""
    expected = result_line(prun("-p", "2", "-w", "2"))
    proc = subprocess.Popen(
        [sys.executable, PRUN, "--server_bin", SERVER, "--quiet", "-p", "2", "-w", "2",
         "--checkpoint_dir", folder, "--checkpoint_every", "2", "--restarts", "2", JOB,
         "--iterations=%d" % ITERATIONS, "--slow_rank=0", "--slow_ms=150"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = []
    last_kill = 0.0
    started = time.monotonic()
    while len(killed) < kills:
        assert time.monotonic() - started < 120 and proc.poll() is None, proc.stderr.read()
        newest = newest_manifest_time(folder)
        servers = [int(p) for p in subprocess.run(
            ["pgrep", "-f", "paracel_server.*--checkpoint_dir=" + folder],
            capture_output=True, text=True).stdout.split() if int(p) not in killed]
        # This attempt's servers, once this attempt wrote a checkpoint of its own.
        if newest is not None and newest > last_kill and servers:
            os.kill(servers[0], 9)
            killed.append(servers[0])
            last_kill = time.time()
        time.sleep(0.02)
    out, err = proc.communicate(timeout=180)
    assert len(re.findall(r"^prun.py: server \d+ died during the job", err, re.M)) == kills, err
    assert "restart 1 of 2, from %s/ckpt-" % folder in err, err
    assert "restart 2 of 2, from %s/ckpt-" % folder in err, err
    if kills == 2:
        assert result_line(subprocess.CompletedProcess(proc.args, proc.returncode, out, err)) \
            == expected
    else:
        assert proc.returncode != 0 and "RESULT" not in out
        assert "giving up after 2 restart(s); the attempts ended with: 1: " in err, err
        assert re.search(r"1: .*died during the job.*; 2: .*died during the job.*; "
                         r"3: .*died during the job", err), err


def test_resume_without_a_checkpoint_is_refused(folder):
    done = prun("-p", "1", "-w", "1", "--checkpoint_dir", folder, "--resume")
    assert done.returncode == 2
    assert "no complete checkpoint in %s" % folder in done.stderr


def take_checkpoint(folder, every=4, die_at=6):
    killed = prun("-p", "2", "-w", "2", "--checkpoint_dir", folder, "--checkpoint_every",
                  str(every), job_args=["--die_at=%d" % die_at])
    assert killed.returncode == 137
    return os.path.join(folder, complete(folder)[-1])


def test_a_corrupt_shard_is_refused_never_an_empty_model(folder):
    newest = take_checkpoint(folder)
    shard = os.path.join(newest, "server-1-0.shard")
    with open(shard, "r+b") as f:
        f.seek(os.path.getsize(shard) // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0x40]))
    done = prun("-p", "2", "-w", "2", "--checkpoint_dir", folder, "--resume")
    assert done.returncode != 0
    assert re.search(r"checkpoint: %s is corrupt: checksum [0-9a-f]{16}, the manifest says"
                     % re.escape(shard), done.stderr), done.stderr
    assert "RESULT" not in done.stdout


def test_a_truncated_shard_is_refused(folder):
    newest = take_checkpoint(folder)
    shard = os.path.join(newest, "server-0-0.shard")
    size = os.path.getsize(shard)
    os.truncate(shard, size - 3)
    done = prun("-p", "2", "-w", "2", "--checkpoint_dir", folder, "--resume")
    assert done.returncode != 0
    assert "%s has %d bytes; the manifest says %d" % (shard, size - 3, size) in done.stderr, \
        done.stderr


def test_a_missing_worker_state_is_refused(folder):
    newest = take_checkpoint(folder)
    os.remove(os.path.join(newest, "worker-1.state"))
    done = prun("-p", "2", "-w", "2", "--checkpoint_dir", folder, "--resume")
    assert done.returncode != 0
    assert "cannot read %s/worker-1.state" % newest in done.stderr, done.stderr


def test_another_worker_count_is_refused(folder):
    newest = take_checkpoint(folder)
    done = prun("-p", "2", "-w", "3", "--checkpoint_dir", folder, "--resume")
    assert done.returncode != 0
    assert "%s was written by 2 workers; this job has 3" % newest in done.stderr, done.stderr


def test_an_interrupted_checkpoint_is_ignored(folder):
    """A checkpoint whose writing was killed has no manifest: the previous one is used.
    (Simulated: the folder a server killed mid-write leaves, with a half-written temp file.)"""
    expected = result_line(prun("-p", "2", "-w", "2"))
    take_checkpoint(folder, every=4, die_at=9)  # ckpt 4 and 8
    half = os.path.join(folder, "ckpt-%010d" % 8)
    os.remove(os.path.join(half, "MANIFEST.json"))
    with open(os.path.join(half, "server-0-0.shard.tmp"), "wb") as f:
        f.write(b"\x86\xa6format")
    done = prun("-p", "2", "-w", "2", "--checkpoint_dir", folder, "--checkpoint_every", "4",
                "--resume")
    assert "resumed from %s/ckpt-%010d at clock 4" % (folder, 4) in done.stderr, done.stderr
    assert result_line(done) == expected
    # The next complete checkpoint (8 again, then 12) replaced the interrupted one.
    assert checkpoints(folder) == ["ckpt-%010d" % 8, "ckpt-%010d" % 12]


def test_checkpoint_every_without_a_folder_is_a_usage_error():
    done = subprocess.run([sys.executable, PRUN, "--checkpoint_every", "3", JOB],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--resume and --checkpoint_every need --checkpoint_dir" in done.stderr


def test_a_checkpoint_of_another_program_is_refused(folder, tmp_path):
    newest = take_checkpoint(folder)
    other = str(tmp_path / "other_job")
    shutil.copy(JOB, other)
    done = subprocess.run([sys.executable, PRUN, "--server_bin", SERVER, "--quiet", "-p", "2",
                           "-w", "2", "--checkpoint_dir", folder, "--resume", other],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "checkpoint %s is of counter_job, not of other_job" % newest in done.stderr, done.stderr


def test_a_server_killed_while_it_writes_leaves_the_previous_checkpoint_usable(folder):
    """SIGKILL of a server in the middle of writing its shard of ckpt 8 (each shard write
    pauses halfway: PARACEL_CHECKPOINT_PAUSE_MS, the servers' fault-injection knob)."""
    expected = result_line(prun("-p", "2", "-w", "2"))
    env = dict(os.environ, PARACEL_CHECKPOINT_PAUSE_MS="1500")
    proc = subprocess.Popen(
        [sys.executable, PRUN, "--server_bin", SERVER, "--quiet", "-p", "2", "-w", "2",
         "--checkpoint_dir", folder, "--checkpoint_every", "4", JOB,
         "--iterations=%d" % ITERATIONS], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env)
    writing = os.path.join(folder, "ckpt-%010d" % 8)
    started = time.monotonic()
    while not (os.path.isdir(writing) and
               any(n.endswith(".shard.tmp") for n in os.listdir(writing))):
        assert time.monotonic() - started < 60 and proc.poll() is None, proc.stderr.read()
        time.sleep(0.01)
    servers = subprocess.run(["pgrep", "-f", "paracel_server.*--checkpoint_dir=" + folder],
                             capture_output=True, text=True).stdout.split()
    os.kill(int(servers[0]), 9)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode != 0 and "died during the job" in err, err
    assert complete(folder) == ["ckpt-%010d" % 4], checkpoints(folder)
    assert not os.path.exists(os.path.join(writing, "MANIFEST.json"))

    resumed = prun("-p", "2", "-w", "2", "--checkpoint_dir", folder, "--resume")
    assert "resumed from %s/ckpt-%010d at clock 4" % (folder, 4) in resumed.stderr, resumed.stderr
    assert result_line(resumed) == expected
