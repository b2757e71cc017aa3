"""A one-line progress bar for a batch, drawn on a terminal only (never into a log)."""

import time

from autograder.batch.scores import GRADED

WIDTH = 30
REDRAW_SECONDS = 0.1


class Progress:
    """``update(row)`` after each submission; ``finish()`` at the end. Silent unless
    ``stream`` is a terminal."""

    def __init__(self, total, stream):
        self.total = total
        self.stream = stream
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.done = 0
        self.not_graded = 0
        self.started = time.monotonic()
        self.drawn = 0.0

    def update(self, row):
        self.done += 1
        self.not_graded += row.status != GRADED
        now = time.monotonic()
        if self.enabled and (now - self.drawn >= REDRAW_SECONDS or self.done == self.total):
            self.drawn = now
            self.stream.write("\r" + self.line(now - self.started))
            self.stream.flush()

    def line(self, elapsed):
        filled = int(WIDTH * self.done / self.total) if self.total else WIDTH
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        return (
            f"[{'#' * filled}{'.' * (WIDTH - filled)}] {self.done}/{self.total}  {rate:.1f}/s  "
            f"{int(left) // 60}:{int(left) % 60:02d} left  {self.not_graded} not graded "
        )

    def finish(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
