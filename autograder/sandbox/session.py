"""The grader's side of the border: a :class:`Sandbox` runs one submission's module in a
worker process and answers ``call(function, *args)`` with validated plain data.

Everything that touches student code goes through here. The worker is forked by the
zygote (:mod:`autograder.sandbox.zygote`) into a scratch copy of the submission, with
its own session (so its whole process group can be killed), a scrubbed environment,
the isolation of :mod:`autograder.sandbox.isolation` and the confinement of
``confine.py`` (Landlock, seccomp, namespaces), and its output sent to a capped log.
Each call has a timeout; a function that timed out is not called again, and the
whole submission has a time budget, so grading ends in bounded time whatever the
student wrote.
"""

import dataclasses
import json
import os
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import time
from pathlib import Path

from autograder.markdown import inline_code
from autograder.sandbox import isolation as isolating
from autograder.sandbox import messages, portable, wire
from autograder.sandbox.errors import (
    BadReturn,
    CallTimedOut,
    ImportFailed,
    MissingFunction,
    WorkerDied,
    place_in_file,
)
from autograder.sandbox.limits import Limits
from autograder.sandbox.zygote import base_environment, serving


@dataclasses.dataclass(frozen=True)
class ImportReport:
    """What the import told us: the module's public callables and their signatures."""

    module_name: str
    functions: dict


def warm_up():
    """Start this process's zygote now (see :func:`zygote.warm_up`)."""
    serving(sys.executable, isolating.current_isolation())


def _module_name(path):
    stem = path.stem
    return stem if stem.isidentifier() else "student_module"


class Sandbox:
    """One student's module, imported in a worker process. Use as a context manager."""

    def __init__(
        self, module_path, *, folder=None, limits=Limits(), python=None, place=place_in_file, isolation=None,
        shown_as=None, namespaces="auto",
    ):
        """``module_path`` is the student's file; ``folder``, when given, is the
        submission folder that holds it, copied whole so its other files stay importable.
        ``place(file, line)`` names a location in feedback, and ``shown_as`` the module
        (default: its file name in code); a notebook names its cells and itself.
        ``namespaces`` says when the worker gets PID and IPC namespaces of its own:
        ``"auto"`` (only where there is no seccomp filter: with one, setsid, SysV IPC
        and keyrings are refused already, and a namespace per submission costs about
        8 ms of a batch's time), ``"always"`` or ``"never"``."""
        self.namespaces = namespaces
        self.place = place
        self.shown_as = shown_as or inline_code(Path(module_path).name)
        self.isolation = isolation if isolation is not None else isolating.current_isolation()
        self.confinement = {}  # what the worker achieved: network, user, namespaces, file system, seccomp
        self.survivors = 0  # processes still alive after close(): should stay 0
        self.module_path = Path(module_path)
        self.folder = Path(folder) if folder is not None else None
        self.limits = limits
        self.python = python or sys.executable
        self.module_name = _module_name(self.module_path)
        self.timed_out = set()
        self.used_seconds = 0.0
        # (check, where) -> what the student's code printed there, in order of first output;
        # check is the check that made the calls (see calls_for), None for the import and the console
        self.printed = {}
        self.calls_for = None  # the check on whose behalf calls are made now (the grader sets it)
        self._answered = {}  # (function, encoded calls, blobs) -> the values they gave
        self._answered_bytes = 0
        self._process = None
        self._zygote = None
        self._next_id = 0
        self._import_error = None
        self._report = None
        self._scratch = None
        self._console_log = None

    # -- lifecycle -------------------------------------------------------------------

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def import_module(self):
        """Import the student's module; raises :class:`ImportFailed` with feedback."""
        self._ensure_worker()
        return self._report

    def close(self):
        """Kill the worker and everything it started; remove the scratch folders."""
        self._stop_worker()  # every stop also ends whatever the student started
        isolating.remove_leftovers(self.isolation, confinement=self.confinement)
        if self._console_log is not None:
            self._collect_console()
            self._console_log = None
        if self._scratch is not None:
            isolating.remove_tree(self._scratch)
        self._scratch = None

    # -- calls -----------------------------------------------------------------------

    def call(self, function, *args, **kwargs):
        """Call ``function(*args, **kwargs)`` in the worker and return its plain value.

        Raises a :class:`~autograder.sandbox.errors.StudentCodeError` subclass with
        student-facing feedback when the call cannot give a value.
        """
        return self.call_each(function, [(args, kwargs)])[0]

    def call_each(self, function, calls):
        """Call ``function`` once per ``(args, kwargs)`` in ``calls``, in one exchange with
        the worker; returns the list of values. The calls share one timeout of
        ``call_timeout`` seconds, and the first failure raises, as :meth:`call` does.

        The same calls asked again (the same function, arguments equal by value) are
        answered with a copy of the values they gave, without an exchange: the checks
        treat a student's function as a function of its arguments, and several checks
        of one part ask the same question. What such a call printed is shown once, under
        the check that asked first."""
        if function in self.timed_out:
            raise CallTimedOut(
                f"`{function}` timed out earlier in this run, so it was not called again. "
                f"Each call may use at most {self.limits.call_timeout:g} s of CPU time."
            )
        if self.used_seconds >= self.limits.total_timeout:
            raise CallTimedOut(
                f"Your code used up the time allowed for the whole submission "
                f"({self.limits.total_timeout:g} s), so `{function}` was not called."
            )
        self._ensure_worker()
        if function not in self._report.functions:
            raise MissingFunction(
                f"Your module does not define `{function}`. Define it at the top level of "
                f"{self.shown_as} with the signature given in the handout."
            )
        blobs = []
        encoded = wire.encode_value([[list(args), dict(kwargs)] for args, kwargs in calls], blobs)
        asked = (function, repr(encoded), tuple(blobs))  # plain data, built in a fixed order
        if asked in self._answered:
            return wire.copy_value(self._answered[asked])
        request = {"op": "call", "function": function, "calls": encoded, "limits": self._time_limits(self.limits.call_timeout)}
        # The worker stops each call at its own limits; this deadline holds when the
        # student's code keeps the worker from doing so (it blocked the timer's signals).
        deadline = min(len(calls) * request["limits"]["wall"], self._budget_left()) + _GRACE
        reply = self._exchange(request, blobs, deadline, doing=f"`{function}`")
        self._record_printed((self.calls_for, function), reply.get("printed"))
        if reply.get("ok") is True:
            values = reply["value"]
            if type(values) is not list or len(values) != len(calls):
                self._stop_worker()
                raise BadReturn(f"The grader could not read what `{function}` sent back.")
            if self._answered_bytes < MAX_ANSWERED_BYTES:
                self._answered[asked] = wire.copy_value(values)
                self._answered_bytes += len(asked[1]) + sum(map(len, blobs)) + self._reader.frame_bytes
            return values
        raise self._call_error(function, reply.get("error"))

    def _budget_left(self):
        return max(self.limits.total_timeout - self.used_seconds, 0.0)

    def _time_limits(self, cpu):
        """The limits the worker keeps on one piece of student code that may use ``cpu``
        seconds of CPU time: the clock's, ``wall_factor`` times that, within the budget."""
        return {"cpu": cpu, "wall": max(min(cpu * self.limits.wall_factor, self._budget_left()), 0.001)}

    def _call_error(self, function, error):
        error = error if type(error) is dict else {}
        if error.get("kind") == "timeout":
            self.timed_out.add(function)  # not called again in this run
        return messages.call_error(function, error, self.limits, self.place)

    def _exchange(self, request, blobs, timeout, *, doing, greeted=False):
        """Send one request and wait for its reply; turns every failure into feedback.
        ``greeted``: the worker has just started, and its first frame (what confines it,
        written before any student code ran) comes before the reply."""
        # The reply must echo a nonce the worker learns only with this request, and be
        # the only bytes on the channel: a frame the student's code writes blindly to a
        # descriptor it inherited (at import, or during a call) is refused, not graded.
        self._next_id += 1
        nonce = secrets.token_hex(16)
        request.update(id=self._next_id, nonce=nonce)
        started = time.monotonic()
        reader = self._reader
        deadline = started + max(timeout, 0.0)
        try:
            if not greeted and reader.pending():
                raise wire.WireError("bytes nobody asked for")
            wire.write_frame(self._request_fd, request, blobs)
            if greeted:
                self._read_greeting(started + _STARTUP_SECONDS)
                deadline = time.monotonic() + max(timeout, 0.0)  # the reply's own time starts now
            message, reply_blobs = reader.read(deadline=deadline)
            # The scratch folder's name differs every run: feedback names paths inside
            # the submission as the student knows them (`we_recur.py`), so that the same
            # submission gets the same results.json every time. Lone surrogates arrive
            # as JSON escapes (``\\udc80``): a header with neither needs no rewriting.
            scratch, scratch_json = self._scratch_text
            if "\\u" in reader.header_text or scratch_json in reader.header_text:
                message = _valid_text(message, scratch)
            if message.get("id") != self._next_id or message.get("nonce") != nonce or reader.pending():
                raise wire.WireError("a reply that does not answer the request")
            if "value" in message:
                message["value"] = wire.decode_value(message["value"], reply_blobs)
            return message
        except wire.FrameTimeout:
            self._stop_worker()
            function = request.get("function")
            if function:
                self.timed_out.add(function)
            raise CallTimedOut(
                f"{doing} did not finish within {max(timeout, 0.0):.3g} s by the clock and was stopped "
                "(an infinite loop, or a very slow computation?)."
            ) from None
        except wire.TooLarge:
            self._stop_worker()
            raise BadReturn(
                f"{doing} returned a value larger than the grader accepts "
                f"({self.limits.max_value_bytes // (1024 * 1024)} MB)."
            ) from None
        except (wire.PeerClosed, BrokenPipeError):
            status = self._stop_worker(exiting=True)
            raise WorkerDied(f"The process running your code ended during {doing} ({status}).") from None
        except wire.WireError as error:
            self._stop_worker()
            raise BadReturn(
                f"The grader refused what came back from {doing} ({error}). Your code must not write to "
                "file descriptors it did not open: the grader's channel to your code is not for printing."
            ) from None
        finally:
            self.used_seconds += time.monotonic() - started


    def _read_greeting(self, deadline):
        try:
            greeting, _ = self._reader.read(deadline=deadline)
        except wire.FrameTimeout:
            self._stop_worker()
            raise WorkerDied(
                f"The process for your code did not start within {_STARTUP_SECONDS:g} s (the grading machine "
                "may be overloaded); this is not a problem with your code."
            ) from None
        if greeting.get("id") != 0:
            raise wire.WireError("a first frame that is not the worker's")
        if not self.confinement:  # a restarted worker says it again: the first one counts
            confinement = greeting.get("confinement")
            self.confinement = confinement if type(confinement) is dict else {"worker": "said nothing"}

    # -- the worker process ------------------------------------------------------------

    def _ensure_worker(self):
        if self._import_error is not None:
            # A fresh exception each time: re-raising one object would grow its traceback.
            raise ImportFailed(self._import_error.feedback)
        if self._process is not None:  # a worker that died shows up at the next exchange
            return
        self._start_worker()
        try:
            limits = self._time_limits(self.limits.import_timeout)
            request = {"op": "import", "path": str(self._student_file), "module": self.module_name, "limits": limits}
            reply = self._exchange(
                request, [], limits["wall"] + _GRACE, doing="importing your module", greeted=True
            )
        except (CallTimedOut, WorkerDied, BadReturn) as error:
            self._import_error = ImportFailed(f"Your module could not be imported: {error.feedback}")
            raise self._import_error from None
        if self._report is None:  # a restarted worker imports again; report its output once
            self._record_printed((None, "import"), reply.get("printed"))
        if reply.get("ok") is not True:
            error = reply.get("error") if type(reply.get("error")) is dict else {}
            if error.get("kind") == "timeout":
                self._stop_worker()  # the module is half imported: it is not called
                feedback = messages.timeout_text(error, "Importing your module", self.limits.import_timeout, self.limits)
                self._import_error = ImportFailed(f"Your module could not be imported: {feedback}")
            else:
                self._import_error = ImportFailed(
                    messages.import_feedback(error, self.module_path.name, self.shown_as, self.limits, self.place)
                )
            raise self._import_error
        functions = reply.get("functions")
        self._report = ImportReport(self.module_name, dict(functions) if type(functions) is dict else {})

    def _start_worker(self):
        if self._scratch is None:
            # The scratch folder is the grader's and only traversable by others: inside
            # it, the student's code works in its copy of the submission, and cannot
            # reach its own console log (root's, 0600, when it runs as the sandbox user).
            self._scratch = Path(tempfile.mkdtemp(prefix="autograder-"))
            os.chmod(self._scratch, 0o711)
            work = self._scratch / "submission"
            if self.folder is not None:
                copy_submission(self.folder, work, self.limits.max_submission_bytes, keep=self.module_path)
                self._student_file = work / self.module_path.relative_to(self.folder)
            else:
                work.mkdir()
                self._student_file = work / self.module_path.name
                shutil.copyfile(self.module_path, self._student_file)
            isolating.hand_over(work, self.isolation)
            self._console_log = self._scratch / "console.log"
        work_dir = self._scratch / "submission"
        # How the worker's replies spell paths inside it (see _exchange).
        self._scratch_text = (f"{work_dir}{os.sep}", json.dumps(f"{work_dir}{os.sep}")[1:-1])
        env = base_environment()
        env.update({"HOME": str(work_dir), "TMPDIR": str(work_dir)})
        config = {
            "uid": self.isolation.uid,
            "gid": self.isolation.gid,
            "rlimits": self.limits.rlimits(dedicated_user=not self.isolation.reduced),
            "namespaces": self.namespaces,
        }
        if portable.FORK_SERVER:
            self._zygote = serving(self.python, self.isolation)
        else:  # Windows: each worker is an interpreter of its own
            self._zygote = portable.Launcher.shared(self.python, isolating.private_paths())
        request_read, request_write = portable.pipe()
        reply_read, reply_write = portable.pipe()
        console = os.open(self._console_log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            self._process = self._zygote.spawn(
                cwd=work_dir, env=env, config=config, request_fd=request_read, reply_fd=reply_write, console_fd=console
            )
        finally:
            for fd in (request_read, reply_write, console):
                os.close(fd)
        self._request_fd, self._reply_fd = request_write, reply_read
        reader = wire.FrameReader if portable.FORK_SERVER else portable.ThreadedFrameReader
        self._reader = reader(reply_read, max_blob_bytes=self.limits.max_value_bytes)

    def _stop_worker(self, exiting=False):
        """Kill the worker's process group; returns how the worker ended, for feedback.

        ``exiting``: the worker closed its end, so it is probably exiting on its own;
        give it a moment to say how (an exit code, a signal from a resource limit)."""
        process, self._process = self._process, None
        if process is None:
            return "not running"
        # Asked only when the worker is ending on its own: otherwise it is running (or ends
        # meanwhile, which changes nothing), and asking its fork server costs a round trip.
        with_status = process.wait(timeout=0.5, raising=False) if exiting else None
        if portable.FORK_SERVER:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            process.await_end(timeout=5.0)
            self.survivors = isolating.kill_everything(self.isolation, self._zygote, process.pid)
        else:
            self.survivors = process.kill_tree()
        for fd in (self._request_fd, self._reply_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        if with_status is None:
            return "stopped by the grader"
        if with_status < 0:
            name = signal.Signals(-with_status).name
            if name == "SIGXCPU":
                return f"killed by {name}: it used up the CPU time limit of {self.limits.cpu_seconds} s"
            return f"killed by signal {name}"
        return f"exit code {with_status}"

    # -- what is in force -----------------------------------------------------------------

    def border(self):
        """One line for the instructor's log: the kernel and what the worker had in force."""
        offered = self._zygote.describe() if self._zygote is not None else {}
        held = self.confinement
        user = "the grader's own" if held.get("user") is None else f"uid {held['user']}"
        layers = [
            f"kernel {offered.get('kernel', 'unknown')}",
            f"user {user}",
            f"file system {held.get('file system', 'unknown')}",
            f"seccomp {held.get('seccomp', 'unknown')}",
            f"namespaces {held.get('namespaces', 'unknown')}",
            f"network {held.get('network', 'unknown')}",
            f"tcp {held.get('tcp') or 'not denied by landlock'}",
            f"signals {held.get('signals') or 'not scoped'}",
            f"grader capabilities {offered.get('capabilities', 'unknown')}",
        ]
        return "border: " + "; ".join(layers)

    # -- what the student printed -------------------------------------------------------

    def _record_printed(self, where, text):
        if type(text) is str and text:
            kept = self.printed.get(where, "")
            if len(kept) <= self.limits.max_printed_chars:
                self.printed[where] = kept + text

    def _collect_console(self):
        try:
            with open(self._console_log, "rb") as console:
                raw = console.read(self.limits.max_printed_chars + 1)
        except OSError:
            return
        text = _valid_text(raw.decode("utf-8", errors="replace"), f"{self._scratch / 'submission'}{os.sep}")
        if text:
            self._record_printed((None, CONSOLE), text)

    def printed_output(self, check=None, *, console=True):
        """What the student's code printed during the calls ``check`` made (None: during
        the import, and with ``console`` what it wrote to the console directly, which no
        call can be told apart by), truncated to ``max_printed_chars``."""
        pieces = [
            f"--- printed during {where} ---\n{text}"
            for (owner, where), text in self.printed.items()
            if owner == check and (console or where != CONSOLE)
        ]
        text = "\n".join(pieces)
        limit = self.limits.max_printed_chars
        if len(text) > limit:
            text = text[:limit] + f"\n[... {len(text) - limit} more characters not shown]"
        return text


#: Where the console's output is kept: written by the worker's processes at any time.
CONSOLE = "the console"


class NothingToGrade:
    """Stands in for a :class:`Sandbox` when there is no module: every call fails with
    the same feedback, so each check reports it in its own place."""

    def __init__(self, feedback):
        self.feedback = feedback

    def call(self, function, *args, **kwargs):
        raise ImportFailed(self.feedback)

    def call_each(self, function, calls):
        raise ImportFailed(self.feedback)


#: Seconds the grader waits beyond the worker's own time limits before it stops the
#: worker itself: the worker reports a timeout it caught within microseconds.
_GRACE = 1.0
#: What one submission's remembered answers may hold (see ``Sandbox.call_each``), in
#: bytes of the calls and replies as they crossed: past it, calls are made again.
MAX_ANSWERED_BYTES = 16 * 1024 * 1024
#: Seconds a new worker may take to say what confines it, before any student code runs.
_STARTUP_SECONDS = 30.0


def _valid_text(data, scratch):
    """``data`` with every string made valid Unicode (a student may print or raise lone
    surrogates, which JSON carries but no UTF-8 file can hold), and the ``scratch``
    prefix removed from paths."""
    if type(data) is str:
        return data.encode("utf-8", "replace").decode("utf-8").replace(scratch, "")
    if type(data) is list:
        return [_valid_text(item, scratch) for item in data]
    if type(data) is dict:
        return {_valid_text(key, scratch): _valid_text(value, scratch) for key, value in data.items()}
    return data


#: How a submission's file is opened to be copied: never through a link, never waiting
#: on a FIFO (Windows has neither flag, nor FIFOs; links are skipped before opening there).
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_COPY_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


#: Folders nested deeper than this in a submission stay behind: no assignment needs
#: them, and a walk that followed a tree of any depth could exhaust the grader's stack.
MAX_FOLDER_DEPTH = 32


def copy_submission(source, destination, max_bytes, keep=None):
    """Copy the submission's regular files and folders; links and other oddities stay
    behind, and so do folders deeper than :data:`MAX_FOLDER_DEPTH` and files past
    ``max_bytes`` in all, except ``keep`` (the module).

    Each file is opened without following a link and checked on what was opened, so a
    link is never read through (as root, it could reach any file), even one put in
    place after the folder was listed; a FIFO cannot make the copy wait. The walk keeps
    its own stack (``os.walk`` recurses)."""
    destination.mkdir(parents=True)
    total = 0
    pending = [(Path(source), Path(), 0)]
    while pending:
        folder, relative, depth = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_symlink():
                continue
            if entry.is_dir(follow_symlinks=False):
                if entry.name != "__pycache__" and depth < MAX_FOLDER_DEPTH:
                    (destination / relative / entry.name).mkdir()
                    pending.append((Path(entry.path), relative / entry.name, depth + 1))
                continue
            path = Path(entry.path)
            try:
                descriptor = os.open(path, _COPY_FLAGS)
            except OSError:  # a link (ELOOP), or unreadable
                continue
            with open(descriptor, "rb") as stream:
                status = os.fstat(descriptor)
                if not stat.S_ISREG(status.st_mode):
                    continue
                if total + status.st_size > max_bytes and path != keep:
                    continue
                total += status.st_size
                with open(destination / relative / entry.name, "wb") as sink:
                    shutil.copyfileobj(stream, sink)
