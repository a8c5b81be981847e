#!/usr/bin/env python3
"""prun.py: run a Paracel job -- start the parameter servers, then the workers.

    ./prun.py -p 2 -w 3 -c config/word_count.json build/bin/word_count [program args...]
    paracel-run -p 2 -w 3 -c my.json my_algorithm          # the installed launcher

The servers start first, each on a free port; prun waits until every one has reported its
endpoint, then starts the workers with `mpirun -n W` (or as a Slurm job step, -m slurm; as
Mesos tasks, -m mesos: tool/prun/mesos_job.py), passing the endpoints as
`--server_info=E1,E2,...` (and in PARACEL_SERVER_INFO) and the config as `--cfg_file`.
The exit status is the workers': 0 when all succeeded, otherwise non-zero (128 + signal
when killed). The servers are always stopped: on success, on a worker or server failure, and
on Ctrl-C or SIGTERM. Needs only the Python standard library.

While the job runs prun shows one progress line (the workers' clocks, iterations per second,
the latest reported loss, elapsed and remaining time) from the workers' per-iteration metrics,
and when it ends it saves each server's statistics beside them (docs/observability.md).
"""

import argparse
import json
import os
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

ENDPOINT_PREFIX = "PARACEL_SERVER_ENDPOINT "
METHODS = ["local", "mpi", "slurm", "mesos"]
HERE = os.path.dirname(os.path.abspath(__file__))
# Set by `cmake --install` in the installed copy (bin/paracel-run): the plugin folder and
# the folder of the launcher's modules (tool/prun in the source tree), relative to the
# install prefix. In the source tree the build's plugins are used.
INSTALLED_PLUGIN_DIR = None
INSTALLED_MODULE_DIR = None


class JobError(Exception):
    """A failure that ends the job with a message and a non-zero status."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


class Interrupted(Exception):
    """SIGINT or SIGTERM reached prun."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="prun.py",
        description="Launch Paracel parameter servers and workers, and stop them all when "
        "the job ends.",
        epilog="Example: ./prun.py -p 2 -w 3 -c config/word_count.json build/bin/word_count",
    )
    parser.add_argument("-p", "--snum", type=int, default=1, help="number of parameter servers")
    parser.add_argument("-w", "--wnum", type=int, default=1, help="number of workers (MPI ranks)")
    parser.add_argument("-m", "--method", choices=METHODS, default="local",
                        help="how to start the workers: local (this host), mpi (--hostfile), "
                        "slurm (job steps in a Slurm allocation) or mesos (tasks of a Mesos "
                        "framework, --mesos_master)")
    parser.add_argument("--m_server", choices=METHODS,
                        help="how to start the servers (default: as --method)")
    parser.add_argument("--ppn", type=int,
                        help="workers per node (mpi, slurm and mesos methods)")
    parser.add_argument("--ppn_server", type=int,
                        help="servers per node (mpi, slurm and mesos methods)")
    parser.add_argument("--mem_limit", type=int,
                        help="memory of each worker process, in MB: an address-space limit on "
                        "this host, --mem-per-cpu under slurm, the tasks' mem under mesos")
    parser.add_argument("--mem_limit_server", type=int,
                        help="memory of each server process, in MB (as --mem_limit)")
    parser.add_argument("--partition", help="Slurm partition of the allocation (slurm method)")
    parser.add_argument("--time_limit",
                        help="Slurm time limit of the allocation, e.g. 30 or 2:00:00 (slurm "
                        "method)")
    parser.add_argument("--slurm_args", default="",
                        help="more salloc options for the allocation prun makes, in one string "
                        "(slurm method, e.g. \"--account=ml --qos=long\")")
    parser.add_argument("--mesos_master", default=os.environ.get("MESOS_MASTER"),
                        help="Mesos master as host:port (mesos method; default $MESOS_MASTER); "
                        "a master that does not lead redirects prun to the leader")
    parser.add_argument("--mesos_principal",
                        help="the framework's principal, for masters that authenticate "
                        "frameworks (HTTP basic auth; mesos method)")
    parser.add_argument("--mesos_secret_file",
                        help="file holding the principal's secret (mesos method)")
    parser.add_argument("--mesos_role", help="the framework's role (mesos method; default *)")
    parser.add_argument("--mesos_user",
                        help="user the tasks run as (mesos method; default: prun's user)")
    parser.add_argument("--hostfile", help="Open MPI hostfile for the workers (mpi method)")
    parser.add_argument("--hostfile_server",
                        help="Open MPI hostfile for the servers (default: --hostfile)")
    parser.add_argument("-c", "--cfg_file", help="JSON config passed to the program as --cfg_file")
    parser.add_argument("-g", "--group",
                        help="run the workers only on agents whose text attribute group has "
                        "this value (mesos method only)")
    parser.add_argument("--group_server",
                        help="the same for the servers (mesos method only)")
    parser.add_argument("--server_threads", type=int, default=None,
                        help="request-serving threads per server (default 2; with local "
                             "servers, fewer when the host has fewer cores than servers and "
                             "workers need)")
    parser.add_argument("--bind", default=None,
                        help="address the servers bind (default 127.0.0.1 for local servers, "
                        "all interfaces for mpi servers)")
    parser.add_argument("--advertise", default=None,
                        help="host name the servers report to workers (default: the bind "
                        "address, or each server's host name when binding all interfaces; "
                        "under mesos always the agent's address)")
    parser.add_argument("--plugin_dirs", default=None,
                        help="colon-separated directories the servers may load plugins from "
                        "(default: the algorithms' plugins: lib/paracel/plugins of an "
                        "installation, or the build's plugins folder beside its bin folder)")
    parser.add_argument("--server_bin", default=None,
                        help="paracel_server executable (default: $PARACEL_SERVER, the one "
                        "beside the installed launcher, build/bin/paracel_server next to "
                        "prun.py, or paracel_server on PATH)")
    parser.add_argument("--start_timeout", type=float, default=30.0,
                        help="seconds to wait for all servers to report their endpoints")
    parser.add_argument("--timeout", type=float, default=0,
                        help="seconds after which the whole job is stopped (0: no limit)")
    parser.add_argument("--stop_grace", type=float, default=5.0,
                        help="seconds between SIGTERM and SIGKILL when stopping processes")
    parser.add_argument("--secure", action="store_true",
                        help="CURVE encryption and authentication between workers and servers, "
                        "with key pairs made for this job (docs/security.md)")
    parser.add_argument("--keys", default=None,
                        help="with --secure, your own keys instead: a folder with server.key, "
                        "server.key_secret, client.key_secret and allow/ (the admitted clients' "
                        "public certificates)")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line and no server summary")
    parser.add_argument("--progress_every", type=float, default=30.0,
                        help="seconds between progress lines when stderr is not a terminal "
                        "(on a terminal the line is redrawn every second)")
    parser.add_argument("--checkpoint_dir", default=None,
                        help="folder for checkpoints, shared by the servers and the workers "
                        "(docs/checkpoints.md; also a key of the -c config)")
    parser.add_argument("--checkpoint_every", type=int, default=None,
                        help="with --checkpoint_dir, a checkpoint every so many clocks "
                        "(default 0: only where the program asks for one)")
    parser.add_argument("--checkpoint_keep", type=int, default=None,
                        help="how many complete checkpoints to keep, the newest (default 2)")
    parser.add_argument("--resume", action="store_true",
                        help="start from the newest complete checkpoint of --checkpoint_dir")
    parser.add_argument("--restarts", type=int, default=0,
                        help="when a server or worker dies, stop everything and start again "
                        "from the newest complete checkpoint, at most this many times")
    parser.add_argument("program", help="the worker program")
    parser.add_argument("args", nargs=argparse.REMAINDER,
                        help="arguments passed to the program unchanged")
    args = parser.parse_args(argv)
    if args.snum < 1 or args.wnum < 1:
        parser.error("-p/--snum and -w/--wnum must be at least 1")
    if args.server_threads is not None and args.server_threads < 1:
        parser.error("--server_threads must be at least 1")
    if args.progress_every <= 0:
        parser.error("--progress_every must be positive")
    if args.restarts < 0:
        parser.error("--restarts must not be negative")
    args.m_server = args.m_server or args.method
    if args.server_threads is None:
        args.server_threads = default_server_threads(args)
    args.hostfile_server = args.hostfile_server or args.hostfile
    return args


def check_inputs(args):
    """Everything that can be checked before a process starts."""
    if "mesos" in (args.method, args.m_server):
        check_mesos(args)
    if args.cfg_file is not None:
        if not os.path.isfile(args.cfg_file):
            raise JobError("config file %s does not exist" % args.cfg_file, 2)
        try:
            with open(args.cfg_file, encoding="utf-8") as f:
                config = json.load(f)
        except (ValueError, UnicodeDecodeError) as e:
            raise JobError("config file %s is not valid JSON: %s" % (args.cfg_file, e), 2)
        checkpoint_settings_from(config, args)
    check_checkpoint_settings(args)
    if args.keys is not None:
        if not args.secure:
            raise JobError("--keys needs --secure", 2)
        for name in ("server.key", "server.key_secret", "client.key_secret", "allow"):
            if not os.path.exists(os.path.join(args.keys, name)):
                raise JobError("--keys %s has no %s (docs/security.md)" % (args.keys, name), 2)
        args.keys = os.path.abspath(args.keys)
    if args.checkpoint_dir is not None:
        args.checkpoint_dir = os.path.abspath(args.checkpoint_dir)
        if args.resume and not newest_checkpoint(args.checkpoint_dir):
            raise JobError("--resume: no complete checkpoint in %s (no ckpt-*/MANIFEST.json)"
                           % args.checkpoint_dir, 2)
    for name in ("hostfile", "hostfile_server"):
        path = getattr(args, name)
        if path is not None and not os.path.isfile(path):
            raise JobError("--%s %s does not exist" % (name, path), 2)
    if "mpi" in (args.method, args.m_server) and args.hostfile_server is None \
            and args.hostfile is None:
        raise JobError("the mpi method needs --hostfile", 2)
    for name, method in (("group", args.method), ("group_server", args.m_server)):
        if getattr(args, name) and method != "mesos":
            print("prun.py: --%s applies to the mesos method only; ignored" % name,
                  file=sys.stderr)
    if (args.method in ("local", "mpi", "mesos") or args.m_server == "mpi") \
            and not shutil.which("mpirun"):
        raise JobError("mpirun not found; install openmpi-bin (tool/install_deps.sh)", 2)
    if "slurm" in (args.method, args.m_server):
        Slurm.check(args)
    program = shutil.which(args.program) or args.program
    if not (os.path.isfile(program) and os.access(program, os.X_OK)):
        raise JobError("worker program %s is not an executable file" % args.program, 2)
    args.program = os.path.abspath(program)
    args.server_bin = find_server_binary(args.server_bin)
    if args.plugin_dirs is None:
        args.plugin_dirs = default_plugin_dir(args.server_bin)


def launcher_modules():
    """The folder of the launcher's own modules (the mesos method)."""
    if INSTALLED_MODULE_DIR:
        return os.path.join(os.path.dirname(HERE), INSTALLED_MODULE_DIR)
    return os.path.join(HERE, "tool", "prun")


def load_mesos():
    """The mesos method's modules, imported on first use (other methods never load them)."""
    folder = launcher_modules()
    if folder not in sys.path:
        sys.path.insert(0, folder)
    import mesos_job
    return mesos_job


def check_mesos(args):
    mesos = load_mesos()
    if not args.mesos_master:
        raise JobError("the mesos method needs --mesos_master host:port (or $MESOS_MASTER)", 2)
    try:
        mesos.parse_master(args.mesos_master)
        mesos.read_secret(args.mesos_secret_file)
    except mesos.MesosError as e:
        raise JobError(str(e), 2) from None
    if args.mesos_secret_file and not args.mesos_principal:
        raise JobError("--mesos_secret_file needs --mesos_principal", 2)


CHECKPOINT_KEYS = {"checkpoint_dir": str, "checkpoint_every": int, "checkpoint_keep": int}


def checkpoint_settings_from(config, args):
    """The config's checkpoint keys, where the command line left them unset."""
    if not isinstance(config, dict):
        return
    for key, kind in CHECKPOINT_KEYS.items():
        if key not in config or getattr(args, key) is not None:
            continue
        value = config[key]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise JobError("config file %s: %s must be %s" % (
                args.cfg_file, key, "a string" if kind is str else "an integer"), 2)
        setattr(args, key, value)


def check_checkpoint_settings(args):
    if args.checkpoint_every is None:
        args.checkpoint_every = 0
    if args.checkpoint_keep is None:
        args.checkpoint_keep = 2
    if args.checkpoint_every < 0 or args.checkpoint_keep < 1:
        raise JobError("checkpoint_every must not be negative and checkpoint_keep must be at "
                       "least 1", 2)
    if (args.resume or args.checkpoint_every) and not args.checkpoint_dir:
        raise JobError("--resume and --checkpoint_every need --checkpoint_dir", 2)


def newest_checkpoint(folder):
    """The newest complete checkpoint of `folder` (docs/checkpoints.md), or None."""
    try:
        names = os.listdir(folder)
    except OSError:
        return None
    done = [n for n in names if re.fullmatch(r"ckpt-\d+", n)
            and os.path.isfile(os.path.join(folder, n, "MANIFEST.json"))]
    return os.path.join(folder, max(done, key=lambda n: int(n[5:]))) if done else None


def default_plugin_dir(server_bin):
    """The algorithms' plugins: lib/paracel/plugins of an installation, or plugins/ beside
    the build's bin/ folder; none if neither exists."""
    prefix = os.path.dirname(os.path.dirname(server_bin))
    candidates = [os.path.join(prefix, "plugins")]
    if INSTALLED_PLUGIN_DIR:
        candidates.insert(0, os.path.join(os.path.dirname(HERE), INSTALLED_PLUGIN_DIR))
    return next((c for c in candidates if os.path.isdir(c)), "")


def find_server_binary(given):
    candidates = [given] if given else [
        os.environ.get("PARACEL_SERVER"),
        os.path.join(HERE, "paracel_server"),  # the installed launcher, in bin/
        os.path.join(HERE, "build", "bin", "paracel_server"),
        shutil.which("paracel_server"),
    ]
    for c in candidates:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    raise JobError("paracel_server not found (tried %s); build it or pass --server_bin"
                   % ", ".join(c for c in candidates if c), 2)


def mpirun_base(count, hostfile, per_node):
    """mpirun with what Open MPI needs here: root, oversubscription, placement."""
    cmd = ["mpirun", "-n", str(count), "--oversubscribe"]
    if hostfile:
        cmd += ["--hostfile", hostfile]
    if per_node:
        cmd += ["--map-by", "ppr:%d:node" % per_node]
    return cmd


def default_server_threads(args):
    """Two request-serving threads per server, unless servers and workers share this host's
    cores and two would leave fewer than one core per thread: then a thread switch on every
    request costs more than the second thread gains (PageRank on WordNet, 2 cores, 2 + 2
    processes: 6.2 ms per iteration with two threads, 4.9 with one)."""
    if args.m_server != "local":
        return 2
    workers_here = args.wnum if args.method == "local" else 0
    cores = len(os.sched_getaffinity(0))
    return max(1, min(2, cores // (args.snum + workers_here)))


def local_mca(env):
    """Open MPI settings for ranks that share one machine with the servers, unless the
    environment sets them: the ob1 transport (shared memory; the UCX default probes network
    devices for 0.2 s per rank at start-up and brings nothing on one machine), and ranks
    that yield the CPU while they wait in a collective instead of spinning on a core a server
    needs."""
    args = []
    for name, value in (("pml", "ob1"), ("mpi_yield_when_idle", "1")):
        if "OMPI_MCA_" + name not in env:
            args += ["--mca", name, value]
    return args


def child_env(extra=None):
    env = dict(os.environ)
    if os.geteuid() == 0:
        env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
        env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
    env.update(extra or {})
    return env


def limit_memory(megabytes):
    """A preexec_fn capping the address space of a child (None: no cap)."""
    if not megabytes:
        return None

    def apply():
        import resource
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


class Job:
    """The processes of one run; stop() ends them all, whatever state they are in."""

    def __init__(self, args, resume=False):
        self.args = args
        self.resume = resume  # the workers start from the newest complete checkpoint
        self.tmp = tempfile.mkdtemp(prefix="paracel-job-")
        self.stats_dir = os.path.join(self.tmp, "server_stats")
        os.mkdir(self.stats_dir)
        self.servers = []  # (label, Popen, stderr path)
        self.workers = None
        self.endpoints = []
        self.progress = Progress(self.tmp, sys.stderr, args.progress_every, args.quiet)
        self.keys = None  # the key folder under --secure (start_servers)
        self.mpirun_watch = None
        self.relay = None  # the thread copying the slurm worker step's stderr
        self.slurm = Slurm(args) if "slurm" in (args.method, args.m_server) else None
        self.steps = {}  # pid of srun -> its step's role (slurm method)
        self.mesos = None  # the job's Mesos framework (mesos method)
        self.mesos_errors = ()
        if "mesos" in (args.method, args.m_server):
            mesos = load_mesos()
            self.mesos = mesos.MesosRun(args, self.tmp, child_env())
            self.mesos_errors = (mesos.MesosError,)

    # ---- keys (--secure) -----------------------------------------------------------------
    def make_keys(self):
        """The job's key folder: --keys, or fresh pairs for the servers and the workers in the
        job's private temp folder (removed with it); None without --secure."""
        if not self.args.secure:
            return None
        if self.args.keys:
            return self.args.keys
        keys = os.path.join(self.tmp, "keys")
        os.makedirs(os.path.join(keys, "allow"), mode=0o700)
        for name in ("server.key", "client.key"):
            done = subprocess.run([self.args.server_bin, "--make_keys=" + os.path.join(keys, name)],
                                  capture_output=True, text=True)
            if done.returncode != 0:
                raise JobError("cannot make CURVE keys with %s: %s"
                               % (self.args.server_bin, done.stderr.strip()))
        shutil.copy(os.path.join(keys, "client.key"), os.path.join(keys, "allow", "client.key"))
        return keys

    # ---- servers ---------------------------------------------------------------------
    def server_command(self, port=None, address=None):
        """A server's command line; under the mesos method, on an offered port, advertising
        its agent's address."""
        a = self.args
        bind = a.bind or ("127.0.0.1" if a.m_server == "local" else "*")
        cmd = [a.server_bin, "--bind=" + bind, "--threads=%d" % a.server_threads,
               "--stats_dir=" + self.stats_dir]
        if port is not None:
            cmd += ["--port=%d" % port, "--advertise=" + address]
        if self.keys:
            cmd += ["--secure", "--curve_secret=" + os.path.join(self.keys, "server.key_secret"),
                    "--curve_allow=" + os.path.join(self.keys, "allow")]
        if a.advertise and port is None:
            cmd.append("--advertise=" + a.advertise)
        if a.plugin_dirs:
            dirs = ":".join(os.path.abspath(d) for d in a.plugin_dirs.split(":") if d)
            cmd.append("--plugin_dirs=" + dirs)
        if a.checkpoint_dir:
            cmd.append("--checkpoint_dir=" + a.checkpoint_dir)
        return cmd

    def spawn(self, cmd, label, mem_limit, stdout):
        err_path = os.path.join(self.tmp, label.replace(" ", "_") + ".err")
        with open(err_path, "wb") as err:
            proc = subprocess.Popen(cmd, stdout=stdout, stderr=err, stdin=subprocess.DEVNULL,
                                    env=child_env(), start_new_session=True,
                                    preexec_fn=limit_memory(mem_limit))
        return proc, err_path

    def start_servers(self):
        a = self.args
        self.keys = self.make_keys()
        if self.slurm:
            self.allocate()
        if self.mesos:
            # The servers and the workers are placed together: no server starts for a job
            # whose workers have no room.
            endpoints = self.mesos_step(self.mesos.connect_and_start,
                                        self.server_command if a.m_server == "mesos" else None)
            if a.m_server == "mesos":
                self.endpoints = endpoints
                return
        if a.m_server == "local":
            for i in range(a.snum):
                proc, err = self.spawn(self.server_command(), "server %d" % i,
                                       a.mem_limit_server, subprocess.PIPE)
                self.servers.append(("server %d" % i, proc, err))
        elif a.m_server == "slurm":
            cmd = self.slurm.step("servers", a.snum, a.ppn_server, a.mem_limit_server,
                                  mpi=False) + self.server_command()
            proc, err = self.spawn(cmd, "servers (srun)", None, subprocess.PIPE)
            self.steps[proc.pid] = "servers"
            self.servers.append(("servers (srun)", proc, err))
        else:
            cmd = mpirun_base(a.snum, a.hostfile_server, a.ppn_server) + self.server_command()
            proc, err = self.spawn(cmd, "servers (mpirun)", a.mem_limit_server, subprocess.PIPE)
            self.servers.append(("servers (mpirun)", proc, err))
        self.endpoints = self.collect_endpoints()

    def mesos_step(self, method, *args):
        """Runs a step of the mesos method; its failures end the job like prun's own."""
        try:
            return method(*args)
        except self.mesos_errors as e:
            raise JobError(str(e)) from None

    def allocate(self):
        """The Slurm allocation for the steps of the slurm method: --snum + --wnum tasks, on
        as many nodes as --ppn/--ppn_server ask for."""
        a = self.args
        tasks, nodes = 0, 0
        for method, count, per_node in ((a.m_server, a.snum, a.ppn_server),
                                        (a.method, a.wnum, a.ppn)):
            if method == "slurm":
                tasks += count
                if per_node:
                    nodes = max(nodes, -(-count // per_node))
        self.slurm.allocate(tasks, nodes)

    def collect_endpoints(self):
        """Reads PARACEL_SERVER_ENDPOINT lines until there are --snum of them."""
        deadline = time.monotonic() + self.args.start_timeout
        pending = {proc.stdout.fileno(): (label, proc) for label, proc, _ in self.servers}
        buffers = {fd: b"" for fd in pending}
        endpoints = []
        while len(endpoints) < self.args.snum:
            for label, proc, err in self.servers:
                if proc.poll() is not None:
                    raise JobError("%s failed to start (exit status %s): %s"
                                   % (label, proc.returncode, tail(err)))
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise JobError("only %d of %d servers reported an endpoint within %.0f s "
                               "(--start_timeout)" % (len(endpoints), self.args.snum,
                                                      self.args.start_timeout))
            ready, _, _ = select.select(list(pending), [], [], min(remaining, 0.2))
            for fd in ready:
                chunk = os.read(fd, 4096)
                buffers[fd] += chunk
                while b"\n" in buffers[fd]:
                    line, buffers[fd] = buffers[fd].split(b"\n", 1)
                    text = line.decode(errors="replace")
                    if text.startswith(ENDPOINT_PREFIX):
                        endpoints.append(text[len(ENDPOINT_PREFIX):].strip())
                    elif text:
                        print(text, file=sys.stderr)
        # Later output must not fill a pipe and block a server.
        for _, proc, _ in self.servers:
            threading.Thread(target=drain, args=(proc.stdout,), daemon=True).start()
        return endpoints

    # ---- workers ---------------------------------------------------------------------
    def start_workers(self):
        a = self.args
        info = ",".join(self.endpoints)
        extra = {"PARACEL_SERVER_INFO": info, "PARACEL_JOB_DIR": self.tmp}
        if self.keys:
            extra["PARACEL_CURVE_SERVER_KEY"] = os.path.join(self.keys, "server.key")
            extra["PARACEL_CURVE_CLIENT_KEY"] = os.path.join(self.keys, "client.key_secret")
        if a.method == "slurm":
            # srun hands the tasks prun's environment; memory is the step's --mem-per-cpu.
            cmd = self.slurm.step("workers", a.wnum, a.ppn, a.mem_limit, mpi=True)
            memory_cap = None
        elif a.method == "mesos":
            # Memory is each task's mem resource: no limit on mpirun here.
            # Open MPI splits the agent's command at spaces.
            shim = sys.executable + " " + os.path.join(launcher_modules(), "mesos_shim.py")
            options, shim_env = self.mesos_step(self.mesos.mpirun_options, shim)
            extra.update(shim_env)
            cmd = mpirun_base(a.wnum, None, None) + options
            for name in sorted(extra):
                cmd += ["-x", name]
            memory_cap = None
        else:
            hostfile = a.hostfile if a.method == "mpi" else None
            cmd = mpirun_base(a.wnum, hostfile, a.ppn if a.method == "mpi" else None)
            if a.method == "local":
                cmd += local_mca(os.environ)
            for name in sorted(extra):
                cmd += ["-x", name]
            memory_cap = limit_memory(a.mem_limit)
        cmd += [a.program, "--server_info=" + info]
        if a.cfg_file:
            cmd.append("--cfg_file=" + os.path.abspath(a.cfg_file))
        if a.checkpoint_dir:
            cmd += ["--checkpoint_dir=" + a.checkpoint_dir,
                    "--checkpoint_every=%d" % a.checkpoint_every,
                    "--checkpoint_keep=%d" % a.checkpoint_keep]
            if self.resume:
                cmd.append("--resume")
        cmd += a.args
        self.workers = subprocess.Popen(
            cmd, env=child_env(extra), stdin=subprocess.DEVNULL, start_new_session=True,
            stderr=subprocess.PIPE if a.method == "slurm" else None, preexec_fn=memory_cap)
        if a.method == "slurm":
            self.steps[self.workers.pid] = "workers"
            self.relay = self.slurm.relay_stderr(self.workers)
        else:
            self.mpirun_watch = MpirunWatch(self.workers.pid, a.program)

    def supervise(self):
        """Waits for the workers; a server that dies first ends the job."""
        deadline = time.monotonic() + self.args.timeout if self.args.timeout else None
        while True:
            status = self.workers.poll()
            if status is not None:
                self.progress.finish()
                if status != 0 and self.mesos:
                    self.mesos_step(self.mesos.check)  # a lost server is the likelier cause
                if self.args.method == "slurm":
                    return self.slurm.workers_status(exit_status(status), self.relay)
                return exit_status(status)
            status = self.mpirun_watch.stuck_status() if self.mpirun_watch else None
            if status is not None:
                signal_group(self.workers, signal.SIGKILL)  # it no longer answers SIGTERM
                self.progress.finish()
                print("prun.py: mpirun did not exit %.0f s after its ranks ended (a known Open "
                      "MPI 4.1 shutdown hang in PMIx_server_finalize); stopping it"
                      % MpirunWatch.GRACE, file=sys.stderr)
                return status
            self.progress.poll()
            for label, proc, err in self.servers:
                if proc.poll() is not None:
                    where = label
                    if len(self.servers) == 1 and self.args.m_server != "local":
                        where = "a server (%s)" % label
                    raise JobError("%s died during the job (exit status %s); stopping the "
                                   "workers. %s" % (where, exit_status(proc.returncode),
                                                    tail(err)))
            if self.mesos:
                self.mesos_step(self.mesos.check)
            if deadline and time.monotonic() > deadline:
                raise JobError("the job exceeded --timeout %.0f s" % self.args.timeout)
            time.sleep(0.05)

    # ---- stopping --------------------------------------------------------------------
    def stop(self):
        procs = [p for _, p, _ in self.servers]
        if self.workers is not None:
            procs.insert(0, self.workers)
        for proc in procs:
            if proc.pid in self.steps and proc.poll() is None:
                self.slurm.terminate(self.steps[proc.pid], proc)
            else:
                signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + self.args.stop_grace
        for proc in procs:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in procs:
            # Whole process groups: mpirun's ranks and their children go too.
            signal_group(proc, signal.SIGKILL)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                print("prun.py: process %d did not exit after SIGKILL" % proc.pid,
                      file=sys.stderr)
        if self.slurm:
            self.slurm.release()
        if self.mesos:
            for problem in self.mesos.stop(self.args.stop_grace):
                print("prun.py: " + problem, file=sys.stderr)
        self.progress.finish()
        self.save_server_stats()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def save_server_stats(self):
        """Copies the servers' final statistics beside the workers' metrics (when these are
        kept in an output folder) as server-<i>.json, i in --server_info order, and prints a
        summary line per server."""
        found = {}
        for name in sorted(os.listdir(self.stats_dir)):
            if not name.endswith(".json"):
                continue
            try:
                with open(os.path.join(self.stats_dir, name), encoding="utf-8") as f:
                    stats = json.load(f)
                found[stats["endpoint"]] = stats
            except (OSError, ValueError, KeyError) as e:
                print("prun.py: unreadable server statistics %s: %s" % (name, e),
                      file=sys.stderr)
        keep = self.progress.metrics_dir()
        if keep and keep.startswith(self.tmp):
            keep = None  # no output folder: the metrics go with the job's temp folder
        for index, endpoint in enumerate(self.endpoints):
            stats = found.get(endpoint)
            if stats is None:
                continue
            if keep:
                try:
                    with open(os.path.join(keep, "server-%d.json" % index), "w",
                              encoding="utf-8") as f:
                        json.dump(stats, f)
                        f.write("\n")
                except OSError as e:
                    print("prun.py: cannot save server statistics in %s: %s" % (keep, e),
                          file=sys.stderr)
            if not self.args.quiet:
                print("prun.py: " + server_summary(index, stats), file=sys.stderr)
        if keep and not self.args.quiet:
            report = "tool/report.py" if INSTALLED_PLUGIN_DIR is None else "paracel-report"
            print("prun.py: metrics in %s (%s %s draws them)"
                  % (keep, report, os.path.dirname(keep)), file=sys.stderr)


def server_summary(index, stats):
    """One line about a server: requests, the busiest op's latency, what it holds."""
    ops = {name: op for name, op in stats.get("ops", {}).items() if op.get("requests")}
    busiest = max(ops, key=lambda name: ops[name]["requests"], default=None)
    text = "server %d %s: %d requests, %d errors" % (
        index, stats.get("endpoint", "?"), stats.get("requests", 0), stats.get("errors", 0))
    if busiest:
        text += ", most %s (%d, p50 %.0f us, p99 %.0f us)" % (
            busiest, ops[busiest]["requests"], ops[busiest]["p50_us"], ops[busiest]["p99_us"])
    text += ", %d keys, %.1f MB held" % (stats.get("keys", 0), stats.get("bytes", 0) / 1e6)
    return text


class Progress:
    """The live progress line, read from the workers' metrics files (worker-<k>.jsonl in the
    folder that worker 0 names in <job folder>/metrics_dir). On a terminal the line is redrawn
    in place every second; otherwise one line is printed every `every` seconds."""

    def __init__(self, job_dir, stream, every, quiet):
        self.job_dir = job_dir
        self.stream = stream
        self.quiet = quiet
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.every = 1.0 if self.tty else every
        self.started = time.monotonic()
        self.last_draw = self.started
        self.folder = None
        self.offsets = {}  # file -> bytes read
        self.pending = {}  # file -> an incomplete last line
        self.workers = {}  # worker -> its latest line
        self.values = {}  # worker -> {reported name: latest value}
        self.history = []  # (monotonic time, slowest clock), for the rate

    def metrics_dir(self):
        if self.folder is None:
            try:
                with open(os.path.join(self.job_dir, "metrics_dir"), encoding="utf-8") as f:
                    self.folder = f.read().strip() or None
            except OSError:
                pass
        return self.folder

    def read(self):
        folder = self.metrics_dir()
        if not folder or not os.path.isdir(folder):
            return
        for name in os.listdir(folder):
            if not (name.startswith("worker-") and name.endswith(".jsonl")):
                continue
            path = os.path.join(folder, name)
            try:
                with open(path, "rb") as f:
                    f.seek(self.offsets.get(path, 0))
                    chunk = f.read()
            except OSError:
                continue
            self.offsets[path] = self.offsets.get(path, 0) + len(chunk)
            text = self.pending.pop(path, b"") + chunk
            *lines, rest = text.split(b"\n")
            if rest:
                self.pending[path] = rest
            for line in lines:
                try:
                    entry = json.loads(line)
                    worker = int(entry["worker"])
                except (ValueError, KeyError, TypeError):
                    continue
                self.workers[worker] = entry
                self.values.setdefault(worker, {}).update(entry.get("report") or {})

    def line(self):
        now = time.monotonic()
        elapsed = now - self.started
        if not self.workers:
            return "prun.py: %s elapsed, waiting for the first iteration" % clock_text(elapsed)
        clocks = [e.get("clock", 0) for e in self.workers.values()]
        slowest, fastest = min(clocks), max(clocks)
        total = max(e.get("total", 0) for e in self.workers.values())
        self.history.append((now, slowest))
        while len(self.history) > 2 and now - self.history[0][0] > 30:
            self.history.pop(0)
        then, before = self.history[0]
        rate = (slowest - before) / (now - then) if now > then and slowest > before else None
        parts = ["clock %d" % slowest if slowest == fastest else "clock %d-%d" % (slowest, fastest)]
        if total > 0:
            parts[0] += " of %d" % total
        parts[0] += " (%d worker%s)" % (len(self.workers), "" if len(self.workers) == 1 else "s")
        if rate:
            parts.append("%.3g it/s" % rate)
        names = []
        for values in self.values.values():
            names += [n for n in values if n not in names]
        for name in names[:2]:
            seen = [v[name] for v in self.values.values() if isinstance(v.get(name), (int, float))]
            if seen:
                parts.append("%s %.6g" % (name, sum(seen) / len(seen)))
        timing = clock_text(elapsed) + " elapsed"
        if rate and total > slowest:
            timing += ", ~%s left" % clock_text((total - slowest) / rate)
        parts.append(timing)
        return "prun.py: " + " | ".join(parts)

    def draw(self, final=False):
        text = self.line()
        if self.tty:  # redrawn in place; the last one ends the line
            self.stream.write("\r" + text + "\x1b[K" + ("\n" if final else ""))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def poll(self):
        if self.quiet or time.monotonic() - self.last_draw < self.every:
            return
        self.last_draw = time.monotonic()
        self.read()
        self.draw()

    def finish(self):
        """Draws the last state once, if there was any iteration."""
        if self.quiet:
            return
        self.quiet = True  # finish() is called again on the way out
        self.read()
        if self.workers:
            self.draw(final=True)
        elif self.tty and time.monotonic() - self.started >= self.every:
            self.stream.write("\r\x1b[K")  # the "waiting" line goes


class Slurm:
    """The slurm method: servers and workers are two job steps (srun) of one allocation --
    the caller's when prun runs inside one (SLURM_JOB_ID), otherwise one that prun asks for
    with `salloc --no-shell` and cancels when the job ends, whatever the way it ends.

    Steps are named paracel-<role>-<token> so that they (and the allocation, named
    paracel-<token>) can be found with squeue and signalled with scancel: a step's tasks run
    under slurmd on the allocated nodes, not under prun."""

    def __init__(self, args):
        self.args = args
        self.token = "%d-%d" % (os.getpid(), int(time.time()))
        self.job_id = os.environ.get("SLURM_JOB_ID")
        self.own_allocation = self.job_id is None
        self.allocating = None  # salloc while it waits for the allocation
        self.first_exit_code = None  # of the first worker task that failed

    @staticmethod
    def check(args):
        needed = ["srun", "squeue", "scancel"] + ([] if os.environ.get("SLURM_JOB_ID") else
                                                  ["salloc"])
        missing = [name for name in needed if shutil.which(name) is None]
        if missing:
            raise JobError("the slurm method needs %s on PATH (Debian: slurm-client)"
                           % ", ".join(missing), 2)
        try:
            shlex.split(args.slurm_args)
        except ValueError as e:
            raise JobError("--slurm_args %r: %s" % (args.slurm_args, e), 2)

    def allocate(self, tasks, nodes):
        """Waits for an allocation of `tasks` tasks (on at least `nodes` nodes) unless prun
        already runs inside one."""
        if not self.own_allocation:
            return
        a = self.args
        cmd = ["salloc", "--no-shell", "-n", str(tasks), "-J", "paracel-" + self.token]
        if nodes:
            cmd += ["-N", str(nodes)]
        if a.partition:
            cmd += ["--partition", a.partition]
        if a.time_limit:
            cmd += ["--time", a.time_limit]
        memory = max(a.mem_limit or 0, a.mem_limit_server or 0)
        if memory:
            cmd.append("--mem-per-cpu=%d" % memory)
        cmd += shlex.split(a.slurm_args)
        print("prun.py: waiting for a Slurm allocation of %d tasks" % tasks, file=sys.stderr)
        self.allocating = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, text=True,
                                           start_new_session=True)
        reason = None
        while True:
            try:
                out, err = self.allocating.communicate(timeout=2)
                break
            except subprocess.TimeoutExpired:
                reason = self.say_why_pending(reason)
        status, self.allocating = self.allocating.returncode, None
        granted = re.search(r"Granted job allocation (\d+)", err)
        if status != 0 or not granted:
            raise JobError("salloc could not allocate %d tasks (exit status %d): %s"
                           % (tasks, status, (err + out).strip()[-2000:]))
        self.job_id = granted.group(1)
        print("prun.py: Slurm job %s allocated" % self.job_id, file=sys.stderr)

    def say_why_pending(self, said):
        """Prints why the allocation waits (squeue's reason: Resources, Priority,
        PartitionConfig...) when it changed since `said`; returns the reason."""
        done = subprocess.run(["squeue", "-h", "-n", "paracel-" + self.token, "-o", "%i %T %r"],
                              capture_output=True, text=True)
        parts = done.stdout.split()
        if len(parts) == 3 and parts[1] == "PENDING" and parts[2] != said:
            print("prun.py: Slurm job %s is pending (reason: %s)" % (parts[0], parts[2]),
                  file=sys.stderr)
            return parts[2]
        return said

    def step(self, role, count, per_node, memory, mpi):
        """The srun command line of one step of `count` tasks."""
        cmd = ["srun", "--jobid=" + self.job_id, "--overlap", "--kill-on-bad-exit=1",
               "-n", str(count), "-J", "paracel-%s-%s" % (role, self.token)]
        if per_node:
            cmd.append("--ntasks-per-node=%d" % per_node)
        if memory:
            cmd.append("--mem-per-cpu=%d" % memory)
        if mpi:
            cmd.append("--mpi=pmix")  # Debian's Open MPI starts under Slurm's PMIx
        else:
            cmd.append("--unbuffered")  # the servers' endpoint lines at once
        return cmd

    def relay_stderr(self, srun):
        """Copies the worker step's stderr to prun's, noting the first task's failure: srun
        exits with the highest status of its tasks, which is usually the SIGTERM (143) that
        --kill-on-bad-exit sent the others, not the status of the task that failed."""
        def relay():
            for line in iter(srun.stderr.readline, b""):
                text = line.decode(errors="replace")
                failed = re.search(r"srun: error: .*: tasks? [0-9,-]+: Exited with exit code (\d+)",
                                   text)
                if failed and self.first_exit_code is None and int(failed.group(1)) != 0:
                    self.first_exit_code = int(failed.group(1))
                sys.stderr.write(text)
                sys.stderr.flush()

        thread = threading.Thread(target=relay, daemon=True)
        thread.start()
        return thread

    def workers_status(self, srun_status, relay):
        relay.join(5)  # srun has exited: its last lines are in the pipe
        return self.first_exit_code or srun_status

    def step_ids(self, role=None):
        """Ids (job.step) of this job's steps that are still running."""
        if self.job_id is None:
            return []
        done = subprocess.run(["squeue", "-h", "-s", "-j", self.job_id, "-o", "%i %j"],
                              capture_output=True, text=True)
        prefix = "paracel-%s-" % role if role else "paracel-"
        ids = []
        for line in done.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1].startswith(prefix) and \
                    parts[1].endswith("-" + self.token):
                ids.append(parts[0])
        return ids

    def terminate(self, role, srun):
        """SIGTERM to a step's tasks (they exit cleanly and srun with them); before the step
        is registered, SIGTERM to srun, which cancels it."""
        ids = self.step_ids(role)
        if ids:
            subprocess.run(["scancel", "--signal=TERM"] + ids, capture_output=True)
        else:
            signal_group(srun, signal.SIGTERM)

    def release(self):
        """Kills whatever step is left and gives back the allocation prun made (also one
        still pending, found by its name)."""
        if self.allocating is not None:
            signal_group(self.allocating, signal.SIGTERM)
            self.allocating.wait()
        if self.own_allocation:
            subprocess.run(["scancel", "-n", "paracel-" + self.token], capture_output=True)
        else:
            ids = self.step_ids()
            if ids:
                subprocess.run(["scancel"] + ids, capture_output=True)


class MpirunWatch:
    """Notices an mpirun that hangs after its ranks ended.

    Open MPI 4.1 with PMIx 4 sometimes deadlocks in PMIx_server_finalize after a rank exited
    with a non-zero status: the job is over, the other ranks were killed and wait unreaped as
    zombies, and mpirun never exits. When mpirun has had ranks of its own (children running
    the worker program; ranks on other hosts hang under an ssh or orted child, which are not
    counted) and none of them is alive any more for GRACE seconds, the ranks' exit status is
    taken from the zombies' wait status (/proc/<pid>/stat, field 52) and mpirun is stopped by
    the caller."""

    GRACE = 5.0
    CHECK_EVERY = 1.0

    def __init__(self, pid, program):
        self.pid = pid
        # The kernel keeps the first 15 bytes of an executable's name (comm).
        self.rank_name = os.path.basename(program)[:15]
        self.had_ranks = False
        self.all_ended_since = None
        self.next_check = time.monotonic()

    def stuck_status(self):
        """None while mpirun may still be working; otherwise the workers' exit status."""
        now = time.monotonic()
        if now < self.next_check:
            return None
        self.next_check = now + self.CHECK_EVERY
        children = child_processes(self.pid)
        if children is None:
            return None  # no /proc: nothing to watch
        ranks = [(state, status) for name, state, status in children if name == self.rank_name]
        self.had_ranks = self.had_ranks or bool(ranks)
        if not self.had_ranks or any(state != "Z" for state, _ in ranks):
            self.all_ended_since = None
            return None
        if self.all_ended_since is None:
            self.all_ended_since = now
            return None
        if now - self.all_ended_since < self.GRACE:
            return None
        for _, wait_status in ranks:
            if wait_status != 0:
                signum = wait_status & 0x7F
                return 128 + signum if signum else (wait_status >> 8) & 0xFF
        # Every rank still visible ended well, but mpirun only hangs like this after a
        # failure, and the rank that failed was reaped: never report such a job as a success.
        return 1


def child_processes(pid):
    """(name, state, wait status) of every child of pid, from /proc; None without /proc."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    children = []
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry, encoding="utf-8", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue  # ended meanwhile
        # The command name (field 2) may hold spaces and parentheses: split after the last ')'.
        name = stat[stat.find("(") + 1:stat.rfind(")")]
        fields = stat[stat.rfind(")") + 2:].split()
        if len(fields) < 2 or int(fields[1]) != pid:
            continue
        wait_status = int(fields[49]) if len(fields) >= 50 else 0
        children.append((name, fields[0], wait_status))
    return children


def clock_text(seconds):
    seconds = int(seconds)
    if seconds >= 3600:
        return "%d:%02d:%02d" % (seconds // 3600, seconds // 60 % 60, seconds % 60)
    return "%d:%02d" % (seconds // 60, seconds % 60)


def signal_group(proc, signum):
    try:
        os.killpg(proc.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def drain(stream):
    for line in iter(stream.readline, b""):
        sys.stdout.write(line.decode(errors="replace"))
        sys.stdout.flush()


def tail(path, lines=20):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read().strip().splitlines()
    except OSError:
        return ""
    return ("its stderr: " + "\n".join(text[-lines:])) if text else "(no stderr output)"


def exit_status(returncode):
    """Popen's negative 'killed by signal' status as a shell would report it."""
    return 128 - returncode if returncode < 0 else returncode


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)

    def on_signal(signum, _frame):
        raise Interrupted(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        check_inputs(args)
        return run_with_restarts(args)
    except JobError as e:
        print("prun.py: " + str(e), file=sys.stderr)
        return e.status
    except Interrupted as e:  # between attempts
        print("prun.py: %s received" % e, file=sys.stderr)
        return 128 + e.signum


def run_with_restarts(args):
    """Runs the job; under --restarts, again from the newest checkpoint after a failure."""
    failures = []  # what ended each failed attempt, for --restarts
    resume = args.resume
    while True:
        status, started, failure = run_once(args, resume)
        if status == 0 or not started or failure is None:
            break
        failures.append(failure)
        if len(failures) > args.restarts:
            if args.restarts:
                print("prun.py: giving up after %d restart(s); the attempts ended with: %s"
                      % (args.restarts, "; ".join("%d: %s" % (i + 1, f)
                                                  for i, f in enumerate(failures))),
                      file=sys.stderr)
            break
        newest = newest_checkpoint(args.checkpoint_dir) if args.checkpoint_dir else None
        resume = newest is not None
        print("prun.py: restart %d of %d, from %s" % (
            len(failures), args.restarts,
            newest if newest else "the start (no complete checkpoint yet)"), file=sys.stderr)
    return status


def run_once(args, resume):
    """One attempt at the job: (exit status, whether the workers started, what failed or
    None when it succeeded or was interrupted)."""
    job = None
    started = False
    try:
        job = Job(args, resume)
        job.start_servers()
        print("prun.py: %d server(s) up: %s" % (len(job.endpoints), ",".join(job.endpoints)),
              file=sys.stderr)
        job.start_workers()
        started = True
        status = job.supervise()
        if status != 0:
            print("prun.py: workers failed with exit status %d" % status, file=sys.stderr)
            return status, started, "workers failed with exit status %d" % status
        return status, started, None
    except JobError as e:
        print("prun.py: " + str(e), file=sys.stderr)
        return e.status, started, str(e).split(". ")[0]
    except Interrupted as e:
        print("prun.py: %s received; stopping servers and workers" % e, file=sys.stderr)
        return 128 + e.signum, started, None
    finally:
        if job is not None:
            # A second Ctrl-C must not interrupt the clean-up.
            previous = (signal.signal(signal.SIGINT, signal.SIG_IGN),
                        signal.signal(signal.SIGTERM, signal.SIG_IGN))
            job.stop()
            signal.signal(signal.SIGINT, previous[0])
            signal.signal(signal.SIGTERM, previous[1])


if __name__ == "__main__":
    sys.exit(main())
