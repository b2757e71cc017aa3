"""The sandbox where the fork server cannot run: Windows (no ``fork``, no descriptors
passed over a unix socket, no ``select`` on a pipe), or any Python without ``fork``.

The student kit runs on the student's own machine, so :class:`~autograder.sandbox.session.Sandbox`
falls back to this backend there: each worker is an interpreter of its own,
``python -I worker.py --direct CONFIG``, whose standard input is the request pipe and
standard output the reply pipe (the worker moves both to private descriptors and
points its output at the console log), speaking the same frames of
:mod:`autograder.sandbox.wire`. What differs, and how:

timeouts
    a thread reads the reply pipe (:class:`ThreadedFrameReader`), so a deadline is a
    wait on what it read, with no ``select``;
ending everything the student started
    Windows: ``taskkill /F /T`` (the tree by parent, while it is whole), then the job
    object that holds the worker and all it starts, terminated as one; elsewhere: the
    worker's own session, killed as a process group, and its descendants found in
    ``/proc``;
resource limits
    the worker's ``resource`` limits where the module exists; on Windows the job
    object's per-process memory and CPU time limits.

:data:`FORK_SERVER` says which backend this platform gets; :func:`reduced_protections`
says, for the student, what is weaker than on Gradescope.
"""

import atexit
import json
import os
import platform
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from pathlib import Path

from autograder.sandbox import isolation as isolating
from autograder.sandbox import wire
from autograder.sandbox.zygote import RUNTIME_FILES

WINDOWS = sys.platform == "win32"
#: Whether the fork server of :mod:`autograder.sandbox.zygote` can run here: it forks,
#: gives each worker a session of its own, and passes it descriptors over a unix socket.
FORK_SERVER = hasattr(os, "fork") and hasattr(os, "setsid") and hasattr(socket, "send_fds")
#: What a Windows worker needs of the environment to start at all (SYSTEMROOT for its
#: random numbers, PATH for the DLLs of a conda numpy), beyond the sandbox's own.
WINDOWS_ENV = ("SYSTEMROOT", "WINDIR", "PATH", "PATHEXT", "COMSPEC")
_CREATE_NO_WINDOW = 0x08000000  # no console window flashes up from a notebook


def pipe():
    """``os.pipe()``, both ends in binary mode (Windows opens descriptors as text,
    which would turn the frames' newline bytes into two)."""
    ends = os.pipe()
    if WINDOWS:
        import msvcrt

        for fd in ends:
            msvcrt.setmode(fd, os.O_BINARY)
    return ends


class Launcher:
    """Starts workers as interpreters of their own; stands where the sandbox's
    :class:`~autograder.sandbox.zygote.Zygote` stands on Linux."""

    _shared = {}
    #: What the last worker started had of Windows' limits: "" (none), or what the job object enforces.
    job_limits = ""

    @classmethod
    def shared(cls, python, private):
        """This process's launcher for ``python``; ``private`` as for the zygote."""
        key = (os.getpid(), python, private)
        if key not in cls._shared:
            cls._shared[key] = cls(python, private)
        return cls._shared[key]

    def __init__(self, python, private=()):
        self.python = python
        self.private = tuple(private)
        # The worker runs from a copy outside the grader's source, as the zygote's does.
        self.runtime = Path(tempfile.mkdtemp(prefix="autograder-worker-"))
        for name in RUNTIME_FILES:
            shutil.copyfile(Path(__file__).with_name(name), self.runtime / name)
        atexit.register(self.close)

    def spawn(self, *, cwd, env, config, request_fd, reply_fd, console_fd):
        """Start a worker; returns its :class:`DirectChild`."""
        env = dict(env)
        if WINDOWS:
            env.update({key: os.environ[key] for key in WINDOWS_ENV if key in os.environ})
            env.update({"TEMP": env.get("TMPDIR", str(cwd)), "TMP": env.get("TMPDIR", str(cwd))})
        config = {**config, "private": list(self.private)}
        # Made before the worker starts, so that assigning it right after leaves the
        # least time for a child to start outside it (a venv's python.exe on Windows
        # is a launcher that starts the real interpreter as its child).
        job = _job_object(config.get("rlimits", {})) if WINDOWS else None
        process = subprocess.Popen(
            [self.python, "-I", str(self.runtime / "worker.py"), "--direct", json.dumps(config)],
            stdin=request_fd, stdout=reply_fd, stderr=console_fd, cwd=cwd, env=env,
            start_new_session=not WINDOWS, creationflags=_CREATE_NO_WINDOW if WINDOWS else 0,
        )
        if job is not None and not job.assign(process.pid):
            job = None
        Launcher.job_limits = job.limits if job is not None else ""
        return DirectChild(process, job)

    def describe(self):
        """What the platform offers the sandbox, for the instructor's log."""
        return {"kernel": f"{platform.system()} {platform.release()}", "capabilities": "none (no fork server)"}

    def close(self):
        shutil.rmtree(self.runtime, ignore_errors=True)


class DirectChild:
    """A worker the :class:`Launcher` started, with the part of ``subprocess.Popen``'s
    interface the sandbox uses (``pid``, ``poll``, ``wait``) and :meth:`kill_tree`."""

    def __init__(self, process, job=None):
        self.process = process
        self.pid = process.pid
        self.job = job

    def poll(self):
        return self.process.poll()

    def wait(self, timeout=5.0, raising=True):
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            if raising:
                raise
            return None

    def kill_tree(self):
        """End the worker and everything it started; returns how many are still alive."""
        if WINDOWS:
            if self.process.poll() is None:  # /T walks the tree from a living root
                try:
                    subprocess.run(["taskkill", "/F", "/T", "/PID", str(self.pid)], capture_output=True,
                                   check=False, timeout=10, creationflags=_CREATE_NO_WINDOW)
                except (OSError, subprocess.TimeoutExpired):
                    pass  # the job object still ends its processes
            if self.job is not None:  # and the job ends what was orphaned meanwhile
                self.job.terminate()
            self.process.kill()
            ended = self.wait(timeout=5.0, raising=False) is not None
            return 0 if ended else 1
        return _kill_session(self.process)


def _kill_session(process, rounds=50):
    """Without a fork server on POSIX: the worker leads a session of its own. Its
    descendants are found in /proc (where there is one) and stopped, the worker first,
    so that none can fork meanwhile, until no new one appears; then the whole group and every one of them is
    killed. Returns how many were still alive."""
    uid = os.getuid()
    _signal(process.pid, signal.SIGSTOP)
    tree = set()
    for _ in range(rounds):
        found = set(isolating.descendants([process.pid], isolating._process_table(uid))) - tree
        if not found:
            break
        for pid in found:
            _signal(pid, signal.SIGSTOP)
        tree |= found
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    for pid in tree:
        _signal(pid, signal.SIGKILL)
    try:
        process.wait(5.0)
    except subprocess.TimeoutExpired:
        pass
    alive = isolating._process_table(uid)
    return sum(1 for pid in tree if pid in alive) + (process.poll() is None)


def _signal(pid, number):
    try:
        os.kill(pid, number)
    except OSError:
        pass


class ThreadedFrameReader(wire.FrameReader):
    """:class:`wire.FrameReader` where ``select`` cannot wait on a pipe (Windows): a
    thread reads the pipe into a bounded queue, and a deadline is a wait on that queue.

    The thread reads its own duplicate of the descriptor, so that the sandbox closing
    its end never leaves the thread reading a descriptor number that a later pipe
    reuses; it stops when the worker's end closes or this reader is dropped. At most
    :data:`READ_AHEAD` bytes wait in the queue: beyond that the worker's writes block,
    as they would on a full pipe."""

    CHUNK = 65536
    READ_AHEAD = 64 * CHUNK

    def __init__(self, fd, *, max_blob_bytes):
        super().__init__(fd, max_blob_bytes=max_blob_bytes)
        self._chunks = queue.Queue(maxsize=self.READ_AHEAD // self.CHUNK)
        self._ended = False
        stop = threading.Event()
        weakref.finalize(self, stop.set)
        threading.Thread(target=_pump, args=(os.dup(fd), self._chunks, stop), name="autograder-reply", daemon=True).start()

    def pending(self):
        while not self._ended:
            try:
                self._take(self._chunks.get_nowait())
            except queue.Empty:
                break
        # The peer's end closing is "something arrived", as select() says of it.
        return bool(self._buffer) or self._ended

    def _take(self, chunk):
        if chunk:
            self._buffer += chunk
        else:
            self._ended = True

    def _exactly(self, count, deadline):
        while len(self._buffer) < count:
            if self._ended:
                raise wire.PeerClosed("the other side closed the channel")
            try:
                if deadline is None:
                    chunk = self._chunks.get()
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise queue.Empty
                    chunk = self._chunks.get(timeout=remaining)
            except queue.Empty:
                raise wire.FrameTimeout("no reply before the deadline") from None
            self._take(chunk)
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data


def _pump(fd, chunks, stop):
    """Read ``fd`` into ``chunks`` until its end (an empty chunk marks it) or ``stop``."""
    try:
        while not stop.is_set():
            try:
                chunk = os.read(fd, ThreadedFrameReader.CHUNK)
            except OSError:
                chunk = b""
            while True:
                try:
                    chunks.put(chunk, timeout=0.2)
                    break
                except queue.Full:
                    if stop.is_set():
                        return
            if not chunk:
                return
    finally:
        os.close(fd)


# -- Windows job objects (kernel32, through ctypes) ------------------------------------------

_JOB_OBJECT_EXTENDED_LIMIT_INFORMATION = 9
_LIMIT_PROCESS_TIME = 0x0002
_LIMIT_PROCESS_MEMORY = 0x0100
_LIMIT_KILL_ON_JOB_CLOSE = 0x2000
_PROCESS_TERMINATE = 0x0001
_PROCESS_SET_QUOTA = 0x0100


class _Job:
    """A job object for a worker and everything it starts: ``limits`` says what it
    enforces per process ("" for nothing but the ending)."""

    def __init__(self, kernel32, handle, limits):
        self.kernel32 = kernel32
        self.handle = handle
        self.limits = limits

    def assign(self, pid):
        """Put the process ``pid`` in the job; False (and the job closed) if Windows refuses."""
        process = self.kernel32.OpenProcess(_PROCESS_TERMINATE | _PROCESS_SET_QUOTA, False, pid)
        assigned = bool(process) and bool(self.kernel32.AssignProcessToJobObject(self.handle, process))
        if process:
            self.kernel32.CloseHandle(process)
        if not assigned:
            self.close()
        return assigned

    def terminate(self):
        if self.handle:
            self.kernel32.TerminateJobObject(self.handle, 1)
        self.close()

    def close(self):
        if self.handle:
            self.kernel32.CloseHandle(self.handle)  # KILL_ON_JOB_CLOSE ends whatever is left in it
            self.handle = None


def _job_object(rlimits):
    """A job object whose processes are limited to the memory and CPU time of
    ``rlimits`` (bytes of ``RLIMIT_AS``, seconds of ``RLIMIT_CPU``) each, and die when
    it is closed; None where Windows refuses one (``taskkill`` then ends the tree)."""
    try:
        import ctypes
        from ctypes import wintypes

        class Basic(ctypes.Structure):
            _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                        ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                        ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                        ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                        ("SchedulingClass", wintypes.DWORD)]

        class Extended(ctypes.Structure):
            _fields_ = [("BasicLimitInformation", Basic), ("IoInfo", ctypes.c_ulonglong * 6),
                        ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                        ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
        kernel32.CreateJobObjectW.restype = wintypes.HANDLE
        kernel32.CreateJobObjectW.argtypes = (ctypes.c_void_p, wintypes.LPCWSTR)
        kernel32.SetInformationJobObject.argtypes = (wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD)
        kernel32.OpenProcess.restype = wintypes.HANDLE
        kernel32.OpenProcess.argtypes = (wintypes.DWORD, wintypes.BOOL, wintypes.DWORD)
        kernel32.AssignProcessToJobObject.argtypes = (wintypes.HANDLE, wintypes.HANDLE)
        kernel32.TerminateJobObject.argtypes = (wintypes.HANDLE, wintypes.UINT)
        kernel32.CloseHandle.argtypes = (wintypes.HANDLE,)
        handle = kernel32.CreateJobObjectW(None, None)
        if not handle:
            return None
        info = Extended()
        flags, limits = _LIMIT_KILL_ON_JOB_CLOSE, []
        if "RLIMIT_AS" in rlimits:
            flags |= _LIMIT_PROCESS_MEMORY
            info.ProcessMemoryLimit = int(rlimits["RLIMIT_AS"])
            limits.append("memory")
        if "RLIMIT_CPU" in rlimits:
            flags |= _LIMIT_PROCESS_TIME
            info.BasicLimitInformation.PerProcessUserTimeLimit = int(rlimits["RLIMIT_CPU"]) * 10_000_000  # 100 ns units
            limits.append("CPU time")
        info.BasicLimitInformation.LimitFlags = flags
        limited = kernel32.SetInformationJobObject(handle, _JOB_OBJECT_EXTENDED_LIMIT_INFORMATION, ctypes.byref(info),
                                                   ctypes.sizeof(info))
        return _Job(kernel32, handle, " and ".join(limits) if limited else "")
    except (OSError, AttributeError, ValueError):
        return None


# -- what the student is told --------------------------------------------------------------------


def reduced_protections(confinement):
    """One line for the student: what of Gradescope's confinement the worker that
    reported ``confinement`` (its answer to ``hello``) ran without; "" for nothing."""
    missing = []
    if not str(confinement.get("file system", "")).startswith("landlock"):
        missing.append("no file-system confinement")
    if not str(confinement.get("seccomp", "")).startswith("filter applied"):
        missing.append("no system-call filter")
    if confinement.get("network") != "isolated":
        missing.append("no network isolation")
    if not FORK_SERVER and not (Launcher.job_limits if WINDOWS else confinement.get("limits") == "resource limits"):
        missing.append("no memory or CPU time limits")
    if not hasattr(signal, "setitimer"):  # the worker's CPU-time timers (Windows has none)
        missing.append("each call's time limit kept by the clock, not by CPU time")
    if not missing:
        return ""
    line = f"Protections reduced on this platform (Gradescope has them): {', '.join(missing)}."
    if not FORK_SERVER:
        line += " Your code ran in an interpreter of its own, with the same timeouts, and all it started is ended with it."
    return line
