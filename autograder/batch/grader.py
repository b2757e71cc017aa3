"""A grader process of the batch: it loads the rubric once, then grades submissions one
after another in one pytest session, with :func:`autograder.grading.grade_each` (student
code runs only in the sandbox's worker processes), and writes each one's results.json itself.

Whatever happens to one submission, it ends with a :class:`~autograder.batch.scores.Row`
and, unless the disk refuses it, a valid ``results/<id>.json``: a grader exception (in
grading it, or in cleaning up after it) or a file that cannot be written gives the
status ``error`` and says why.
"""

import tempfile
import time
import traceback
from pathlib import Path

from autograder import grading
from autograder.batch.scores import Row, row_from_graded, short
from autograder.labels import Status
from autograder.outcomes import failure_results
from autograder.sandbox import isolation

GRADER_FAILED = "The autograder itself failed on this submission; this is not a problem with your code."


class Grader:
    """Grades submissions into ``out_dir`` (``results/`` and ``logs/``) under one rubric.

    ``slot`` numbers this grader among those running side by side, so that each uses
    its own sandbox user (see :func:`autograder.sandbox.isolation.use_slot`).
    """

    def __init__(self, rubric_path, out_dir, slot=0, seed=None):
        isolation.use_slot(slot)
        self.rubric = grading.load(rubric_path)
        if seed is not None:  # the secret scoring seed
            self.rubric = self.rubric.scored_with(seed)
        self.out_dir = Path(out_dir)

    def grade_each(self, submissions, deliver):
        """Grade each :class:`~autograder.export.ExportedSubmission` of the iterable
        ``submissions`` (read lazily) in one pytest session; ``deliver(row)`` gets each
        one's Row once its results.json is written."""
        started = {}

        def paths(empty):
            for submission in submissions:
                started[submission.submission_id] = time.monotonic()
                # Listed, but nothing exported: graded as an empty upload.
                yield submission, empty if submission.path is None else submission.path

        def done(submission, graded):
            deliver(self._record(submission, graded, started.pop(submission.submission_id)))

        with tempfile.TemporaryDirectory(prefix="autograder-empty-") as empty:
            grading.grade_each(paths(Path(empty)), self.rubric, done)

    def _record(self, submission, graded, started):
        """Write the submission's results.json (and its log, unless it simply graded);
        returns its Row. ``graded`` is a Graded, or the grader's exception."""
        try:
            if isinstance(graded, Exception):
                raise graded
            row = row_from_graded(submission, graded, seconds=time.monotonic() - started)
            results, log = graded.results, (graded.instructor_log if row.status != Status.GRADED else "")
        except Exception as error:  # noqa: BLE001  the grader's own failure: this submission only
            log = "".join(traceback.format_exception(error))
            results = failure_results(GRADER_FAILED, started)
            row = failed_row(submission, log.strip().splitlines()[-1], time.monotonic() - started)
        unwritten = _write_outputs(self.out_dir, submission, results, log)
        return row if not unwritten else failed_row(submission, unwritten, time.monotonic() - started)


def failed_row(submission, why, seconds):
    """The Row of a submission the grader could not grade (an exception, a crash)."""
    return Row(
        submission_id=submission.submission_id,
        submitters=submission.submitters,
        part_scores={},
        total=0.0,
        status=Status.ERROR,
        detail=short(" ".join([f"grader failure: {why}", *submission.problems])),
        seconds=seconds,
        source=submission.source,
        submitted=submission.path is not None,
    )


def write_failure(out_dir, submission, why, seconds):
    """Record, from outside the grader process, a submission whose grader died."""
    unwritten = _write_outputs(Path(out_dir), submission, failure_results(GRADER_FAILED), why)
    return failed_row(submission, f"{why}; {unwritten}" if unwritten else why, seconds)


def _write_outputs(out_dir, submission, results, log):
    """Write the submission's ``results/<id>.json`` and, when there is a ``log``, its
    ``logs/<id>.txt``. Returns "" or what could not be written and why: a full disk, or
    a path in the way, costs this submission's files, never the batch's other rows."""
    name = submission.submission_id
    try:
        results.write(out_dir / "results" / f"{name}.json")
    except OSError as error:
        return f"results/{name}.json could not be written ({error.strerror or error})"
    try:
        if log:
            (out_dir / "logs").mkdir(parents=True, exist_ok=True)
            _write_log(out_dir / "logs" / f"{name}.txt", log)
    except OSError as error:
        return f"logs/{name}.txt could not be written ({error.strerror or error})"
    return ""


def _write_log(path, text):
    # A traceback may quote a file name that is not UTF-8: its bytes are shown as escapes.
    path.write_text(text + "\n", encoding="utf-8", errors="backslashreplace")
