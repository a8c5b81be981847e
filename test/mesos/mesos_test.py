"""prun.py -m mesos against a test master (master.py) that speaks the v1 scheduler HTTP API,
checks every call against Mesos' own .proto messages, and runs tasks on this host for two
or three agents. Real programs run end to end; every way a job ends must leave no task, no
process carrying the job's tag, and a torn-down framework. No real Mesos is involved: none
can be installed here (see the README)."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

from prun_test import BUILD, LICENSES, PRUN, WORKER, Job, wait_until_gone

sys.path.insert(0, os.path.join(os.path.dirname(PRUN), "tool", "prun"))
import mesos_api  # noqa: E402

WORD_COUNT = os.path.join(BUILD, "bin", "word_count")


# The test's agents are all this host, so Open MPI's daemons of one job share a node, which
# they never do on a cluster: each would put the node's topology into shared memory at the
# same place (the second one crashes in hwloc_shmem_topology_write) and PMIx's shared-memory
# store in the same files. prun hands OMPI_* and PMIX_* variables on to the tasks.
ONE_HOST_ENV = {"OMPI_MCA_rtc_hwloc_vmhole": "none", "PMIX_MCA_gds": "hash"}


def mesos_job(master, *args, env=None):
    env = dict(env or os.environ, **ONE_HOST_ENV)
    return Job("-m", "mesos", "--mesos_master", master.address, *args, env=env)


def finish(job, master, timeout=120):
    """The job's (status, stdout, stderr), after checking that it left nothing behind."""
    status, out, err = job.finish(timeout)
    assert wait_until_gone(job.tag) == []
    assert master.running_tasks() == []
    assert "TEARDOWN" in master.call_types() or master.torn_down
    return status, out, err


def word_count_config(tmp_path):
    out_dir = tmp_path / "wc"
    cfg = tmp_path / "wc.json"
    cfg.write_text(json.dumps({"input": LICENSES[0], "output": str(out_dir), "top_k": 5}))
    serial = subprocess.run([os.path.join(BUILD, "bin", "word_count_serial"), "--top", "5",
                             LICENSES[0]], capture_output=True, text=True, check=True).stdout
    return str(cfg), out_dir, serial.split()


def tasks_by_agent(master):
    placed = {}
    for task in master.tasks.values():
        placed.setdefault(task.agent.hostname, []).append(task.info["name"])
    return placed


def wait_for_tasks(master, count, seconds=60):
    deadline = time.monotonic() + seconds
    while len(master.running_tasks()) < count:
        assert time.monotonic() < deadline, "%d tasks did not start" % count
        time.sleep(0.1)


def test_word_count_on_two_agents(masters, tmp_path):
    master = masters()
    cfg, out_dir, serial = word_count_config(tmp_path)
    with mesos_job(master, "-p", "2", "-w", "3", "-c", cfg, WORD_COUNT) as job:
        status, _, err = finish(job, master)
    assert status == 0, err
    assert (out_dir / "top_words").read_text().split() == serial
    assert master.errors == []
    placed = tasks_by_agent(master)
    # A server on each agent (spread); the three workers packed as 2 + 1 in two daemons.
    assert sorted(placed) == ["agent-a", "agent-b"], placed
    assert all(sum("server" in n for n in names) == 1 for names in placed.values()), placed
    assert sorted(t.resources[0] for t in master.tasks.values()
                  if "workers" in t.info["name"]) == [1.0, 2.0]
    assert all(t.state in ("TASK_FINISHED", "TASK_KILLED") for t in master.tasks.values())
    kinds = master.call_types()
    assert kinds[0] == "SUBSCRIBE" and kinds[-1] == "TEARDOWN"
    # Every update with a uuid was acknowledged.
    assert master.unacked == {}


def test_servers_on_mesos_and_workers_here(masters):
    master = masters()
    with Job("--m_server", "mesos", "-m", "local", "--mesos_master", master.address,
             "-p", "2", "-w", "2", WORKER) as job:
        status, out, err = finish(job, master)
    assert status == 0, err
    assert "prun_worker counted 2 ranks" in out
    assert all("server" in t.info["name"] for t in master.tasks.values())
    assert master.errors == []


def test_groups_select_the_agents(masters):
    master = masters(agents=(("agent-a", 4, 4096, "cpu"), ("agent-b", 4, 4096, "big"),
                             ("agent-c", 4, 4096, "big")))
    with mesos_job(master, "-p", "1", "-w", "3", "--group_server", "cpu", "-g", "big",
                   "--ppn", "2", WORKER) as job:
        status, out, err = finish(job, master)
    assert status == 0, err
    assert "prun_worker counted 3 ranks" in out  # the ranks' output reaches prun's
    placed = tasks_by_agent(master)
    assert placed["agent-a"] == ["paracel server 0"]
    assert sorted(sum(t.resources[0] for t in master.tasks.values()
                      if t.agent.hostname == h) for h in ("agent-b", "agent-c")) == [1.0, 2.0]
    assert master.errors == []


def test_memory_limits_become_task_resources(masters):
    master = masters()
    with mesos_job(master, "-p", "1", "-w", "2", "--mem_limit", "300",
                   "--mem_limit_server", "200", WORKER) as job:
        status, _, err = finish(job, master)
    assert status == 0, err
    mems = sorted(t.resources[1] for t in master.tasks.values())
    assert mems == [200.0, 600.0], mems  # one server; two ranks in one daemon


def test_a_failing_worker_ends_the_job(masters):
    master = masters()
    with mesos_job(master, "-p", "2", "-w", "3", WORKER, "--mode=fail",
                   "--fail_rank=1") as job:
        status, _, err = finish(job, master)
    assert status != 0
    assert "workers failed" in err
    assert master.errors == []


def test_a_lost_agent_ends_the_job_and_names_the_server(masters):
    master = masters()
    with mesos_job(master, "-p", "2", "-w", "3", WORKER, "--mode=sleep") as job:
        wait_for_tasks(master, 4)  # two servers, a worker daemon on each agent
        master.lose_agent("agent-b")
        status, _, err = finish(job, master)
    assert status != 0
    # The server's loss, or the workers' daemon's on that agent when mpirun ends first.
    assert "on agent-b) ended during the job: TASK_LOST (Agent removed)" in err or \
        "(agent agent-b) ended: TASK_LOST (Agent removed)" in err, err


def test_a_server_that_fails_to_start_is_named(masters):
    master = masters()
    with mesos_job(master, "-p", "2", "-w", "2", "--plugin_dirs", "/no/such/dir",
                   WORKER) as job:
        status, _, err = finish(job, master)
    assert status == 1
    assert "ended during the job: TASK_FAILED" in err and "sandbox" in err, err
    assert "workers" not in str(tasks_by_agent(master))  # no worker started


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupting_prun_kills_the_tasks(masters, signum):
    master = masters()
    with mesos_job(master, "-p", "2", "-w", "3", WORKER, "--mode=sleep") as job:
        wait_for_tasks(master, 4)
        time.sleep(0.5)
        job.proc.send_signal(signum)
        status, _, err = finish(job, master)
    assert status == 128 + signum
    assert "KILL" in master.call_types()


def test_offers_that_cannot_fit_the_job_are_a_named_error(masters):
    master = masters()
    with mesos_job(master, "-p", "1", "-w", "20", "--start_timeout", "3", WORKER) as job:
        status, _, err = finish(job, master)
    assert status == 1
    assert "do not fit the job" in err and "20 workers need 1 cpus" in err, err
    assert "ACCEPT" not in master.call_types()


def test_an_error_event_on_subscribe_is_reported(masters):
    master = masters(error_on_subscribe="Role 'ml' is not present in the master's roles")
    with mesos_job(master, WORKER) as job:
        status, _, err = job.finish(60)
    assert status == 1
    assert "Role 'ml' is not present" in err
    assert wait_until_gone(job.tag) == []


def test_a_master_that_does_not_lead_redirects_to_the_leader(masters, tmp_path):
    leader = masters()
    follower = masters(redirect_to=leader.address)
    cfg, out_dir, serial = word_count_config(tmp_path)
    with mesos_job(follower, "-p", "1", "-w", "2", "-c", cfg, WORD_COUNT) as job:
        status, _, err = finish(job, leader)
    assert status == 0, err
    assert (out_dir / "top_words").read_text().split() == serial
    assert leader.call_types()[0] == "SUBSCRIBE" and follower.calls == []


def test_a_master_that_authenticates_needs_the_principal(masters, tmp_path):
    master = masters(principal="paracel", secret="s3cret")
    with mesos_job(master, WORKER) as job:
        status, _, err = job.finish(60)
    assert status == 1 and "HTTP 401" in err, err
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    with mesos_job(master, "--mesos_principal", "paracel", "--mesos_secret_file", str(secret),
                   WORKER) as job:
        status, _, err = finish(job, master)
    assert status == 0, err
    assert master.calls[0][1]["subscribe"]["framework_info"]["principal"] == "paracel"


def test_a_master_that_goes_away_ends_the_job(masters):
    master = masters()
    with mesos_job(master, "-p", "1", "-w", "1", WORKER, "--mode=sleep") as job:
        wait_for_tasks(master, 2)
        master.stop()  # its tasks die with it
        status, _, err = job.finish(60)
    assert status == 1
    assert "event stream" in err or "Mesos master" in err, err
    assert wait_until_gone(job.tag) == []


def test_an_unreachable_master_is_named():
    with Job("-m", "mesos", "--mesos_master", "127.0.0.1:1", WORKER) as job:
        status, _, err = job.finish(60)
    assert status == 1
    assert "cannot reach Mesos master 127.0.0.1:1" in err


@pytest.mark.parametrize("master, message", [
    (None, "needs --mesos_master"),
    ("zk://zk1:2181/mesos", "ZooKeeper addresses are not supported"),
    ("127.0.0.1:port", "the port is not a number"),
])
def test_bad_master_addresses_are_refused_before_anything_starts(master, message):
    args = ["-m", "mesos"] + (["--mesos_master", master] if master else []) + [WORKER]
    env = {k: v for k, v in os.environ.items() if k != "MESOS_MASTER"}
    with Job(*args, env=env) as job:
        status, _, err = job.finish(60)
    assert status == 2
    assert message in err, err


# ---- the protocol pieces on their own ----------------------------------------------------
def records(*events):
    out = b""
    for event in events:
        data = json.dumps(event).encode()
        out += b"%d\n%s" % (len(data), data)
    return out


def test_recordio_survives_any_chunking():
    stream = records({"type": "SUBSCRIBED"}, {"type": "HEARTBEAT"}, {"type": "OFFERS",
                                                                     "offers": {"offers": []}})
    for size in (1, 2, 3, 7, len(stream)):
        decoder = mesos_api.RecordIO()
        seen = []
        for i in range(0, len(stream), size):
            seen += decoder.feed(stream[i:i + size])
        assert [e["type"] for e in seen] == ["SUBSCRIBED", "HEARTBEAT", "OFFERS"]


@pytest.mark.parametrize("garbage", [b"abc\n{}", b"12x\n", b"9" * 30, b"5\n{bad}"])
def test_recordio_refuses_garbage(garbage):
    with pytest.raises(mesos_api.MesosError, match="malformed"):
        mesos_api.RecordIO().feed(garbage)


def test_the_test_master_refuses_what_mesos_refuses(masters, checker):
    """The checks the tests rely on can fail: an unknown field, a missing required one."""
    with pytest.raises(ValueError, match="offer_id"):
        checker.check_call({"type": "DECLINE", "framework_id": {"value": "f"},
                            "decline": {"offer_id": [{"value": "o"}]}})
    with pytest.raises(ValueError, match="user"):
        checker.check_call({"type": "SUBSCRIBE", "subscribe": {"framework_info": {"name": "x"}}})
    master = masters()
    scheduler = mesos_api.Scheduler(master.address, {"user": "u", "name": "n"}, lambda e: None)
    scheduler.subscribe()
    scheduler.stream_id = "not-the-stream"
    with pytest.raises(mesos_api.MesosError, match="HTTP 400"):
        scheduler.call("SUPPRESS")
    scheduler.close()
    assert any("Mesos-Stream-Id" in e for e in master.errors)

