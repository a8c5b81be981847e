"""A client of Mesos' v1 scheduler HTTP API (standard library only), for prun.py -m mesos.

Every call is a POST of JSON to /api/v1/scheduler. SUBSCRIBE keeps its connection open: the
master answers with a Mesos-Stream-Id header, which every later call must send, and then
streams events as RecordIO (`<decimal length>\\n<JSON>`), chunked however the master or a
proxy likes. Later calls go over a second, persistent connection. A master that is not the
leader answers 307 with the leader's address in Location. Frameworks with a principal
authenticate with HTTP basic auth.

References: Mesos' docs/scheduler-http-api.md and docs/recordio.md, and the v1
scheduler.proto (every call this module makes is checked against it in test/mesos).
"""

import base64
import http.client
import json
import socket
import threading
import time
import urllib.parse

API_PATH = "/api/v1/scheduler"
MAX_REDIRECTS = 3
# Longest RecordIO header accepted: a record length has at most 20 digits.
MAX_HEADER_BYTES = 21


class MesosError(Exception):
    """The master refused a call, could not be reached, or broke the protocol."""


def parse_master(text):
    """host and port of a master given as host:port or http://host:port[/...]; ZooKeeper
    addresses are refused (prun does not speak ZooKeeper: give a master, which redirects to
    the leader)."""
    if text.startswith("zk://"):
        raise MesosError("--mesos_master %s: ZooKeeper addresses are not supported; give one "
                         "master as host:port (a non-leading master redirects to the leader)"
                         % text)
    parsed = urllib.parse.urlsplit(text if "//" in text else "//" + text)
    if parsed.scheme not in ("", "http") or not parsed.hostname:
        raise MesosError("--mesos_master %s: expected host:port or http://host:port" % text)
    try:
        port = parsed.port or 5050
    except ValueError:
        raise MesosError("--mesos_master %s: the port is not a number" % text) from None
    return parsed.hostname, port


class RecordIO:
    """Splits a byte stream into RecordIO records, whatever the chunking."""

    def __init__(self):
        self.buffer = b""

    def feed(self, data):
        """The complete records that `data` ends, as decoded JSON objects."""
        self.buffer += data
        records = []
        while True:
            newline = self.buffer.find(b"\n")
            if newline < 0:
                if len(self.buffer) > MAX_HEADER_BYTES:
                    raise MesosError("malformed RecordIO from the master: no record length in "
                                     "%r" % self.buffer[:40])
                return records
            header = self.buffer[:newline]
            if not header.isdigit() or newline > MAX_HEADER_BYTES:
                raise MesosError("malformed RecordIO from the master: record length %r"
                                 % header[:40])
            length = int(header)
            end = newline + 1 + length
            if len(self.buffer) < end:
                return records
            body = self.buffer[newline + 1:end]
            self.buffer = self.buffer[end:]
            try:
                records.append(json.loads(body))
            except ValueError as e:
                raise MesosError("malformed event from the master (%s): %r"
                                 % (e, body[:200])) from None


class Scheduler:
    """One framework's connection to the master.

    subscribe() returns once the master accepted the framework; events then reach
    `on_event` (called from a reader thread) until the stream ends, which is reported as an
    event of type "DISCONNECTED" with a "message"."""

    def __init__(self, master, framework_info, on_event, principal=None, secret=None,
                 timeout=30.0):
        self.host, self.port = parse_master(master)
        self.framework_info = framework_info
        self.on_event = on_event
        self.timeout = timeout
        self.auth = None
        if principal:
            token = base64.b64encode(("%s:%s" % (principal, secret or "")).encode()).decode()
            self.auth = "Basic " + token
        self.stream_id = None
        self.framework_id = None
        self.heartbeat_seconds = None
        self.last_event = time.monotonic()
        self.subscription = None
        self.calls = None  # the persistent connection for calls other than SUBSCRIBE
        self.calls_lock = threading.Lock()
        self.reader = None
        self.decoder = RecordIO()  # the subscription's event stream
        self.pending = []  # events decoded but not yet handed to on_event
        self.closing = False
        self.torn_down = False

    # ---- HTTP ----------------------------------------------------------------------------
    def headers(self, streaming=False):
        h = {"Content-Type": "application/json", "Accept": "application/json"}
        if streaming:
            h["Connection"] = "keep-alive"
        if self.stream_id:
            h["Mesos-Stream-Id"] = self.stream_id
        if self.auth:
            h["Authorization"] = self.auth
        return h

    def where(self):
        return "Mesos master %s:%d" % (self.host, self.port)

    def follow(self, response):
        """Moves to the leader a 307 names (Location: //host:port/api/v1/scheduler)."""
        location = response.getheader("Location") or ""
        parsed = urllib.parse.urlsplit(location if "//" in location else "//" + location)
        if not parsed.hostname:
            raise MesosError("%s redirected to %r, which names no master"
                             % (self.where(), location))
        self.host, self.port = parsed.hostname, parsed.port or 5050

    # ---- subscribing ---------------------------------------------------------------------
    def subscribe(self):
        body = {"type": "SUBSCRIBE", "subscribe": {"framework_info": self.framework_info}}
        for _ in range(MAX_REDIRECTS + 1):
            connection = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                connection.request("POST", API_PATH, json.dumps(body),
                                   self.headers(streaming=True))
                response = connection.getresponse()
            except OSError as e:
                connection.close()
                raise MesosError("cannot reach %s: %s" % (self.where(), e)) from None
            if response.status == 307:
                self.follow(response)
                connection.close()
                continue
            if response.status != 200:
                text = response.read().decode(errors="replace").strip()
                connection.close()
                raise MesosError("%s refused the subscription (HTTP %d): %s"
                                 % (self.where(), response.status, text[:500]))
            self.stream_id = response.getheader("Mesos-Stream-Id")
            if not self.stream_id:
                connection.close()
                raise MesosError("%s sent no Mesos-Stream-Id header" % self.where())
            # Events may be minutes apart when the master sends no heartbeats; silence is
            # judged by silent_for_too_long(), not by a socket timeout.
            connection.sock.settimeout(None)
            self.subscription = (connection, response)
            break
        else:
            raise MesosError("more than %d redirects from the Mesos masters" % MAX_REDIRECTS)
        first = self.read_first_event()
        if first.get("type") == "ERROR":
            self.close()
            raise MesosError("%s: %s" % (self.where(), first.get("error", {}).get("message")))
        if first.get("type") != "SUBSCRIBED":
            self.close()
            raise MesosError("%s answered the subscription with %s, not SUBSCRIBED"
                             % (self.where(), first.get("type")))
        subscribed = first.get("subscribed", {})
        self.framework_id = subscribed.get("framework_id", {}).get("value")
        if not self.framework_id:
            self.close()
            raise MesosError("%s: SUBSCRIBED without a framework_id" % self.where())
        self.heartbeat_seconds = subscribed.get("heartbeat_interval_seconds")
        self.reader = threading.Thread(target=self.read_events, daemon=True)
        self.reader.start()
        return self.framework_id

    def read_first_event(self):
        while not self.pending:
            try:
                data = self.subscription[1].read1(65536)
            except OSError as e:
                raise MesosError("%s: the subscription broke: %s" % (self.where(), e)) from None
            if not data:
                raise MesosError("%s closed the subscription before SUBSCRIBED" % self.where())
            self.pending += self.decoder.feed(data)
        return self.pending.pop(0)

    def read_events(self):
        response = self.subscription[1]
        message = "the master closed the event stream"
        try:
            while True:
                for event in self.pending:
                    self.last_event = time.monotonic()
                    self.on_event(event)
                self.pending = []
                data = response.read1(65536)
                if not data:
                    break
                self.pending = self.decoder.feed(data)
        except (OSError, ValueError, http.client.HTTPException, MesosError) as e:
            message = str(e) or type(e).__name__
        if not self.closing:
            self.on_event({"type": "DISCONNECTED", "message": "%s: %s" % (self.where(), message)})

    def silent_for_too_long(self):
        """True when the master missed several heartbeats: it or the network is gone."""
        if not self.heartbeat_seconds:
            return False
        return time.monotonic() - self.last_event > 3 * self.heartbeat_seconds + 5

    # ---- calls ---------------------------------------------------------------------------
    def call(self, kind, **fields):
        """Sends one call (type `kind`, e.g. "ACCEPT" with accept={...}); raises MesosError
        unless the master answers 202 Accepted."""
        body = {"type": kind, "framework_id": {"value": self.framework_id}}
        body.update(fields)
        data = json.dumps(body)
        with self.calls_lock:
            if self.torn_down:
                raise MesosError("%s after TEARDOWN: the framework is gone" % kind)
            for attempt in range(2):  # a persistent connection the master closed: once more
                if self.calls is None:
                    self.calls = http.client.HTTPConnection(self.host, self.port,
                                                            timeout=self.timeout)
                try:
                    self.calls.request("POST", API_PATH, data, self.headers())
                    response = self.calls.getresponse()
                    text = response.read().decode(errors="replace").strip()
                    break
                except (OSError, http.client.HTTPException) as e:
                    self.calls.close()
                    self.calls = None
                    if attempt:
                        raise MesosError("%s call to %s failed: %s"
                                         % (kind, self.where(), e)) from None
            if kind == "TEARDOWN" and response.status == 202:
                self.torn_down = True  # no call may follow, not even from the reader thread
        if response.status != 202:
            raise MesosError("%s refused %s (HTTP %d): %s"
                             % (self.where(), kind, response.status, text[:500]))

    def close(self):
        self.closing = True
        if self.subscription:
            sock = self.subscription[0].sock
            if sock is not None:
                try:  # wakes the reader thread, which close() alone does not
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
            if self.reader is not None and self.reader is not threading.current_thread():
                self.reader.join(5)  # closing under a reading thread races inside http.client
            self.subscription[0].close()
        if self.calls:
            self.calls.close()
