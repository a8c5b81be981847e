"""A one-node Slurm cluster on this host, for the slurm method's tests and for trying
`prun.py -m slurm` by hand: slurmctld and slurmd (Debian's slurmctld and slurmd packages,
tool/install_deps.sh) run in the foreground from a temp folder holding slurm.conf, their
state, spool and logs, on free ports, and are stopped by pid.

    /usr/bin/python3 test/slurm/cluster.py     # prints the SLURM_CONF to export; Ctrl-C stops

The node declares 16 CPUs whatever the host has (SlurmdParameters=config_overrides), so
that a job's servers and workers fit on a 2-core machine, as --oversubscribe does for mpirun.
Authentication is off (auth/none, cred/none): the daemons listen on 127.0.0.1 only.
"""

import getpass
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

CPUS = 16


def free_ports(count):
    """`count` distinct free ports (all held open together, so none is handed out twice)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


class SlurmCluster:
    def __init__(self):
        self.dir = None
        self.daemons = []  # (name, Popen)
        self.env = None

    def config(self):
        d = self.dir
        user = getpass.getuser()
        ctld_port, slurmd_port = free_ports(2)
        return "\n".join([
            "ClusterName=paracel-test",
            "SlurmctldHost=localhost(127.0.0.1)",
            "SlurmctldPort=%d" % ctld_port,
            "SlurmdPort=%d" % slurmd_port,
            "SlurmUser=%s" % user,  # Debian's packages create no slurm user
            "SlurmdUser=%s" % user,
            "AuthType=auth/none",
            "CredType=cred/none",
            "StateSaveLocation=%s/state" % d,
            "SlurmdSpoolDir=%s/spool" % d,
            "SlurmctldPidFile=%s/slurmctld.pid" % d,
            "SlurmdPidFile=%s/slurmd.pid" % d,
            "SlurmctldLogFile=%s/slurmctld.log" % d,
            "SlurmdLogFile=%s/slurmd.log" % d,
            "ProctrackType=proctrack/linuxproc",  # no cgroups in a container
            "TaskPlugin=task/none",
            "SwitchType=switch/none",
            "MpiDefault=none",
            "SchedulerType=sched/builtin",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "ReturnToService=2",
            "SlurmdParameters=config_overrides",
            "KillWait=5",
            "EnforcePartLimits=ALL",  # a request beyond the node fails at once
            "JobCompType=jobcomp/none",
            "AccountingStorageType=accounting_storage/none",
            "NodeName=localhost NodeAddr=127.0.0.1 CPUs=%d RealMemory=4000 State=UNKNOWN" % CPUS,
            "PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP",
            "",
        ])

    def start(self, timeout=60):
        missing = [n for n in ("slurmctld", "slurmd", "sinfo", "srun", "salloc")
                   if shutil.which(n) is None and not os.path.exists("/usr/sbin/" + n)]
        if missing:
            raise RuntimeError("Slurm is not installed (missing %s): run tool/install_deps.sh"
                               % ", ".join(missing))
        self.dir = tempfile.mkdtemp(prefix="paracel-slurm-")
        for sub in ("state", "spool"):
            os.mkdir(os.path.join(self.dir, sub))
        conf = os.path.join(self.dir, "slurm.conf")
        with open(conf, "w") as f:
            f.write(self.config())
        self.env = dict(os.environ, SLURM_CONF=conf)
        self.env.pop("SLURM_JOB_ID", None)
        for name, cmd in (("slurmctld", ["slurmctld", "-D", "-i", "-f", conf]),
                          ("slurmd", ["slurmd", "-D", "-N", "localhost", "-f", conf])):
            binary = shutil.which(cmd[0]) or os.path.join("/usr/sbin", cmd[0])
            out = open(os.path.join(self.dir, name + ".out"), "wb")
            self.daemons.append((name, subprocess.Popen([binary] + cmd[1:], env=self.env,
                                                        stdout=out, stderr=subprocess.STDOUT,
                                                        stdin=subprocess.DEVNULL,
                                                        start_new_session=True)))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, proc in self.daemons:
                if proc.poll() is not None:
                    raise RuntimeError("%s exited with status %d:\n%s"
                                       % (name, proc.returncode, self.logs()))
            state = subprocess.run(["sinfo", "-h", "-o", "%T"], env=self.env,
                                   capture_output=True, text=True).stdout.strip()
            if state == "idle":
                return self
            time.sleep(0.3)
        raise RuntimeError("the Slurm node did not become idle within %d s:\n%s"
                           % (timeout, self.logs()))

    def logs(self):
        text = []
        for name in ("slurmctld.out", "slurmd.out", "slurmctld.log", "slurmd.log"):
            try:
                with open(os.path.join(self.dir, name), errors="replace") as f:
                    text.append("== %s\n%s" % (name, "".join(f.readlines()[-30:])))
            except OSError:
                pass
        return "\n".join(text)

    def squeue(self, *options):
        out = subprocess.run(["squeue", "-h", *options], env=self.env,
                             capture_output=True, text=True, check=True).stdout
        return [tuple(line.split()) for line in out.splitlines() if line.strip()]

    def jobs(self):
        """(job id, name, state) of every job in the queue."""
        return self.squeue("-o", "%i %j %T")

    def steps(self):
        """(job.step id, name) of every running step."""
        return self.squeue("-s", "-o", "%i %j")

    def stop(self):
        if self.env is not None:
            subprocess.run(["scancel", "--full", "-u", getpass.getuser()], env=self.env,
                           capture_output=True)
        for _, proc in self.daemons:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for _, proc in self.daemons:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.daemons = []
        if self.dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


if __name__ == "__main__":
    with SlurmCluster() as cluster:
        print("export SLURM_CONF=%s   # Ctrl-C stops the cluster" % cluster.env["SLURM_CONF"])
        sys.stdout.flush()
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
