"""A Mesos master for prun.py -m mesos's tests: the v1 scheduler HTTP API over a real HTTP
server (standard library), with agents that run launched tasks as local process groups.

It is strict where real Mesos is: every call is parsed into the v1 `Call` protobuf compiled
from the .proto files Debian ships (proto_check.py: unknown fields and missing required fields
are refused with 400, as the master does), calls need the subscription's Mesos-Stream-Id and
framework id, an offer is used at most once, a task may use only what its offers hold.
Events go out as RecordIO cut into chunks of random sizes, each one also checked against the
v1 `Event` message. Status updates carry a uuid and are sent again until acknowledged.
What it refused is in `errors`, every call in `calls`.
"""

import base64
import http.server
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import uuid

TERMINAL = {"TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR",
            "TASK_DROPPED", "TASK_GONE"}
KILL_GRACE = 3.0


class Agent:
    def __init__(self, name, cpus, mem, ports, group=None):
        self.id = "agent-" + name + "-S0"
        self.hostname = name
        self.total = {"cpus": float(cpus), "mem": float(mem)}
        self.free = dict(self.total)
        self.free_ports = set(range(ports[0], ports[1] + 1))
        self.group = group
        self.lost = False
        self.refused_until = 0.0


def port_ranges(ports):
    ranges, ports = [], sorted(ports)
    for p in ports:
        if ranges and ranges[-1][1] == p - 1:
            ranges[-1][1] = p
        else:
            ranges.append([p, p])
    return [{"begin": b, "end": e} for b, e in ranges]


class Task:
    def __init__(self, info, agent, resources):
        self.id = info["task_id"]["value"]
        self.agent = agent
        self.resources = resources  # (cpus, mem, ports)
        self.info = info
        self.state = "TASK_STAGING"
        self.proc = None
        self.killed_at = None


class TestMaster:
    def __init__(self, agents, checker, principal=None, secret=None, heartbeat=1.0,
                 error_on_subscribe=None, redirect_to=None, allocation_interval=0.2):
        self.agents = {a.id: a for a in agents}
        self.checker = checker
        self.credentials = (principal, secret) if principal else None
        self.heartbeat = heartbeat
        self.error_on_subscribe = error_on_subscribe
        self.redirect_to = redirect_to
        self.allocation_interval = allocation_interval
        self.lock = threading.RLock()
        self.calls = []  # (type, call) of every call that passed the checks
        self.errors = []  # what was refused, and why
        self.offers = {}  # offer id -> (agent, cpus, mem, ports)
        self.used_offers = set()
        self.tasks = {}
        self.unacked = {}  # uuid -> event
        self.acked = set()
        self.framework_id = None
        self.stream_id = None
        self.events = None  # the subscriber's queue
        self.suppressed = False
        self.torn_down = False
        self.sandbox = tempfile.mkdtemp(prefix="mesos-sandbox-")
        self.stopping = threading.Event()
        master = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                master.handle(self)

        self.http = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.daemon_threads = True
        self.port = self.http.server_address[1]
        self.address = "127.0.0.1:%d" % self.port

    # ---- life ----------------------------------------------------------------------------
    def start(self):
        for target in (self.http.serve_forever, self.allocate_loop, self.watch_tasks):
            threading.Thread(target=target, daemon=True).start()
        return self

    def stop(self):
        self.stopping.set()
        with self.lock:
            for task in self.tasks.values():
                if task.proc and task.proc.poll() is None:
                    os.killpg(task.proc.pid, signal.SIGKILL)
                    task.proc.wait()
            if self.events:
                self.events.put(None)
        self.http.shutdown()
        self.http.server_close()
        shutil.rmtree(self.sandbox, ignore_errors=True)

    def running_tasks(self):
        with self.lock:
            return [t.id for t in self.tasks.values() if t.state not in TERMINAL]

    def call_types(self):
        with self.lock:
            return [kind for kind, _ in self.calls]

    # ---- HTTP ----------------------------------------------------------------------------
    def reply(self, request, status, text="", headers=()):
        body = text.encode()
        request.send_response(status)
        for name, value in headers:
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def refuse(self, request, status, message):
        with self.lock:
            self.errors.append(message)
        self.reply(request, status, message)

    def handle(self, request):
        body = request.rfile.read(int(request.headers.get("Content-Length", 0)))
        if request.path != "/api/v1/scheduler":
            return self.refuse(request, 404, "no such endpoint: " + request.path)
        if self.redirect_to:
            return self.reply(request, 307, headers=[
                ("Location", "//%s/api/v1/scheduler" % self.redirect_to)])
        if self.credentials and not self.authorized(request.headers.get("Authorization")):
            return self.refuse(request, 401, "authentication required")
        try:
            call = json.loads(body)
            self.checker.check_call(call)
        except ValueError as e:
            return self.refuse(request, 400, "Failed to validate scheduler::Call: %s" % e)
        kind = call["type"]
        if kind == "SUBSCRIBE":
            return self.subscribe(request, call)
        with self.lock:
            if request.headers.get("Mesos-Stream-Id") != self.stream_id or self.stream_id is None:
                return self.refuse(request, 400, "%s without the subscription's Mesos-Stream-Id"
                                   % kind)
            if call.get("framework_id", {}).get("value") != self.framework_id or \
                    self.torn_down:
                return self.refuse(request, 400, "%s for an unknown framework" % kind)
            self.calls.append((kind, call))
            getattr(self, "on_" + kind.lower(), lambda call: None)(call)
        self.reply(request, 202)

    def authorized(self, header):
        if not header or not header.startswith("Basic "):
            return False
        given = base64.b64decode(header[6:]).decode()
        return given == "%s:%s" % self.credentials

    def subscribe(self, request, call):
        with self.lock:
            self.calls.append(("SUBSCRIBE", call))
            self.framework_id = "framework-" + uuid.uuid4().hex[:8]
            self.stream_id = str(uuid.uuid4())
            self.events = queue.Queue()
        request.send_response(200)
        request.send_header("Content-Type", "application/json")
        request.send_header("Transfer-Encoding", "chunked")
        request.send_header("Mesos-Stream-Id", self.stream_id)
        request.end_headers()
        if self.error_on_subscribe:
            self.send_event(request, {"type": "ERROR",
                                      "error": {"message": self.error_on_subscribe}})
            request.wfile.write(b"0\r\n\r\n")
            return
        self.send_event(request, {"type": "SUBSCRIBED", "subscribed": {
            "framework_id": {"value": self.framework_id},
            "heartbeat_interval_seconds": self.heartbeat}})
        next_heartbeat = time.monotonic() + self.heartbeat
        try:
            while not self.stopping.is_set():
                try:
                    event = self.events.get(timeout=max(0.0, next_heartbeat - time.monotonic()))
                except queue.Empty:
                    event = {"type": "HEARTBEAT"}
                    next_heartbeat = time.monotonic() + self.heartbeat
                if event is None:
                    break
                self.send_event(request, event)
            request.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the framework hung up
        with self.lock:
            if not self.torn_down:
                # failover_timeout 0: a framework that disconnects is removed at once.
                self.on_teardown(None)

    def send_event(self, request, event):
        self.checker.check_event(event)
        data = json.dumps(event).encode()
        record = b"%d\n%s" % (len(data), data)
        while record:  # chunks of any size: the client must not rely on their boundaries
            size = random.randint(1, max(1, len(record)))
            chunk, record = record[:size], record[size:]
            request.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        request.wfile.flush()

    def emit(self, event):
        if self.events is not None and not self.torn_down:
            self.events.put(event)

    # ---- offers --------------------------------------------------------------------------
    def allocate_loop(self):
        while not self.stopping.wait(self.allocation_interval):
            with self.lock:
                if self.framework_id is None or self.torn_down or self.suppressed:
                    continue
                offered = {o[0].id for o in self.offers.values()}
                offers = []
                for agent in self.agents.values():
                    if agent.lost or agent.id in offered or time.monotonic() < agent.refused_until:
                        continue
                    if agent.free["cpus"] < 0.01 and agent.free["mem"] < 1:
                        continue
                    offers.append(self.make_offer(agent))
                if offers:
                    self.emit({"type": "OFFERS", "offers": {"offers": offers}})

    def make_offer(self, agent):
        offer_id = "offer-" + uuid.uuid4().hex[:8]
        cpus, mem, ports = agent.free["cpus"], agent.free["mem"], set(agent.free_ports)
        agent.free = {"cpus": 0.0, "mem": 0.0}
        agent.free_ports = set()
        self.offers[offer_id] = (agent, cpus, mem, ports)
        resources = [{"name": "cpus", "type": "SCALAR", "scalar": {"value": cpus}, "role": "*"},
                     {"name": "mem", "type": "SCALAR", "scalar": {"value": mem}, "role": "*"}]
        if ports:
            resources.append({"name": "ports", "type": "RANGES", "role": "*",
                              "ranges": {"range": port_ranges(ports)}})
        offer = {"id": {"value": offer_id}, "framework_id": {"value": self.framework_id},
                 "agent_id": {"value": agent.id}, "hostname": agent.hostname,
                 "url": {"scheme": "http", "path": "/slave(1)",
                         "address": {"hostname": agent.hostname, "ip": "127.0.0.1",
                                     "port": 5051}},
                 "resources": resources}
        if agent.group:
            offer["attributes"] = [{"name": "group", "type": "TEXT",
                                    "text": {"value": agent.group}}]
        return offer

    def give_back(self, agent, cpus, mem, ports, refuse_seconds=0.0):
        agent.free["cpus"] += cpus
        agent.free["mem"] += mem
        agent.free_ports |= ports
        agent.refused_until = max(agent.refused_until, time.monotonic() + refuse_seconds)

    def take_offers(self, ids, kind):
        """The offers of a call, removed; None (and an error) if one is not outstanding."""
        taken = []
        for offer_id in ids:
            if offer_id in self.used_offers or offer_id not in self.offers:
                self.errors.append("%s of offer %s, which is not outstanding" % (kind, offer_id))
                for taken_id, offer in taken:
                    self.offers[taken_id] = offer
                    self.used_offers.discard(taken_id)
                return None
            taken.append((offer_id, self.offers.pop(offer_id)))
            self.used_offers.add(offer_id)
        return [offer for _, offer in taken]

    def on_decline(self, call):
        decline = call["decline"]
        refuse = decline.get("filters", {}).get("refuse_seconds", 5.0)
        offers = self.take_offers([o["value"] for o in decline["offer_ids"]], "DECLINE") or []
        for agent, cpus, mem, ports in offers:
            self.give_back(agent, cpus, mem, ports, refuse)

    def on_suppress(self, call):
        self.suppressed = True

    def on_revive(self, call):
        self.suppressed = False

    # ---- tasks ---------------------------------------------------------------------------
    def on_accept(self, call):
        accept = call["accept"]
        ids = [o["value"] for o in accept["offer_ids"]]
        infos = [t for op in accept.get("operations", []) if op["type"] == "LAUNCH"
                 for t in op["launch"]["task_infos"]]
        offers = self.take_offers(ids, "ACCEPT")
        if offers is None or len({o[0].id for o in offers}) != 1:
            if offers is not None:
                self.errors.append("ACCEPT of offers from several agents")
            for info in infos:
                self.update_new(info, "TASK_DROPPED", "REASON_INVALID_OFFERS")
            return
        agent = offers[0][0]
        cpus = sum(o[1] for o in offers)
        mem = sum(o[2] for o in offers)
        ports = set().union(*(o[3] for o in offers))
        for info in infos:
            need = self.task_resources(info)
            problem = None
            if info["task_id"]["value"] in self.tasks:
                problem = "duplicate task id"
            elif info["agent_id"]["value"] != agent.id:
                problem = "task for another agent than its offers'"
            elif need[0] > cpus + 1e-9 or need[1] > mem + 1e-9 or not need[2] <= ports:
                problem = "Task uses more resources than available"
            if problem:
                self.errors.append("%s: %s" % (info["task_id"]["value"], problem))
                self.update_new(info, "TASK_ERROR", "REASON_TASK_INVALID", problem)
                continue
            cpus, mem, ports = cpus - need[0], mem - need[1], ports - need[2]
            self.launch(info, agent, need)
        filters = accept.get("filters", {})
        self.give_back(agent, cpus, mem, ports, filters.get("refuse_seconds", 5.0))

    @staticmethod
    def task_resources(info):
        cpus = mem = 0.0
        ports = set()
        for r in info.get("resources", []):
            if r["name"] == "cpus":
                cpus += r["scalar"]["value"]
            elif r["name"] == "mem":
                mem += r["scalar"]["value"]
            elif r["name"] == "ports":
                for span in r["ranges"]["range"]:
                    ports |= set(range(int(span["begin"]), int(span["end"]) + 1))
        return cpus, mem, ports

    def launch(self, info, agent, need):
        task = Task(info, agent, need)
        self.tasks[task.id] = task
        # The agent's environment without what prun must forward itself, then the task's.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("OMPI_", "PARACEL_MESOS", "PMIX_"))}
        for variable in info["command"].get("environment", {}).get("variables", []):
            env[variable["name"]] = variable["value"]
        env["MESOS_TASK_ID"] = task.id
        sandbox = os.path.join(self.sandbox, task.id)
        os.makedirs(sandbox)
        command = info["command"]
        argv = ["sh", "-c", command["value"]] if command.get("shell", True) \
            else [command["value"]] + command.get("arguments", [])[1:]
        with open(os.path.join(sandbox, "stdout"), "wb") as out, \
                open(os.path.join(sandbox, "stderr"), "wb") as err:
            task.proc = subprocess.Popen(argv, cwd=sandbox, env=env, stdout=out, stderr=err,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self.update(task, "TASK_STARTING")
        self.update(task, "TASK_RUNNING")

    def update(self, task, state, reason=None, message=None):
        task.state = state
        status = {"task_id": {"value": task.id}, "state": state,
                  "agent_id": {"value": task.agent.id}, "source": "SOURCE_EXECUTOR",
                  "timestamp": time.time(),
                  "uuid": base64.b64encode(uuid.uuid4().bytes).decode()}
        if reason:
            status["reason"] = reason
        if message:
            status["message"] = message
        event = {"type": "UPDATE", "update": {"status": status}}
        self.unacked[status["uuid"]] = event
        self.emit(event)
        if state in TERMINAL:
            cpus, mem, ports = task.resources
            self.give_back(task.agent, cpus, mem, ports)

    def update_new(self, info, state, reason, message=None):
        """An update of a task that never ran (the master's own: no uuid, not acknowledged)."""
        status = {"task_id": info["task_id"], "state": state, "reason": reason,
                  "source": "SOURCE_MASTER", "message": message or reason}
        self.emit({"type": "UPDATE", "update": {"status": status}})

    def on_acknowledge(self, call):
        uuid_text = call["acknowledge"]["uuid"]
        if self.unacked.pop(uuid_text, None) is not None:
            self.acked.add(uuid_text)
        elif uuid_text not in self.acked:  # an update sent again may be acknowledged twice
            self.errors.append("ACKNOWLEDGE of an unknown update %s" % uuid_text)

    def on_kill(self, call):
        task = self.tasks.get(call["kill"]["task_id"]["value"])
        if task is None or task.state in TERMINAL or task.proc is None:
            return
        if task.killed_at is None:
            task.killed_at = time.monotonic()
            try:
                os.killpg(task.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def on_reconcile(self, call):
        for wanted in call["reconcile"].get("tasks", []):
            task = self.tasks.get(wanted["task_id"]["value"])
            if task is not None:
                self.emit({"type": "UPDATE", "update": {"status": {
                    "task_id": {"value": task.id}, "state": task.state,
                    "source": "SOURCE_MASTER", "reason": "REASON_RECONCILIATION"}}})

    def on_teardown(self, call):
        self.torn_down = True
        for task in self.tasks.values():
            if task.proc and task.proc.poll() is None:
                try:
                    os.killpg(task.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                task.proc.wait()
            if task.state not in TERMINAL:
                task.state = "TASK_KILLED"
        for agent, cpus, mem, ports in self.offers.values():
            self.give_back(agent, cpus, mem, ports)
        self.offers.clear()
        if self.events:
            self.events.put(None)

    def watch_tasks(self):
        """Task exits become updates; unacknowledged updates are sent again every second."""
        last_retry = time.monotonic()
        while not self.stopping.wait(0.05):
            with self.lock:
                for task in list(self.tasks.values()):
                    if task.proc is None or task.state in TERMINAL:
                        continue
                    status = task.proc.poll()
                    if status is None:
                        if task.killed_at and time.monotonic() - task.killed_at > KILL_GRACE:
                            os.killpg(task.proc.pid, signal.SIGKILL)
                        continue
                    if task.killed_at is not None:
                        self.update(task, "TASK_KILLED", message="Command terminated")
                    elif status == 0:
                        self.update(task, "TASK_FINISHED", message="Command exited with status 0")
                    else:
                        self.update(task, "TASK_FAILED", "REASON_COMMAND_EXECUTOR_FAILED",
                                    "Command exited with status %d" % status)
                if time.monotonic() - last_retry > 1.0 and not self.torn_down:
                    last_retry = time.monotonic()
                    for event in list(self.unacked.values()):
                        self.emit(event)

    def lose_agent(self, hostname):
        """The agent is gone: its tasks' processes die, the framework hears TASK_LOST."""
        with self.lock:
            agent = next(a for a in self.agents.values() if a.hostname == hostname)
            agent.lost = True
            for offer_id, offer in list(self.offers.items()):
                if offer[0] is agent:
                    del self.offers[offer_id]
                    self.emit({"type": "RESCIND", "rescind": {"offer_id": {"value": offer_id}}})
            for task in self.tasks.values():
                if task.agent is agent and task.state not in TERMINAL:
                    if task.proc.poll() is None:
                        os.killpg(task.proc.pid, signal.SIGKILL)
                        task.proc.wait()
                    self.update(task, "TASK_LOST", "REASON_AGENT_REMOVED", "Agent removed")
            self.emit({"type": "FAILURE", "failure": {"agent_id": {"value": agent.id}}})
