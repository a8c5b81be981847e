#!/usr/bin/env python3
"""Open MPI's remote shell under prun.py -m mesos (`--mca plm_rsh_agent`).

mpirun calls it as `mesos_shim.py <host> <orted command...>`, once per host. It asks prun
(over the unix socket named in $PARACEL_MESOS_SHIM) to run the command as a Mesos task on the
agent behind <host>, in the foreground (without --daemonize: the task is the daemon), and exits
when the task ends: 0 when it finished, 1 otherwise. When mpirun ends the shim, prun sees the
socket close and kills the task."""

import json
import os
import signal
import socket
import sys


def main(argv):
    if len(argv) < 3:
        print("mesos_shim.py: usage: mesos_shim.py HOST COMMAND...", file=sys.stderr)
        return 2
    path = os.environ.get("PARACEL_MESOS_SHIM")
    if not path:
        print("mesos_shim.py: PARACEL_MESOS_SHIM is not set (prun.py -m mesos sets it)",
              file=sys.stderr)
        return 2
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(signum, lambda *_: sys.exit(1))
    words = [w for w in " ".join(argv[2:]).split(" ") if w != "--daemonize"]
    request = {"host": argv[1], "command": " ".join(words).strip()}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(path)
            connection.sendall((json.dumps(request) + "\n").encode())
            reply = json.loads(connection.makefile("rb").readline() or b"{}")
    except (OSError, ValueError) as e:
        print("mesos_shim.py: no answer from prun on %s: %s" % (path, e), file=sys.stderr)
        return 1
    if reply.get("state") == "TASK_FINISHED":
        return 0
    where = argv[1] + (" (agent %s)" % reply["agent"] if reply.get("agent") else "")
    outcome = reply.get("error") or "%s%s" % (
        reply.get("state"), " (%s)" % reply["message"] if reply.get("message") else "")
    print("mesos_shim.py: the daemon for %s ended: %s" % (where, outcome), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
