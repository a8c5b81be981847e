"""prun.py's mesos method: a Paracel job as one Mesos framework.

The servers are command tasks, each bound to a port of its offer (`--port`, advertised as the
agent's address), so prun knows every endpoint when it launches them and waits until each task
runs and its port accepts connections. The workers run under mpirun on prun's host with
`--host paracel-agent-<i>:<ranks>,...` and this package's mesos_shim.py as Open MPI's remote
shell: Open MPI calls the shim once per host with the command line of its daemon (orted), and
the shim asks prun, over a unix socket in the job's folder, to run it as a task on that
agent's offer; the shim ends with the task. prun KILLs every task and sends TEARDOWN
when the job ends, whichever way it ends; the framework has no failover time, so a prun that
dies without a word is torn down by the master too.
"""

import getpass
import json
import os
import select
import shlex
import socket
import threading
import time

import mesos_offers
from mesos_api import MesosError, Scheduler, parse_master  # noqa: F401 (prun.py uses it)

ENDED = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR",
         "TASK_DROPPED", "TASK_GONE", "TASK_GONE_BY_OPERATOR", "TASK_UNREACHABLE"}
SHIM_SOCKET_ENV = "PARACEL_MESOS_SHIM"
# What a task sees of prun's environment: where programs and libraries are, Open MPI's
# settings, Paracel's (the command executor gives a task the agent's environment).
FORWARDED_ENV_PREFIXES = ("OMPI_", "PMIX_", "PARACEL_")
FORWARDED_ENV = ("PATH", "LD_LIBRARY_PATH")
DECLINE_SECONDS = 60.0


class Task:
    def __init__(self, task_id, role, agent):
        self.task_id, self.role, self.agent = task_id, role, agent
        self.state = "TASK_STAGING"
        self.message = ""
        self.endpoint = None  # a server's, once placed

    def ended(self):
        return self.state in ENDED

    def name(self):
        return "%s (task %s on %s)" % (self.role, self.task_id, self.agent.hostname)

    def describe(self):
        """The task and its state, e.g. "server 1 (task ... on host) TASK_LOST (Agent
        removed)"."""
        return "%s %s%s" % (self.name(), self.state,
                            " (%s)" % self.message if self.message else "")


class MesosRun:
    """One job's framework: subscribe, place, launch, watch and stop its tasks."""

    def __init__(self, args, job_dir, env):
        self.args = args
        self.job_dir = job_dir
        self.env = env
        self.token = "%d-%d" % (os.getpid(), int(time.time()))
        self.lock = threading.Condition()
        self.offers = {}  # offer id -> offer held
        self.tasks = {}  # task id -> Task
        self.failure = None  # what ended the framework (ERROR, a lost master)
        self.launching = True  # False: every offer is declined
        self.worker_agents = {}  # host name given to mpirun -> (agent id, ranks)
        self.launched_hosts = set()
        self.servers = []
        self.scheduler = None
        self.shim_listener = None

    # ---- the framework -------------------------------------------------------------------
    def connect(self):
        a = self.args
        info = {"user": a.mesos_user or getpass.getuser(),
                "name": "paracel %s %s" % (os.path.basename(a.program), self.token),
                "failover_timeout": 0.0}
        if a.mesos_role:
            info["role"] = a.mesos_role
        if a.mesos_principal:
            info["principal"] = a.mesos_principal
        self.scheduler = Scheduler(a.mesos_master, info, self.on_event, a.mesos_principal,
                                   read_secret(a.mesos_secret_file), timeout=a.start_timeout)
        self.scheduler.subscribe()

    def on_event(self, event):
        """Called from the scheduler's reader thread for every event."""
        kind = event.get("type")
        declines = []
        if kind == "UPDATE":
            # Acknowledged before it is recorded: whoever sees the task's new state may end
            # the framework, and the master would keep resending an update it never got an
            # acknowledgement for.
            self.acknowledge(event.get("update", {}).get("status", {}))
        with self.lock:
            if kind == "OFFERS":
                for offer in event.get("offers", {}).get("offers", []):
                    if self.launching and self.may_use(offer):
                        self.offers[offer["id"]["value"]] = offer
                    else:
                        declines.append(offer["id"])
            elif kind == "RESCIND":
                self.offers.pop(event.get("rescind", {}).get("offer_id", {}).get("value"), None)
            elif kind == "UPDATE":
                self.update(event.get("update", {}).get("status", {}))
            elif kind == "ERROR":
                self.failure = "the Mesos master ended the framework: %s" % (
                    event.get("error", {}).get("message", "(no message)"))
            elif kind == "DISCONNECTED":
                self.failure = event.get("message")
            self.lock.notify_all()
        for offer_id in declines:
            self.quietly("DECLINE", decline={"offer_ids": [offer_id],
                                             "filters": {"refuse_seconds": DECLINE_SECONDS}})

    def may_use(self, offer):
        """Whether the offer's agent is in the group of a role that runs on Mesos."""
        a = self.args
        groups = [group for group, method in ((a.group_server, a.m_server), (a.group, a.method))
                  if method == "mesos"]
        group = mesos_offers.text_attribute(offer, "group")
        return any(wanted is None or wanted == group for wanted in groups)

    def acknowledge(self, status):
        """Only updates with a uuid are acknowledged: the others (the master's own) are not
        delivered reliably."""
        if "uuid" in status and "agent_id" in status:
            self.quietly("ACKNOWLEDGE", acknowledge={
                "agent_id": status["agent_id"], "task_id": status["task_id"],
                "uuid": status["uuid"]})

    def update(self, status):
        """Records a task's new state."""
        task = self.tasks.get(status.get("task_id", {}).get("value"))
        # Updates may come twice and out of order: an ended task stays ended.
        if task is not None and not task.ended():
            task.state = status.get("state", task.state)
            task.message = status.get("message") or status.get("reason") or ""

    def quietly(self, kind, **fields):
        """A call whose failure only matters to what waits on its effect."""
        try:
            self.scheduler.call(kind, **fields)
        except MesosError as e:
            with self.lock:
                self.failure = self.failure or str(e)
                self.lock.notify_all()

    def check(self):
        """Raises MesosError when the framework or a server task is gone."""
        with self.lock:
            if self.failure:
                raise MesosError(self.failure)
            for task in self.servers:
                if task.ended():
                    raise MesosError("%s ended during the job: %s%s; its output is in the "
                                     "task's sandbox on that agent" % (
                                         task.name(), task.state,
                                         " (%s)" % task.message if task.message else ""))
        if self.scheduler.silent_for_too_long():
            raise MesosError("no heartbeat from %s for %.0f s" % (
                self.scheduler.where(), time.monotonic() - self.scheduler.last_event))

    # ---- placing -------------------------------------------------------------------------
    def needs(self):
        a = self.args
        servers = workers = None
        if a.m_server == "mesos":
            servers = mesos_offers.Need(a.snum, float(a.server_threads), a.mem_limit_server,
                                        a.ppn_server, a.group_server, ports=True)
        if a.method == "mesos":
            workers = mesos_offers.Need(a.wnum, 1.0, a.mem_limit, a.ppn, a.group, ports=False)
        return servers, workers

    def place(self):
        """Waits until the held offers fit every server and worker: (agents, plan)."""
        servers, workers = self.needs()
        deadline = time.monotonic() + self.args.start_timeout
        with self.lock:
            while True:
                if self.failure:
                    raise MesosError(self.failure)
                agents = mesos_offers.group_agents(self.offers.values())
                placement = mesos_offers.plan(agents, servers, workers)
                if placement is not None:
                    return agents, placement
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise MesosError("the Mesos offers held after %.0f s (--start_timeout) do not "
                                     "fit the job: %s" % (self.args.start_timeout,
                                                          mesos_offers.describe(agents, servers,
                                                                                workers)))
                self.lock.wait(min(remaining, 0.5))

    def connect_and_start(self, server_command):
        self.connect()
        return self.start(server_command)

    def start(self, server_command):
        """Places the job, launches the servers (when they run on Mesos); returns their
        endpoints in order. `server_command(port, address)` is a server's command line."""
        agents, placement = self.place()
        launches = {}
        for agent_id, (servers, workers) in sorted(placement.items()):
            agent = agents[agent_id]
            for _ in range(servers):
                port, port_resource = agent.take_port()
                resources = agent.take_process(self.args.server_threads,
                                               self.args.mem_limit_server)
                task = self.new_task("server %d" % len(self.servers), agent)
                task.endpoint = "tcp://%s:%d" % (agent.address, port)
                self.servers.append(task)
                command = "exec " + shlex.join(server_command(port, agent.address))
                launches.setdefault(agent_id, []).append(
                    self.task_info(task, resources + [port_resource], command))
            if workers:
                self.worker_agents["paracel-agent-%d" % len(self.worker_agents)] = (agent_id,
                                                                                     workers)
        with self.lock:
            for agent_id, tasks in launches.items():
                for offer_id in agents[agent_id].offer_ids:
                    self.offers.pop(offer_id, None)
        for agent_id, tasks in launches.items():
            self.accept(agents[agent_id].offer_ids, tasks)
        if not self.worker_agents:
            self.stop_launching()
        return self.wait_for_servers()

    def new_task(self, role, agent):
        task = Task("paracel-%s-%s" % (self.token, role.replace(" ", "-")), role, agent)
        with self.lock:
            self.tasks[task.task_id] = task
        return task

    def task_info(self, task, resources, command):
        variables = [{"name": k, "value": v} for k, v in sorted(self.env.items())
                     if k in FORWARDED_ENV or k.startswith(FORWARDED_ENV_PREFIXES)]
        return {"name": "paracel %s" % task.role, "task_id": {"value": task.task_id},
                "agent_id": {"value": task.agent.agent_id}, "resources": resources,
                "command": {"shell": True, "value": command,
                            "environment": {"variables": variables}}}

    def accept(self, offer_ids, tasks):
        # The rest of the offers comes back at once: the workers may need it.
        self.scheduler.call("ACCEPT", accept={
            "offer_ids": [{"value": o} for o in offer_ids],
            "operations": [{"type": "LAUNCH", "launch": {"task_infos": tasks}}],
            "filters": {"refuse_seconds": 0.0}})

    def stop_launching(self):
        """Every task is launched: the held offers go back, and no more come."""
        with self.lock:
            if not self.launching:
                return
            self.launching = False
            held, self.offers = list(self.offers), {}
        if held:
            self.quietly("DECLINE", decline={"offer_ids": [{"value": o} for o in held],
                                             "filters": {"refuse_seconds": DECLINE_SECONDS}})
        self.quietly("SUPPRESS")

    def wait_for_servers(self):
        """Each server's endpoint once its task runs and its port accepts connections."""
        deadline = time.monotonic() + self.args.start_timeout
        ready = set()
        while len(ready) < len(self.servers):
            self.check()
            if time.monotonic() > deadline:
                waiting = [t.describe() for t in self.servers if t.task_id not in ready]
                raise MesosError("%d of %d servers were not up within %.0f s (--start_timeout): "
                                 "%s" % (len(waiting), len(self.servers), self.args.start_timeout,
                                         "; ".join(waiting)))
            for task in self.servers:
                if task.task_id not in ready and task.state == "TASK_RUNNING" \
                        and accepts_connections(task.endpoint):
                    ready.add(task.task_id)
            time.sleep(0.05)
        return [task.endpoint for task in self.servers]

    # ---- workers -------------------------------------------------------------------------
    def mpirun_options(self, shim):
        """mpirun's options for the workers' ranks on the planned agents, through the shim;
        the environment the shim needs."""
        hosts = ",".join("%s:%d" % (name, ranks)
                         for name, (_, ranks) in self.worker_agents.items())
        path = os.path.join(self.job_dir, "mesos-shim.sock")
        self.shim_listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.shim_listener.bind(path)
        self.shim_listener.listen(len(self.worker_agents) + 4)
        threading.Thread(target=self.serve_shims, daemon=True).start()
        options = ["--host", hosts, "--mca", "plm_rsh_agent", shim,
                   "--mca", "plm_rsh_no_tree_spawn", "1"]
        return options, {SHIM_SOCKET_ENV: path}

    def serve_shims(self):
        while True:
            try:
                connection, _ = self.shim_listener.accept()
            except OSError:
                return  # closed by stop()
            threading.Thread(target=self.serve_shim, args=(connection,), daemon=True).start()

    def serve_shim(self, connection):
        """One request of mesos_shim.py: runs its command on the agent it names; answers with
        the task's final state. A shim that goes away (mpirun ended it) kills the task."""
        with connection:
            try:
                request = json.loads(connection.makefile("rb").readline())
                task = self.launch_daemon(request["host"], request["command"])
                state = self.follow_daemon(task, connection)
                reply = {"state": state.state, "message": state.message,
                         "agent": state.agent.hostname}
            except (MesosError, ValueError, KeyError, TypeError) as e:
                reply = {"error": str(e)}
            try:
                connection.sendall((json.dumps(reply) + "\n").encode())
            except OSError:
                pass

    def launch_daemon(self, host, command):
        if host not in self.worker_agents:
            raise MesosError("mpirun asked for host %s, which prun did not plan" % host)
        agent_id, ranks = self.worker_agents[host]
        with self.lock:
            if host in self.launched_hosts:
                raise MesosError("mpirun asked twice for host %s" % host)
            self.launched_hosts.add(host)
        agent = self.wait_for_offer(agent_id, ranks)
        resources = agent.take_process(ranks, ranks * (self.args.mem_limit or 0))
        task = self.new_task("workers on %s" % host, agent)
        self.accept(agent.offer_ids, [self.task_info(task, resources, command)])
        if len(self.launched_hosts) == len(self.worker_agents):
            self.stop_launching()
        return task

    def wait_for_offer(self, agent_id, ranks):
        """The agent's held offers once they cover `ranks` workers (servers launched there
        took part of the first ones: the rest is offered again)."""
        mem = ranks * (self.args.mem_limit or 0)
        deadline = time.monotonic() + self.args.start_timeout
        with self.lock:
            while True:
                if self.failure:
                    raise MesosError(self.failure)
                held = [o for o in self.offers.values() if o["agent_id"]["value"] == agent_id]
                agent = mesos_offers.group_agents(held).get(agent_id)
                if agent and agent.scalar("cpus") >= ranks - 1e-9 and agent.scalar("mem") >= mem:
                    for offer_id in agent.offer_ids:
                        del self.offers[offer_id]
                    return agent
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise MesosError("agent %s offered no room for %d workers within %.0f s "
                                     "(--start_timeout)" % (agent_id, ranks,
                                                            self.args.start_timeout))
                self.lock.wait(min(remaining, 0.5))

    def follow_daemon(self, task, connection):
        while True:
            with self.lock:
                if task.ended():
                    return task
                if self.failure:
                    raise MesosError(self.failure)
                self.lock.wait(0.2)
            if select.select([connection], [], [], 0)[0]:  # the shim hung up
                self.kill(task)
                raise MesosError("the shim for %s went away" % task.role)

    # ---- stopping ------------------------------------------------------------------------
    def kill(self, task):
        self.quietly("KILL", kill={"task_id": {"value": task.task_id},
                                   "agent_id": {"value": task.agent.agent_id}})

    def stop(self, grace):
        """KILLs every task still running, waits up to `grace` seconds for them to end, and
        tears the framework down (which ends whatever is left). Never raises."""
        if self.shim_listener is not None:
            self.shim_listener.close()
        if self.scheduler is None or self.scheduler.framework_id is None:
            return []
        with self.lock:
            running = [t for t in self.tasks.values() if not t.ended()]
        for task in running:
            self.kill(task)
        deadline = time.monotonic() + grace
        with self.lock:
            while any(not t.ended() for t in running) and not self.failure:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self.lock.wait(min(remaining, 0.2))
            left = [t.describe() for t in running if not t.ended()]
        problems = []
        try:
            self.scheduler.call("TEARDOWN")
        except MesosError as e:
            problems.append("TEARDOWN failed: %s" % e)
        self.scheduler.close()
        if left:
            problems.append("tasks not ended %.0f s after KILL (TEARDOWN ends them): %s"
                            % (grace, "; ".join(left)))
        return problems


def accepts_connections(endpoint):
    host, port = endpoint[len("tcp://"):].rsplit(":", 1)
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=1.0):
            return True
    except OSError:
        return False


def read_secret(path):
    if not path:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            return f.read().strip()
    except OSError as e:
        raise MesosError("--mesos_secret_file %s: %s" % (path, e.strerror)) from None
