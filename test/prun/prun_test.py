"""prun.py end to end: real servers and MPI workers on this host, and every failure path.

Each job runs with a unique PARACEL_TEST_TAG in its environment, which every process it
starts inherits; after the job, no process carrying the tag may be left.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD = os.path.abspath(os.environ.get("PARACEL_BUILD_DIR", os.path.join(HERE, "../../build")))
SOURCE = os.path.abspath(os.environ.get("PARACEL_SOURCE_DIR", os.path.join(HERE, "../..")))
PRUN = os.path.join(SOURCE, "prun.py")
SERVER = os.path.join(BUILD, "bin", "paracel_server")
WORKER = os.path.join(BUILD, "bin", "prun_worker")
DEMO = os.path.join(BUILD, "bin", "ps_demo")
LICENSES = ["/usr/share/common-licenses/GPL-3", "/usr/share/common-licenses/Apache-2.0"]


def tagged_pids(tag):
    """Processes (other than this one) whose environment carries `tag`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % entry, "rb") as f:
                if ("PARACEL_TEST_TAG=" + tag).encode() in f.read():
                    found.append(int(entry))
        except OSError:
            pass
    return found


def cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def wait_until_gone(tag, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        left = tagged_pids(tag)
        if not left:
            return []
        time.sleep(0.1)
    return [(pid, cmdline(pid)) for pid in tagged_pids(tag)]


class Job:
    """prun.py started in the background with a unique tag."""

    def __init__(self, *args, env=None):
        self.tag = uuid.uuid4().hex
        env = dict(env or os.environ, PARACEL_TEST_TAG=self.tag)
        self.proc = subprocess.Popen(
            [sys.executable, PRUN, "--server_bin", SERVER] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        # A failed test must not leave a sleeping job behind.
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.communicate(timeout=60)

    def finish(self, timeout=120):
        out, err = self.proc.communicate(timeout=timeout)
        return self.proc.returncode, out, err

    def assert_nothing_left(self):
        assert wait_until_gone(self.tag) == []


def run(*args, timeout=120, env=None):
    with Job(*args, env=env) as job:
        status, out, err = job.finish(timeout)
        job.assert_nothing_left()
        return status, out, err


def wait_for(tag, executable, count, seconds=60):
    """Pids of `count` processes of `executable` carrying `tag`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        pids = [p for p in tagged_pids(tag) if cmdline(p).startswith(executable)]
        if len(pids) >= count:
            return pids
        time.sleep(0.1)
    raise AssertionError("%d %s processes did not appear" % (count, executable))


@pytest.fixture(scope="module")
def hostfile(tmp_path_factory):
    path = tmp_path_factory.mktemp("hosts") / "hostfile"
    path.write_text("localhost slots=2\n")
    return str(path)


@pytest.fixture()
def config(tmp_path):
    path = tmp_path / "job.json"
    path.write_text(json.dumps({"rounds": 3}))
    return str(path)


def test_local_job_runs_a_real_word_count():
    status, out, err = run("-p", "2", "-w", "3", "-m", "local", DEMO, *LICENSES)
    assert status == 0, err
    assert "OK: parameter-server counts equal the serial count" in out
    assert "2 servers, 3 workers" in out


def test_secure_job_runs_an_algorithm_and_refuses_a_plain_client(tmp_path):
    """--secure: a whole algorithm (word count) through CURVE servers with keys made for the
    job; a worker that connects without them is refused (its first request times out and the
    server served nothing), the job fails, and no key is left behind."""
    out_dir = tmp_path / "wc"
    cfg = tmp_path / "wc.json"
    cfg.write_text(json.dumps({"input": LICENSES[0], "output": str(out_dir), "top_k": 5}))
    # The jobs' temp folders go to a folder of this test's own: other suites running beside
    # it make theirs in /tmp. (Short: Open MPI puts its sockets under TMPDIR too.)
    private = tempfile.mkdtemp(prefix="pj")
    env = dict(os.environ, TMPDIR=private)
    status, out, err = run("-p", "2", "-w", "2", "--secure", "-c", str(cfg),
                           os.path.join(BUILD, "bin", "word_count"), env=env)
    assert status == 0, err
    serial = subprocess.run([os.path.join(BUILD, "bin", "word_count_serial"), "--top", "5",
                             LICENSES[0]], capture_output=True, text=True, check=True).stdout
    assert (out_dir / "top_words").read_text().split() == serial.split()
    # prun_worker makes a ps_client without keys: its hello is never answered, and nothing
    # it sent was served.
    status, out, err = run("-p", "1", "-w", "1", "--secure", WORKER, "--mode=ok", timeout=120,
                           env=env)
    assert status != 0
    assert "did not answer hello" in err, err
    assert "server 0 tcp://127.0.0.1:" in err and ": 0 requests" in err, err
    left = [n for n in os.listdir(private) if n.startswith("paracel-job-")]
    assert left == [], left
    shutil.rmtree(private, ignore_errors=True)


def test_mpi_method_with_a_hostfile(hostfile):
    # 3 workers on a hostfile with 2 slots: more ranks than slots must still work.
    status, out, err = run("-p", "2", "-w", "3", "-m", "mpi", "--hostfile", hostfile, DEMO,
                           *LICENSES)
    assert status == 0, err
    assert "OK: parameter-server counts equal the serial count" in out


def test_config_and_extra_arguments_reach_every_worker(config):
    status, out, err = run("-p", "1", "-w", "2", "-c", config, WORKER, "--mode=ok", "alpha",
                           "beta")
    assert status == 0, err
    lines = [l for l in out.splitlines() if l.startswith("prun_worker rank")]
    assert len(lines) == 2
    for line in lines:
        assert "servers=1" in line
        assert "cfg=" + os.path.abspath(config) in line
        assert "extra=[alpha beta]" in line
    assert "prun_worker counted 2 ranks" in out


def test_local_ranks_get_the_shared_memory_transport_unless_the_environment_says_otherwise(
        tmp_path):
    show = tmp_path / "show_mca.sh"
    show.write_text("#!/bin/sh\necho \"mca pml=$OMPI_MCA_pml yield=$OMPI_MCA_mpi_yield_when_idle\"\n")
    show.chmod(0o755)
    status, out, err = run("-p", "1", "-w", "2", str(show))
    assert status == 0, err
    assert out.count("mca pml=ob1 yield=1") == 2, out
    status, out, err = run("-p", "1", "-w", "2", str(show),
                           env=dict(os.environ, OMPI_MCA_mpi_yield_when_idle="0"))
    assert status == 0, err
    assert out.count("mca pml=ob1 yield=0") == 2, out


def test_missing_and_invalid_config_fail_before_anything_starts(tmp_path):
    status, _, err = run("-c", str(tmp_path / "nope.json"), WORKER)
    assert status == 2
    assert "nope.json does not exist" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    status, _, err = run("-c", str(bad), WORKER)
    assert status == 2
    assert "bad.json is not valid JSON" in err
    assert "server(s) up" not in err


def test_bad_program_is_named():
    status, _, err = run("/no/such/program")
    assert status == 2
    assert "/no/such/program" in err


def test_failing_worker_gives_non_zero_status_and_stops_servers():
    status, _, err = run("-p", "2", "-w", "3", WORKER, "--mode=fail", "--fail_rank=1")
    assert status != 0
    assert "workers failed" in err


def load_prun_module():
    import importlib.util
    spec = importlib.util.spec_from_file_location("prun", PRUN)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("child, expected", [("exit 3", 3), ("kill -TERM $$", 143)])
def test_a_launcher_hung_over_its_ended_ranks_is_noticed_with_their_status(child, expected):
    # Open MPI 4.1's mpirun sometimes deadlocks after a rank failed, its other ranks left as
    # zombies. Stand-in: a shell whose child ends and which then never reaps it.
    prun = load_prun_module()
    prun.MpirunWatch.GRACE = 0.5
    prun.MpirunWatch.CHECK_EVERY = 0.1
    launcher = subprocess.Popen(["sh", "-c", "sh -c '%s' & exec sleep 60" % child])
    try:
        watch = prun.MpirunWatch(launcher.pid, "/bin/sh")
        deadline = time.monotonic() + 10
        status = None
        while status is None and time.monotonic() < deadline:
            status = watch.stuck_status()
            time.sleep(0.05)
        assert status == expected
    finally:
        launcher.kill()
        launcher.wait()


@pytest.mark.parametrize("children", [
    "sleep 30 &",                 # a rank still running
    "sh -c 'exit 0' & sleep 30 &",  # ranks on other hosts: an ssh/orted child, not the program
])
def test_a_launcher_with_a_running_rank_or_remote_ranks_is_not_taken_for_hung(children):
    prun = load_prun_module()
    prun.MpirunWatch.GRACE = 0.2
    prun.MpirunWatch.CHECK_EVERY = 0.05
    launcher = subprocess.Popen(["sh", "-c", children + " exec sleep 60"])
    try:
        program = "/bin/sleep" if children.startswith("sleep") else "/opt/my_algorithm"
        watch = prun.MpirunWatch(launcher.pid, program)
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            assert watch.stuck_status() is None
            time.sleep(0.05)
        assert watch.had_ranks == (program == "/bin/sleep")
    finally:
        launcher.kill()
        launcher.wait()


def test_server_that_cannot_start_is_named_with_its_stderr():
    status, _, err = run("-p", "2", "--plugin_dirs", "/no/such/dir", WORKER)
    assert status == 1
    assert "failed to start" in err
    assert "/no/such/dir" in err


def test_server_crash_during_the_job_is_named_and_ends_it():
    with Job("-p", "2", "-w", "2", WORKER, "--mode=sleep") as job:
        servers = wait_for(job.tag, SERVER, 2)
        wait_for(job.tag, WORKER, 2)
        os.kill(servers[1], signal.SIGKILL)
        status, _, err = job.finish(60)
        assert status != 0
        assert "died during the job" in err
        assert "137" in err  # 128 + SIGKILL
        job.assert_nothing_left()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_prun_stops_everything(signum):
    with Job("-p", "2", "-w", "2", WORKER, "--mode=sleep") as job:
        wait_for(job.tag, WORKER, 2)
        job.proc.send_signal(signum)
        status, _, err = job.finish(60)
        assert status == 128 + signum
        assert "stopping servers and workers" in err
        job.assert_nothing_left()


def test_two_jobs_run_side_by_side():
    with Job("-p", "2", "-w", "2", DEMO, *LICENSES) as first, \
            Job("-p", "2", "-w", "2", DEMO, *LICENSES) as second:
        for job in (first, second):
            status, out, err = job.finish()
            assert status == 0, err
            assert "OK: parameter-server counts equal the serial count" in out
            job.assert_nothing_left()
