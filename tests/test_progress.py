"""The batch's progress: a bar on a terminal; without one (CI, nohup, a log file) a line
at the start, one at most every few seconds, and one at the end."""

import io
import subprocess
import sys
from pathlib import Path

from autograder.batch.progress import LINE_SECONDS, Progress
from autograder.batch.scores import Row

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"


class Stream(io.StringIO):
    def __init__(self, terminal):
        super().__init__()
        self.terminal = terminal

    def isatty(self):
        return self.terminal


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def row(status="graded"):
    return Row("1", (), {}, 0.0, status)


def test_a_terminal_gets_one_bar_redrawn_in_place():
    stream = Stream(terminal=True)
    progress = Progress(2, stream)
    progress.update(row())
    progress.update(row("import failed"))
    progress.finish()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.endswith("\n") and "\r[" in text
    assert "2/2" in text and "1 import failed" in text


def test_without_a_terminal_a_line_every_few_seconds():
    stream, clock = Stream(terminal=False), Clock()
    progress = Progress(10, stream, clock=clock)
    assert stream.getvalue() == "batch: grading 10 submissions\n"
    for step in range(10):
        clock.now += LINE_SECONDS / 2  # two submissions per line's interval
        progress.update(row("timed out" if step == 3 else "graded"))
    progress.finish()
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert lines[1] == "batch: graded 2 of 10 (20%), 0.40 submissions/s, eta 0:20"
    assert len(lines) == 1 + 5, "a line per interval, the last one at 10 of 10"
    assert lines[-1] == "batch: graded 10 of 10 (100%), 0.40 submissions/s, eta 0:00; 1 timed out"


def test_the_last_line_is_written_once_and_an_interrupted_batch_says_where_it_stopped():
    stream, clock = Stream(terminal=False), Clock()
    progress = Progress(10, stream, clock=clock)
    clock.now += 1
    progress.update(row())
    progress.finish()
    assert stream.getvalue().splitlines()[1:] == ["batch: graded 1 of 10 (10%), 1.00 submissions/s, eta 0:09"]


def test_a_real_batch_writes_progress_lines_into_a_log_file(tmp_path):
    log = tmp_path / "batch.log"
    with open(log, "w") as stream:  # as nohup or a CI runner gives it: no terminal
        done = subprocess.run(
            [sys.executable, "-m", "autograder", "batch", str(SUBMISSIONS / "correct"), "--out", str(tmp_path / "out"),
             "--jobs", "1"],
            cwd=REPO, stdout=stream, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
    text = log.read_text()
    assert done.returncode == 0, text
    assert "batch: grading 1 submission\n" in text
    assert "batch: graded 1 of 1 (100%)" in text and "\r" not in text
