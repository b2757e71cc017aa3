"""Grader processes side by side: each grades submissions one after another.

The grader runs pytest in its own process, so grading happens in child processes
started with ``forkserver`` (or ``spawn``), never in the batch's process. Each child
keeps its rubric, its imports, its pytest session and its sandbox's pre-warmed worker
across submissions.
Rows stream back as submissions finish; nothing else is kept here.

A child that dies or hangs costs only the submission it was grading: that submission
gets the status ``error`` and a valid results.json, and a fresh child takes the slot.
"""

import multiprocessing
import os
import shutil
import signal
import tempfile
import time
from multiprocessing.connection import wait

from autograder.batch.grader import Grader, write_failure
from autograder.sandbox.confine import die_with_parent

#: A child that dies this many times in a row without finishing a submission means
#: the grader cannot start at all: stop rather than fail every submission.
MAX_FAILED_STARTS = 3


class GraderFailed(RuntimeError):
    """The grader processes cannot start; the message says what to look at."""


def _context():
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Loaded once in the fork server: each child starts with pytest, numpy and the
        # grader already imported.
        context.set_forkserver_preload(["autograder.batch.grader"])
        return context
    return multiprocessing.get_context("spawn")


def _serve(connection, rubric_path, out_dir, slot, scratch, cpu, seed=None):
    """A child's life: grade each submission received, in one pytest session, until told
    to stop (None). Its temporary folders go into ``scratch``, which the batch removes
    after the child ends, however it ends; ``cpu``, when not None, is the processor it
    and what it starts keep to."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the batch's to handle
    # The fork server this child came from ends with the batch, however the batch ends;
    # this child then ends too, and its zygote and workers, which die with their parents.
    die_with_parent(signal.SIGKILL)
    tempfile.tempdir = scratch
    if cpu is not None:
        # The grader and its worker take turns (a request, a reply): on one processor
        # each turn is a plain switch, not a wake-up sent to another processor, which
        # costs about a tenth of the CPU. The zygote and its workers inherit this.
        os.sched_setaffinity(0, {cpu})

    def received():
        while True:
            try:
                submission = connection.recv()
            except EOFError:
                return
            if submission is None:
                return
            yield submission

    Grader(rubric_path, out_dir, slot, seed).grade_each(received(), connection.send)


def descendants(pid):
    """Every descendant of ``pid``, from /proc (none where there is no /proc)."""
    children = {}
    try:
        entries = list(os.scandir("/proc"))
    except OSError:
        return []
    for entry in entries:
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stream:
                    parent = int(stream.read().rpartition(b")")[2].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, frontier = [], [pid]
    while frontier:
        kids = children.get(frontier.pop(), [])
        found += kids
        frontier += kids
    return found


def _kill_tree(process):
    """Kill a grader process and what it started (its zygote, a worker still running
    student code), which would otherwise outlive it until their CPU limit. The tree is
    stopped first, so that nothing in it starts another process meanwhile."""
    stopped = set()
    for _ in range(5):
        found = {process.pid, *descendants(process.pid)}
        if found <= stopped:
            break
        for pid in found - stopped:
            _signal(pid, signal.SIGSTOP)
        stopped |= found
    for pid in stopped:
        _signal(pid, signal.SIGKILL)
    process.join()


def _signal(pid, number):
    try:
        os.kill(pid, number)
    except OSError:
        pass


def processors_for(jobs):
    """The processor for each slot 1..jobs, or None for all when there are fewer
    processors than graders (or no way to tell): each grader then keeps to its own."""
    try:
        allowed = sorted(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return {}
    if jobs > len(allowed):
        return {}
    return {slot: allowed[slot - 1] for slot in range(1, jobs + 1)}


class _Child:
    def __init__(self, context, slot, rubric_path, out_dir, cpu=None, seed=None):
        self.slot = slot
        self.seed = seed
        self.cpu = cpu
        self.scratch = tempfile.mkdtemp(prefix=f"autograder-grader-{slot}-")
        os.chmod(self.scratch, 0o711)  # the sandbox user must reach its folder inside
        self.connection, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(theirs, str(rubric_path), str(out_dir), slot, self.scratch, cpu, seed), name=f"grader-{slot}",
            daemon=True,
        )
        self.process.start()
        theirs.close()
        self.submission = None
        self.started = 0.0
        self.finished_any = False

    def give(self, submission):
        self.submission, self.started = submission, time.monotonic()
        self.connection.send(submission)

    def stop(self, timeout=5.0):
        try:
            self.connection.send(None)
        except OSError:
            pass
        self.process.join(timeout)
        if self.process.is_alive():  # still grading (the batch was interrupted)
            _kill_tree(self.process)
        self.connection.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


class GraderPool:
    """``jobs`` grader processes for the rubric at ``rubric_path``, writing into ``out_dir``.

    ``time_limit`` (seconds) bounds one submission: the sandbox already bounds student
    code, so only a grader bug can reach it. Use as a context manager.
    """

    def __init__(self, jobs, rubric_path, out_dir, *, time_limit, seed=None):
        self.jobs = max(1, int(jobs))
        self.rubric_path = rubric_path
        self.seed = seed  # the secret scoring seed, or None
        self.out_dir = out_dir
        self.time_limit = time_limit
        self.context = _context()
        self.processors = processors_for(self.jobs)
        self.children = []
        self.failed_starts = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        for child in self.children:
            child.stop()
        self.children = []
        _stop_helpers(self.context)

    def grade(self, submissions):
        """Grade every submission; yields a Row for each as soon as it is done."""
        queue = list(submissions)
        queue.reverse()  # pop() from the end keeps the export's order
        busy = []
        while len(self.children) < min(self.jobs, len(queue)):
            # Slots 1..N: slot 0's sandbox user stays with single gradings (grade,
            # run_autograder) that may run on the same machine meanwhile.
            slot = len(self.children) + 1
            self.children.append(
                _Child(self.context, slot, self.rubric_path, self.out_dir, self.processors.get(slot), self.seed)
            )
        for child in self.children:
            if queue:
                child.give(queue.pop())
                busy.append(child)
        while busy:
            ready = set(wait([c.connection for c in busy] + [c.process.sentinel for c in busy], timeout=1.0))
            for child in list(busy):
                row = None
                if child.connection in ready or child.process.sentinel in ready:
                    row = self._receive(child)
                elif time.monotonic() - child.started > self.time_limit:
                    _kill_tree(child.process)
                    row = self._replace(child, f"the grader did not finish within {self.time_limit:g} s and was stopped")
                if row is None:
                    continue
                yield row
                busy.remove(child)
                current = self._current(child)
                if queue:
                    current.give(queue.pop())
                    busy.append(current)

    def _receive(self, child):
        try:
            row = child.connection.recv()
        except (EOFError, OSError):
            child.process.join(1.0)
            code = child.process.exitcode
            return self._replace(child, f"the grader process ended unexpectedly (exit code {code})")
        child.finished_any = True
        self.failed_starts = 0
        return row

    def _replace(self, child, why):
        """Record the child's submission as failed and start a fresh child in its slot."""
        submission = child.submission
        row = write_failure(self.out_dir, submission, why, time.monotonic() - child.started)
        if not child.finished_any:
            self.failed_starts += 1
            if self.failed_starts >= MAX_FAILED_STARTS:
                raise GraderFailed(f"grader processes keep failing before grading anything ({why}); see the errors above")
        child.stop(timeout=0)
        fresh = _Child(self.context, child.slot, self.rubric_path, self.out_dir, child.cpu, self.seed)
        self.children[self.children.index(child)] = fresh
        return row

    def _current(self, child):
        """The child now in ``child``'s slot (itself, or its replacement)."""
        return next(c for c in self.children if c.slot == child.slot)


def _stop_helpers(context):
    """End the fork server the graders came from and the resource tracker it started,
    and wait for them: each would otherwise linger for a moment after the batch exits
    (it ends when it sees the batch's end of its pipe close), a process of the grading
    user that outlives the batch."""
    if context.get_start_method() != "forkserver":
        return
    from multiprocessing import forkserver, resource_tracker

    for helper in (getattr(forkserver, "_forkserver", None), getattr(resource_tracker, "_resource_tracker", None)):
        stop = getattr(helper, "_stop", None)
        if stop is not None:  # CPython's own (its tests use it); other implementations: let it linger
            try:
                stop()
            except (OSError, ChildProcessError):
                pass
