"""The grader's handle on the worker fork server (see ``worker.zygote``).

Starting a Python interpreter and importing numpy costs about a tenth of a second; a
fork of a process that already did costs a millisecond. One zygote serves every
submission a grader process grades. It runs as the grader's own user, outside the
network (it enters an empty network namespace once, before its first fork), and each
fork confines itself (namespaces, user, limits, Landlock, seccomp: see ``confine.py``)
before any student code runs.
"""

import atexit
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.sandbox import isolation as isolating

RUNTIME_FILES = ("worker.py", "wire.py", "confine.py")
# Variables the worker may inherit: OpenBLAS needs these on some processors to compute
# correctly. Everything else of the grader's environment stays behind.
PASSED_THROUGH_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def base_environment():
    """The environment every worker starts from; nothing of the grader's own."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
    env.update({"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    env.update({key: os.environ[key] for key in PASSED_THROUGH_ENV if key in os.environ})
    return env


class ZygoteChild:
    """A worker forked by the zygote, with the part of ``subprocess.Popen``'s interface
    the sandbox uses (``pid``, ``poll``, ``wait``)."""

    def __init__(self, zygote, pid):
        self.zygote = zygote
        self.pid = pid
        self.returncode = None
        zygote.workers.add(pid)

    def poll(self):
        return self.wait(timeout=0.0, raising=False)

    def await_end(self, timeout=5.0):
        """Wait up to ``timeout`` seconds for the worker to end, without its status: on a
        pidfd of its own where the platform has one (no round trip to the fork server,
        which reaps it before its next fork), else by :meth:`wait`."""
        if self.returncode is not None:
            return
        try:
            fd = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # not Linux, or a kernel before 5.3
            self.wait(timeout, raising=False)
            return
        try:
            if select.select([fd], [], [], timeout)[0]:
                # Ended: its pid stays its fork server's (a zombie) until that reaps it,
                # so it is nobody else's meanwhile.
                self.zygote.workers.discard(self.pid)
        finally:
            os.close(fd)

    def wait(self, timeout=5.0, raising=True):
        if self.returncode is None:
            self.returncode = self.zygote.wait(self.pid, timeout)
            if self.returncode is not None:
                self.zygote.workers.discard(self.pid)
        if self.returncode is None and raising:
            raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout)
        return self.returncode


def warm_up():
    """Start this process's zygote now, for this interpreter and the strongest isolation
    the process can give: its interpreter start and numpy import then overlap the
    grader's own (``python -m autograder`` calls this before it imports pytest or
    numpy) instead of delaying the first submission. Like the rest of this module and
    ``isolation``, it needs the standard library only."""
    serving(sys.executable, isolating.current_isolation())


def serving(python, isolation):
    """This grader process's zygote for ``python`` under ``isolation``, started on first use."""
    # The standard library must be loaded before privileges drop when the sandbox
    # user could not read it afterwards (an interpreter installed under /root).
    preload = not isolation.reduced and not isolating.readable_by_others(os.__file__)
    return Zygote.shared(python, preload, isolating.private_paths())


class Zygote:
    _shared = {}

    @classmethod
    def shared(cls, python, preload, private):
        """This grader process's zygote for ``python``, started on first use.
        ``private`` (a tuple of paths) is what no Landlock rule may reach."""
        key = (os.getpid(), python, preload, private)
        zygote = cls._shared.get(key)
        if zygote is None or zygote.process.poll() is not None:
            zygote = cls._shared[key] = cls(python, preload, private)
        return zygote

    def __init__(self, python, preload, private=()):
        self.workers = set()  # pids of the workers this zygote forked that have not been reaped
        self.border = {}  # what the kernel offers, as the zygote found it (see confine.describe)
        self.runtime = Path(tempfile.mkdtemp(prefix="autograder-zygote-"))
        for name in RUNTIME_FILES:
            shutil.copyfile(Path(__file__).with_name(name), self.runtime / name)
        # A stream socket (macOS has no SOCK_SEQPACKET for AF_UNIX): messages are JSON lines.
        self.socket, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.process = subprocess.Popen(
            [python, "-I", str(self.runtime / "worker.py"), "--zygote", str(theirs.fileno()),
             "preload" if preload else "plain", json.dumps([str(path) for path in private])],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=base_environment(),
            cwd=self.runtime,
            start_new_session=True,
        )
        theirs.close()
        self._ready = False
        atexit.register(self.close)

    def _await_ready(self):
        """Wait until the zygote has loaded, then delete the copy it ran from: it needs
        those files no more, and a grader process that ends without running its exit
        handlers (a batch's, when it is killed) then leaves nothing behind in /tmp."""
        if not self._ready:
            border = self._answer().get("border")
            self.border = border if type(border) is dict else {}
            self._ready = True
            shutil.rmtree(self.runtime, ignore_errors=True)

    def describe(self):
        """What the kernel offers the sandbox, for the instructor's log."""
        self._await_ready()
        return dict(self.border)

    def spawn(self, *, cwd, env, config, request_fd, reply_fd, console_fd):
        """Fork a worker; returns its :class:`ZygoteChild`."""
        self._await_ready()
        request = json.dumps({"op": "spawn", "cwd": str(cwd), "env": env, "config": config}).encode() + b"\n"
        sent = socket.send_fds(self.socket, [request], [request_fd, reply_fd, console_fd])
        self.socket.sendall(request[sent:])
        return ZygoteChild(self, self._answer()["pid"])

    def wait(self, pid, timeout):
        self.socket.sendall(json.dumps({"op": "wait", "pid": pid, "timeout": timeout}).encode() + b"\n")
        return self._answer()["status"]

    def _answer(self):
        answer = b""
        while not answer.endswith(b"\n"):
            chunk = self.socket.recv(1 << 16)
            if not chunk:
                raise ConnectionError("the worker fork server ended")
            answer += chunk
        return json.loads(answer)

    def close(self):
        try:
            self.socket.close()
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
            shutil.rmtree(self.runtime, ignore_errors=True)
