"""Checks JSON calls and events against Mesos' v1 scheduler protobuf messages, compiled at
test time from the .proto files of Debian's golang-github-mesos-mesos-go-dev (and gogoproto's
options from golang-github-gogo-protobuf-dev) with protoc and python3-protobuf. Nothing
generated is kept in the repository."""

import importlib
import os
import subprocess
import sys
import tempfile

GOCODE = "/usr/share/gocode/src"
PROTOS = ["github.com/gogo/protobuf/gogoproto/gogo.proto",
          "github.com/mesos/mesos-go/api/v1/lib/mesos.proto",
          "github.com/mesos/mesos-go/api/v1/lib/scheduler/scheduler.proto"]


class ProtoChecker:
    def __init__(self):
        missing = [p for p in PROTOS if not os.path.isfile(os.path.join(GOCODE, p))]
        if missing:
            raise RuntimeError("Mesos .proto files missing (%s); run tool/install_deps.sh"
                               % ", ".join(missing))
        self.out = tempfile.mkdtemp(prefix="mesos-proto-")
        subprocess.run(["protoc", "-I" + GOCODE, "-I/usr/include", "--python_out=" + self.out]
                       + PROTOS, check=True)
        sys.path.insert(0, self.out)
        scheduler = importlib.import_module("github.com.mesos.mesos_go.api.v1.lib.scheduler."
                                            "scheduler_pb2")
        from google.protobuf import json_format
        self.json_format = json_format
        self.Call, self.Event = scheduler.Call, scheduler.Event

    def check(self, message_type, value):
        """Raises ValueError unless `value` (decoded JSON) is a complete `message_type`."""
        try:
            message = self.json_format.ParseDict(value, message_type())
        except self.json_format.ParseError as e:
            raise ValueError(str(e)) from None
        if not message.IsInitialized():
            raise ValueError("missing required fields: %s"
                             % ", ".join(message.FindInitializationErrors()))
        return message

    def check_call(self, call):
        self.check(self.Call, call)

    def check_event(self, event):
        self.check(self.Event, event)
