"""The batch's progress, wherever its output goes.

On a terminal: one bar, redrawn in place. Anywhere else (CI, ``nohup``, a log file): a
line when the batch starts, then one line at most every :data:`LINE_SECONDS` as
submissions finish, and a last line at the end; each says how many are graded, the rate,
the time left and the statuses other than ``graded`` so far.
"""

import collections
import time

from autograder.labels import STATUSES, Status

WIDTH = 30
#: How often the bar is redrawn on a terminal, in seconds.
REDRAW_SECONDS = 0.1
#: How often, at most, a line is written where there is no terminal, in seconds.
LINE_SECONDS = 5.0


class Progress:
    """``update(row)`` after each submission; ``finish()`` at the end. ``clock`` gives
    seconds (``time.monotonic``); ``every`` is the seconds between lines without a terminal."""

    def __init__(self, total, stream, *, clock=time.monotonic, every=LINE_SECONDS):
        self.total = total
        self.stream = stream
        self.terminal = bool(getattr(stream, "isatty", lambda: False)())
        self.clock = clock
        self.every = every
        self.done = 0
        self.statuses = collections.Counter()
        self.started = clock()
        self.drawn = self.started
        self.written_done = 0
        if not self.terminal and total:
            self._write(f"batch: grading {total} submission{'' if total == 1 else 's'}\n")

    def update(self, row):
        self.done += 1
        self.statuses[row.status] += 1
        now = self.clock()
        if self.terminal:
            if now - self.drawn >= REDRAW_SECONDS or self.done == self.total:
                self.drawn = now
                self._write("\r" + self.bar(now - self.started))
        elif now - self.drawn >= self.every:
            self.drawn = now
            self._line(now)

    def _line(self, now):
        self.written_done = self.done
        self._write(self.line(now - self.started) + "\n")

    def _rates(self, elapsed):
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        return rate, f"{int(left) // 60}:{int(left) % 60:02d}"

    def _problems(self):
        """``"1 import failed, 2 timed out"``: the statuses other than graded so far."""
        return ", ".join(f"{self.statuses[s]} {s}" for s in STATUSES if s != Status.GRADED and self.statuses[s])

    def bar(self, elapsed):
        """The terminal's bar after ``elapsed`` seconds."""
        filled = int(WIDTH * self.done / self.total) if self.total else WIDTH
        rate, left = self._rates(elapsed)
        problems = self._problems()
        return (
            f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}  {rate:.1f}/s  {left} left"
            + (f"  {problems} " if problems else " ")
        )

    def line(self, elapsed):
        """A log line after ``elapsed`` seconds: graded k of n, rate, time left, problems."""
        rate, left = self._rates(elapsed)
        percent = 100 * self.done // self.total if self.total else 100
        problems = self._problems()
        return (
            f"batch: graded {self.done} of {self.total} ({percent}%), {rate:.2f} submissions/s, "
            f"eta {left}" + (f"; {problems}" if problems else "")
        )

    def finish(self):
        if self.terminal:
            self._write("\n")
        elif self.total and (self.done == 0 or self.written_done != self.done):  # the last count, once
            self._line(self.clock())

    def _write(self, text):
        self.stream.write(text)
        self.stream.flush()
