"""The worker: the only process in which a student's code runs.

Started once per grader process by :mod:`autograder.sandbox.zygote` as
``python -I worker.py --zygote CONTROL_FD preload|plain PRIVATE_JSON`` with ``wire.py``
and ``confine.py`` beside it: that process loads numpy (and, for ``preload``, the
standard modules students use) and forks one worker per submission (:func:`zygote`).
It is self-contained on purpose (stdlib, numpy, ``wire``, ``confine``), because it runs
from a copy outside the grader's source.

The zygote leaves the network once (a new network namespace, where the kernel allows
one) and adopts every orphan its workers leave (it is their subreaper). A worker
enters a PID and IPC namespace of its own where the platform allows it and there is
no seccomp filter (or the grader asks for them always), then confines
itself (:func:`confine`) before any student code runs: it drops to the sandbox user
when started as root, drops its capabilities, forbids regaining privileges, sets its
resource limits, restricts its file system, TCP and signals with Landlock and its
system calls with seccomp (:mod:`confine`). Its first frame, written before any student
code has run and before any request, says what confines it (``{"ok": true,
"confinement": {...}, "id": 0}``). Then it serves two requests, one at a time:

``{"op": "import", "path": ..., "module": ...}``
    import the student's file; reply with its callables and what it printed.
``{"op": "call", "function": ..., "calls": [[args, kwargs], ...]}``
    call one function once per argument list, in order; reply with the list of its
    return values as plain data, or with the first failure and its ``index``.

Every reply carries ``ok``; a failure carries ``error`` with a ``kind`` (``syntax``,
``raised``, ``exit``, ``missing``, ``not_callable``, ``signature``, ``not_imported``)
and the frames of the traceback that lie in the student's own files. Nothing here
decides a grade: the grader validates every value it receives.
"""

import contextlib
import gc
import importlib
import importlib.util
import inspect
import io
import json
import os
import signal
import sys
import time
import traceback

try:
    import resource
except ImportError:  # Windows: the job object of portable.py limits the worker instead
    resource = None

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import confine as confining  # noqa: E402  (found beside this file, never in the student's folder)
import wire  # noqa: E402

sys.path.remove(HERE)

MAX_PRINTED_CHARS = 20_000
# Loaded before privileges drop when the interpreter's standard library is not readable
# by the sandbox user (a pyenv under /root), so that these still import afterwards.
PRELOAD = (
    "numpy", "numpy.linalg", "numpy.random", "numpy.fft", "numpy.polynomial", "math", "cmath", "random",
    "statistics", "fractions", "decimal", "numbers", "itertools", "functools", "operator", "collections",
    "collections.abc", "heapq", "bisect", "array", "copy", "dataclasses", "typing", "enum", "abc", "string",
    "re", "textwrap", "json", "csv", "pickle", "struct", "base64", "hashlib", "time", "datetime", "os",
    "os.path", "pathlib", "glob", "fnmatch", "shutil", "tempfile", "io", "sys", "signal", "socket", "select",
    "subprocess", "threading", "queue", "multiprocessing", "ctypes", "resource", "errno", "stat", "warnings",
    "traceback", "inspect", "gc", "weakref", "contextlib", "unittest", "unittest.mock", "logging", "pprint",
    "argparse", "platform", "uuid", "secrets", "zlib", "gzip", "zipfile", "urllib.request", "http.client",
    "sysconfig", "encodings.idna", "encodings.punycode", "stringprep", "unicodedata", "numpy.testing",
    "numpy.ma", "numpy.lib.stride_tricks", "timeit", "cProfile", "pstats", "email", "html", "xml.etree.ElementTree",
    "concurrent.futures", "asyncio", "codecs", "locale", "sched", "shlex", "difflib", "graphlib", "ast", "dis",
)


class _CappedText(io.TextIOBase):
    """A text sink for ``print`` that keeps only the first ``limit`` characters."""

    def __init__(self, limit):
        self.limit = limit
        self.parts = []
        self.kept = 0
        self.dropped = 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self):
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[... {self.dropped} more characters not shown]"
        return out


class _OverTime(BaseException):
    """Raised into student code by the worker's own timers (:class:`Timer`); not an
    ``Exception``, so that a bare ``except Exception`` in the student's code lets it by."""

    def __init__(self, clock):
        super().__init__(clock)
        self.clock = clock  # "cpu" or "wall"


class Timer:
    """Time limits on one piece of student code, kept by the worker itself: ``cpu``
    seconds of the process's CPU time (``ITIMER_PROF``) and ``wall`` seconds of the clock
    (``ITIMER_REAL``), whichever ends first raising :class:`_OverTime`. The CPU limit is
    the one honest code meets on a busy machine; the wall limit, several times larger,
    stops code that waits. Student code can block or replace the signals, so this is a
    courtesy that makes the report precise; the grader enforces its own deadline too."""

    AVAILABLE = hasattr(signal, "setitimer")

    def __init__(self, cpu, wall):
        self.cpu = cpu if type(cpu) in (int, float) and cpu > 0 else None
        self.wall = wall if type(wall) in (int, float) and wall > 0 else None
        self.cpu_used = self.wall_used = 0.0

    @classmethod
    def install(cls):
        """Make the timers' signals raise :class:`_OverTime`: once per request, not per call
        (a call may have replaced the handlers; then the grader's deadline stops it)."""
        if cls.AVAILABLE:
            for number in (signal.SIGPROF, signal.SIGALRM):
                if signal.getsignal(number) is not cls._expired:  # no system call when still in place
                    signal.signal(number, cls._expired)

    def __enter__(self):
        self._cpu0, self._wall0 = time.process_time(), time.monotonic()
        if self.AVAILABLE:
            if self.cpu:
                signal.setitimer(signal.ITIMER_PROF, self.cpu)
            if self.wall:
                signal.setitimer(signal.ITIMER_REAL, self.wall)
        return self

    def __exit__(self, *exc):
        if self.AVAILABLE:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.setitimer(signal.ITIMER_REAL, 0)
        self.cpu_used = time.process_time() - self._cpu0
        self.wall_used = time.monotonic() - self._wall0
        return False

    @staticmethod
    def _expired(number, frame):
        raise _OverTime("cpu" if number == signal.SIGPROF else "wall")

    def report(self, clock, **extra):
        """The timeout as plain data for the grader."""
        return {"kind": "timeout", "clock": clock, "cpu": round(self.cpu_used, 3), "wall": round(self.wall_used, 3),
                **extra}


def preload():
    for name in PRELOAD:
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001  a module this interpreter lacks
            pass


class Border:
    """What the zygote prepares once for every worker's confinement: the read rules
    (see :func:`confine.plan_reads`), the seccomp filter, the Landlock ABI, and how it
    left the network."""

    def __init__(self, private):
        self.landlock = confining.landlock_abi()
        paths = [*confining.interpreter_paths(), *confining.SYSTEM_READ]
        self.reads = confining.plan_reads(paths, private) if self.landlock else []
        self.syscall_filter = confining.build_filter() if sys.platform == "linux" else "unavailable (not Linux)"
        self.network = "not isolated"


def confine(config, border, namespaces):
    """Drop privileges, set limits, restrict the file system and system calls; returns
    what was achieved, for the instructor's log. Runs in the worker, before any student
    code, in this order: the Landlock rules' paths are opened while they can still be
    reached (as root); then the sandbox user; no capabilities, no new privileges; the
    resource limits; Landlock; seccomp last (it forbids what the steps before need)."""
    achieved = {"network": border.network, "user": None, "namespaces": namespaces}
    rules = confining.open_rules(border.reads, [os.getcwd()]) if border.landlock else []
    uid, gid = config.get("uid"), config.get("gid")
    if uid is not None:
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        achieved["user"] = uid
    if sys.platform == "linux":  # the student kit also runs on macOS, which has no prctl
        confining.drop_capabilities()
        confining.no_new_privileges()
    for name, value in (config.get("rlimits", {}) if resource is not None else {}).items():
        limit = getattr(resource, name)
        hard = resource.getrlimit(limit)[1]
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        try:
            resource.setrlimit(limit, (value, value))
        except (ValueError, OSError):  # macOS refuses some (RLIMIT_AS): keep the others
            pass
    if sys.platform == "linux":
        achieved.update(confining.restrict_landlock(border.landlock, rules))
        achieved["seccomp"] = confining.load_filter(border.syscall_filter)
    return achieved


def leave_network():
    """Enter a new, empty network namespace: as root directly, otherwise inside a new
    user namespace (where unprivileged user namespaces are enabled). The zygote does
    this once, before it forks any worker: its workers share a namespace with no
    interface but a loopback that is down (as root, the sandbox user has no right to
    bring it up), and they never run at the same time (each is ended, with all it
    started, before the next starts). As root, a user namespace is not tried: the
    sandbox user would not exist in it."""
    if sys.platform != "linux":
        return "not isolated"
    if os.geteuid() == 0:
        return "isolated" if confining.unshare(confining.CLONE_NEWNET) == 0 else "not isolated"
    uid, gid = os.getuid(), os.getgid()
    if confining.unshare(confining.CLONE_NEWUSER | confining.CLONE_NEWNET) != 0:
        return "not isolated"
    try:  # map our own ids, so the student's code still sees who it is
        for path, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{path}", "w") as stream:
                stream.write(text)
    except OSError:
        pass
    return "isolated"


class Worker:
    def __init__(self, request_fd, reply_fd, confinement):
        self.reader = wire.FrameReader(request_fd, max_blob_bytes=256 * 1024 * 1024)
        self.reply_fd = reply_fd
        self.confinement = confinement
        self.module = None
        self.student_dir = None
        self._signatures = {}

    def serve(self):
        # The first frame, before any request and any student code: what confines it.
        self.send({"ok": True, "confinement": self.confinement, "id": 0, "nonce": None})
        while True:
            try:
                message, blobs = self.reader.read()
            except wire.PeerClosed:
                return
            op = message.get("op")
            if op == "import":
                reply = self.import_module(message["path"], message["module"], _limits(message))
            elif op == "call":
                reply = self.call(message, blobs)
            else:
                reply = {"ok": False, "error": {"kind": "protocol", "message": f"unknown op {op!r}"}}
            reply["id"] = message.get("id")
            reply["nonce"] = message.get("nonce")
            self.send(reply)

    def send(self, reply):
        blobs = []
        if "value" in reply:
            reply["value"] = wire.encode_value(reply["value"], blobs)
        wire.write_frame(self.reply_fd, reply, blobs)

    @staticmethod
    def plain(value):
        """``wire.plain(value)``; it runs the value's own methods (a student's), and where
        one of them fails the value goes as it is, for the encoder to refuse by its type."""
        try:
            return wire.plain(value)
        except Exception:  # noqa: BLE001
            return value

    def import_module(self, path, name, limits):
        self.student_dir = os.path.dirname(os.path.abspath(path))
        sys.path.insert(0, self.student_dir)
        sys.dont_write_bytecode = True  # the copy is deleted after grading: a cache would only cost
        printed = _CappedText(MAX_PRINTED_CHARS)
        timer = Timer(limits.get("cpu"), limits.get("wall"))
        Timer.install()
        try:
            try:
                with timer:
                    spec = importlib.util.spec_from_file_location(name, path)
                    module = importlib.util.module_from_spec(spec)
                    sys.modules[name] = module
                    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
                        spec.loader.exec_module(module)
            except _OverTime as over:
                return {"ok": False, "error": timer.report(over.clock), "printed": printed.text()}
        except BaseException as error:  # noqa: BLE001  the student's failure, reported as data
            return {"ok": False, "error": self.describe(error), "printed": printed.text()}
        self.module = module
        functions = {}
        for attr, value in vars(module).items():
            if callable(value) and not attr.startswith("_"):
                functions[attr] = self.signature_text(value)
        return {"ok": True, "functions": functions, "printed": printed.text()}

    def call(self, message, blobs):
        if self.module is None:
            return {"ok": False, "error": {"kind": "not_imported", "message": "module not imported"}}
        name = message["function"]
        try:
            calls = wire.decode_value(message.get("calls", []), blobs)
        except wire.WireError as error:
            return {"ok": False, "error": {"kind": "protocol", "message": str(error)}}
        function = vars(self.module).get(name)
        if function is None:
            return {"ok": False, "error": {"kind": "missing", "message": name}}
        if not callable(function):
            return {"ok": False, "error": {"kind": "not_callable", "message": type(function).__name__}}
        limits = _limits(message)
        printed = _CappedText(MAX_PRINTED_CHARS)
        values = []
        Timer.install()
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            for index, (args, kwargs) in enumerate(calls):
                # Each call has its own limits; what it returned is made plain data inside them
                # too (that runs the value's own methods).
                timer = Timer(limits.get("cpu"), limits.get("wall"))
                try:
                    try:
                        with timer:
                            values.append(self.plain(function(*args, **kwargs)))
                    except _OverTime as over:
                        error = timer.report(over.clock, calls=len(calls), index=index)
                        return {"ok": False, "error": error, "index": index, "printed": printed.text()}
                except BaseException as error:  # noqa: BLE001
                    # Arguments that do not fit the signature are refused by Python before the
                    # function's body runs; only then is the signature consulted (binding every
                    # call beforehand cost a third of the worker's time for a call).
                    mismatch = self.mismatch(function, args, kwargs) if isinstance(error, TypeError) else None
                    if mismatch is not None:
                        error = {"kind": "signature", "message": mismatch, "signature": self.signature_text(function)}
                        return {"ok": False, "error": error, "index": index, "printed": printed.text()}
                    return {"ok": False, "error": self.describe(error), "index": index, "printed": printed.text()}
        return {"ok": True, "value": values, "printed": printed.text()}

    def signature(self, function):
        """``inspect.signature(function)``, worked out once per function object (None for
        a builtin without one: the call itself then decides)."""
        # By id, not by the object: hashing a student's object could run its code.
        # The object is kept alongside, so its id cannot be reused meanwhile.
        known = self._signatures.get(id(function))
        if known is None:
            try:
                signature = inspect.signature(function)
            except (TypeError, ValueError):
                signature = None
            known = self._signatures[id(function)] = (function, signature)
        return known[1]

    def mismatch(self, function, args, kwargs):
        """Why ``args`` and ``kwargs`` do not fit ``function``'s signature, or None if they
        do (or there is no signature to say)."""
        signature = self.signature(function)
        if signature is None:
            return None
        try:
            signature.bind(*args, **kwargs)
        except TypeError as error:
            return str(error)
        return None

    def describe(self, error):
        """A failure as plain data, with only the student's own traceback frames."""
        if isinstance(error, SyntaxError):
            return {
                "kind": "syntax",
                "type": type(error).__name__,
                "message": str(error.msg),
                "file": os.path.basename(error.filename or ""),
                "line": error.lineno,
                "offset": error.offset,
                "text": (error.text or "").rstrip("\n")[:300],
                "frames": self.student_frames(error),
            }
        kind = "exit" if isinstance(error, SystemExit) else "raised"
        try:
            text = str(error)[:2000]
        except BaseException:  # noqa: BLE001  a hostile __str__
            text = "<the exception's message could not be shown>"
        return {"kind": kind, "type": type(error).__name__, "message": text, "frames": self.student_frames(error)}

    def student_frames(self, error):
        frames = []
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename.startswith("<"):  # "<frozen importlib._bootstrap>", "<string>"
                continue
            filename = os.path.abspath(frame.filename)
            if self.student_dir and filename.startswith(self.student_dir + os.sep):
                frames.append(
                    {
                        "file": os.path.relpath(filename, self.student_dir),
                        "line": frame.lineno,
                        "function": frame.name,
                        "code": (frame.line or "")[:300],
                    }
                )
        return frames[-8:]

    @staticmethod
    def signature_text(function):
        try:
            return f"{getattr(function, '__name__', 'function')}{inspect.signature(function)}"
        except (TypeError, ValueError):
            return getattr(function, "__name__", "function")


def _limits(message):
    """A request's time limits for each piece of student code: ``{"cpu": s, "wall": s}``."""
    limits = message.get("limits")
    return limits if type(limits) is dict else {}


def zygote(control_fd, preload_everything, private):
    """Serve as a pre-warmed fork server: numpy (and the preload) are loaded once here,
    and each worker is a fork of this process, started in microseconds instead of an
    interpreter start and a numpy import.

    Once loaded, it says ``{"ready": true, "border": {...}}`` (what the kernel offers,
    for the instructor's log). Requests arrive on a stream socket as JSON lines, one at
    a time (the grader waits for each answer before it asks again), answered the same way:
    ``{"op": "spawn", "cwd", "env", "config"}`` with three descriptors attached (the
    worker's request and reply pipes and its console), answered ``{"pid": N}``;
    ``{"op": "wait", "pid", "timeout"}``, answered ``{"status": S}`` (S as in
    ``subprocess``: negative for a signal, None if still running).

    The zygote is the subreaper of everything its workers start: an orphan the student
    leaves becomes its child (never the grader's, nor init's), which is where the
    grader's cleanup looks for it, and which it reaps.
    """
    import numpy  # noqa: F401
    import numpy.linalg  # noqa: F401  (numpy loads these on first use: once here, not in every worker)
    import numpy.ma  # noqa: F401
    import numpy.random  # noqa: F401
    import socket

    if preload_everything:
        preload()
    border = Border(private)
    border.network = leave_network()
    confining.become_subreaper()
    # Everything loaded so far is left out of the garbage collector's scans, in this
    # process and in every fork: a worker's collection then neither spends time on those
    # objects nor copies the pages that hold them.
    gc.freeze()
    control = socket.socket(fileno=control_fd)
    described = {**confining.describe(), "network": border.network, "seccomp": _filter_state(border)}
    # the grader may now delete the files this ran from
    control.sendall(json.dumps({"ready": True, "border": described}).encode() + b"\n")
    ended = {}  # pid -> status of children reaped while waiting for another
    while True:
        try:
            packet, fds, _, _ = socket.recv_fds(control, 1 << 20, 3)
            while packet and not packet.endswith(b"\n"):
                more = control.recv(1 << 20)
                if not more:
                    return
                packet += more
        except OSError:
            return
        if not packet:
            return
        request = json.loads(packet)
        if request["op"] == "spawn":
            _reap(ended)
            pid = os.fork()
            if pid == 0:
                control.close()
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                _become_worker(request, border, *fds)
            for fd in fds:
                os.close(fd)
            control.sendall(json.dumps({"pid": pid}).encode() + b"\n")
        elif request["op"] == "wait":
            status = _wait_for(request["pid"], request.get("timeout", 0), ended)
            control.sendall(json.dumps({"status": status}).encode() + b"\n")


def _filter_state(border):
    return border.syscall_filter if isinstance(border.syscall_filter, str) else "libseccomp filter (compiled)"


def _status(status):
    return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def _reap(ended):
    """Reap every child that has ended (workers, and orphans adopted as subreaper),
    keeping the workers' statuses in ``ended`` for a later ``wait``."""
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ended[pid] = _status(status)
        if len(ended) > 4096:  # statuses nobody asked for: orphans' (keep the newest)
            for old in list(ended)[:2048]:
                del ended[old]


def _wait_for(pid, timeout, ended):
    """Reap the child ``pid`` within ``timeout`` seconds; returns its status as
    ``subprocess`` gives it (negative for a signal), or None if it is still running or
    not a child. Sleeps on a pidfd where the platform has one, so a killed worker is
    reaped the moment it ends rather than at the next poll."""
    import select
    import time

    deadline = time.monotonic() + timeout
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # macOS, an old kernel, or already reaped
        pidfd = None
    try:
        while True:
            _reap(ended)
            if pid in ended:
                return ended.pop(pid)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or (pidfd is None and not _exists(pid)):
                return None
            if pidfd is None:
                time.sleep(min(remaining, 0.001))
            else:
                select.select([pidfd], [], [], remaining)
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _exists(pid):
    """Whether ``pid`` is still there to wait for (without a pidfd to sleep on)."""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def _become_worker(request, border, request_fd, reply_fd, console_fd):
    """In a fresh fork of the zygote: become a worker exactly as if started alone."""
    try:
        os.setsid()
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(console_fd, 1)
        os.dup2(console_fd, 2)
        low, high = sorted((request_fd, reply_fd))
        os.closerange(3, low)  # the zygote's socket, the console's original descriptor...
        os.closerange(low + 1, high)
        os.closerange(high + 1, 1 << 16)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        wanted = request["config"].get("namespaces", "auto")
        if wanted == "always" or (wanted == "auto" and isinstance(border.syscall_filter, str)):
            namespaces = _own_namespaces((request_fd, reply_fd))
        else:
            namespaces = "none of its own (seccomp refuses what they would contain)" if wanted == "auto" else "off"
        confinement = confine(request["config"], border, namespaces)
        Worker(request_fd, reply_fd, confinement).serve()
    finally:
        os._exit(0)


def _own_namespaces(channel):
    """Put the student's code in a PID and IPC namespace of its own, where the platform
    allows it: this process forks the namespace's first process (its init), which
    returns here and becomes the worker, while this one only waits and ends as it ends.

    When the init ends, the kernel kills every process of its namespace, and the SysV
    objects of the IPC namespace go with it. The init dies with this process (its
    parent-death signal), and this one is in the process group the grader kills.
    Returns what was achieved, for the log."""
    if sys.platform != "linux":
        return "none (not Linux)"
    failed = confining.unshare(confining.CLONE_NEWPID | confining.CLONE_NEWIPC)
    if failed:
        return f"none ({os.strerror(failed)})"
    alive_read, alive_write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(alive_write)
        confining.die_with_parent(signal.SIGKILL)
        import select

        if select.select([alive_read], [], [], 0)[0]:  # the parent ended before the signal was set
            os._exit(1)
        os.close(alive_read)
        return "pid, ipc"
    # The parent: only the init may hold the channel, so that its end is the grader's EOF.
    os.close(alive_read)
    for fd in channel:
        os.close(fd)
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            os._exit(1)
        except InterruptedError:
            continue
    if os.WIFSIGNALED(status):  # end the same way, so the grader reads the same cause
        number = os.WTERMSIG(status)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def direct(config):
    """Serve as a worker started on its own, where the platform has no fork server
    (see ``portable.py``): the request pipe is standard input, the reply pipe standard
    output and the console log standard error. The channel moves to descriptors of its
    own, which nothing the student starts inherits, and what the student's code prints
    goes to the console log; then the worker confines itself as a forked one does."""
    request_fd, reply_fd = os.dup(0), os.dup(1)
    if sys.platform == "win32":  # descriptors open as text there: the frames are bytes
        import msvcrt

        for fd in (request_fd, reply_fd):
            msvcrt.setmode(fd, os.O_BINARY)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(2, 1)
    os.close(devnull)
    border = Border(config.get("private", ()))
    border.network = leave_network()
    confinement = confine(config, border, "none of its own (no fork server)")
    confinement["limits"] = "resource limits" if resource is not None else "none (no resource module)"
    try:
        Worker(request_fd, reply_fd, confinement).serve()
    finally:
        os._exit(0)  # as a forked worker ends: no exit handler of the student's runs


def main():
    if sys.argv[1:2] == ["--direct"] and len(sys.argv) == 3:
        return direct(json.loads(sys.argv[2]))
    if sys.argv[1:2] != ["--zygote"] or len(sys.argv) != 5:
        sys.exit("usage: worker.py --zygote CONTROL_FD preload|plain PRIVATE_JSON, or worker.py --direct CONFIG_JSON")
    zygote(int(sys.argv[2]), sys.argv[3] == "preload", json.loads(sys.argv[4]))


if __name__ == "__main__":
    main()
