"""Where real data comes from: Debian packages (apt-get download + dpkg -x, nothing installed
system-wide) and npm packages (npm pack: a tarball, nothing installed). Python stdlib only.

Each function returns the folder a package was unpacked into, reusing an earlier unpacking.
Any failure to obtain a package raises Unavailable, whose message says what is missing and
how to get it; fetch.py turns it into exit status 3 (the tests then skip, saying so).
"""

import os
import shutil
import subprocess
import tarfile
import tempfile


class Unavailable(Exception):
    """A package (or the tool that reads it) cannot be had on this machine."""


def _unpack_once(target, fill):
    """Runs fill(temporary folder), then renames it to target: a half-done unpacking is
    never taken for a finished one."""
    if os.path.isdir(target):
        return target
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix=".partial-", dir=parent)
    try:
        fill(scratch)
        os.rename(scratch, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def _run(command, cwd, what):
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=900)
    except FileNotFoundError:
        raise Unavailable("%s: %s is not installed" % (what, command[0]))
    except subprocess.TimeoutExpired:
        raise Unavailable("%s: %s timed out" % (what, " ".join(command)))
    if done.returncode != 0:
        raise Unavailable("%s: %s failed: %s" % (what, " ".join(command),
                                                 done.stderr.strip()[-400:]))
    return done.stdout


def _apt_lists_present():
    lists = "/var/lib/apt/lists"
    return os.path.isdir(lists) and any("_Packages" in n for n in os.listdir(lists))


def deb(package, root):
    """The folder the Debian package `package` is unpacked into (under root/deb)."""
    def fill(scratch):
        if not _apt_lists_present():
            # apt-get download needs the package index; `apt-get update` fetches it (root).
            _run(["apt-get", "update", "-q"], scratch, "Debian package " + package)
        download = os.path.join(scratch, "download")
        os.mkdir(download)
        os.chmod(download, 0o777)  # apt's sandbox user writes the file here
        _run(["apt-get", "download", "-q", package], download, "Debian package " + package)
        debs = [n for n in os.listdir(download) if n.endswith(".deb")]
        if len(debs) != 1:
            raise Unavailable("Debian package %s: apt-get download gave %r" % (package, debs))
        tree = os.path.join(scratch, "tree")
        _run(["dpkg-deb", "-x", os.path.join(download, debs[0]), tree], scratch,
             "Debian package " + package)
        for name in os.listdir(tree):
            os.rename(os.path.join(tree, name), os.path.join(scratch, name))
        os.rmdir(tree)
        shutil.rmtree(download)
    return _unpack_once(os.path.join(root, "deb", package), fill)


def npm(spec, root):
    """The folder the npm package `spec` (name@version) is unpacked into (its package/)."""
    name = spec.rsplit("@", 1)[0]

    def fill(scratch):
        _run(["npm", "pack", "--silent", spec], scratch, "npm package " + spec)
        tarballs = [n for n in os.listdir(scratch) if n.endswith(".tgz")]
        if len(tarballs) != 1:
            raise Unavailable("npm package %s: npm pack gave %r" % (spec, tarballs))
        with tarfile.open(os.path.join(scratch, tarballs[0])) as archive:
            if hasattr(tarfile, "data_filter"):  # refuses absolute paths and links out
                archive.extractall(scratch, filter="data")
            else:
                archive.extractall(scratch)
        os.remove(os.path.join(scratch, tarballs[0]))
    return os.path.join(_unpack_once(os.path.join(root, "npm", name), fill), "package")


def run_tool(command, what, cwd=None):
    """Stdout of a converting tool (such as Rscript); Unavailable when it is missing."""
    if shutil.which(command[0]) is None:
        raise Unavailable("%s needs %s (install it: bash tool/install_deps.sh)"
                          % (what, command[0]))
    return _run(command, cwd, what)
