"""Loads test/support/skip_policy.py; gives the tests Mesos test masters (master.py) whose
calls are checked against the v1 protobuf messages (proto_check.py)."""

import os
import shutil
import socket
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "support"), os.path.join(HERE, "..", "prun"), HERE]
pytest_plugins = ["skip_policy"]

from master import Agent, TestMaster  # noqa: E402
from proto_check import ProtoChecker  # noqa: E402


@pytest.fixture(scope="session")
def checker():
    made = ProtoChecker()
    yield made
    shutil.rmtree(made.out, ignore_errors=True)


HANDED_OUT = set()


def free_port_range(count):
    """`count` consecutive ports that nothing listens on now and that no other agent of this
    run was given, below Linux's ephemeral range (so that no outgoing connection takes one
    meanwhile)."""
    for begin in range(20000 + os.getpid() % 500 * 20, 32000, count):
        if begin in HANDED_OUT:
            continue
        HANDED_OUT.add(begin)
        try:
            for port in range(begin, begin + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return begin, begin + count - 1
        except OSError:
            continue
    raise RuntimeError("no %d free consecutive ports" % count)


@pytest.fixture()
def masters(checker):
    """make(agents=[(name, cpus, mem, group)...], **options) -> a started TestMaster."""
    started = []

    def make(agents=(("agent-a", 4, 4096, None), ("agent-b", 4, 4096, None)), **options):
        built = []
        for name, cpus, mem, group in agents:
            built.append(Agent(name, cpus, mem, free_port_range(10), group))
        master = TestMaster(built, checker, **options).start()
        started.append(master)
        return master

    yield make
    for master in started:
        master.stop()
