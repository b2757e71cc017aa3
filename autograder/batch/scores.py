"""One row of ``scores.csv`` per submission: who, points per part, total and status.

A :class:`Row` is all a grader process sends back to the batch, so the batch's memory
does not depend on how much feedback a submission produced.
"""

import csv
import dataclasses
import re

from autograder.labels import Label

GRADED = "graded"
TIMED_OUT = "timed out"
IMPORT_FAILED = "import failed"
NO_SUBMISSION = "no submission"
ERROR = "error"
#: Every status, most serious first (a submission's status is the first that applies).
STATUSES = (ERROR, NO_SUBMISSION, IMPORT_FAILED, TIMED_OUT, GRADED)
MAX_DETAIL_CHARS = 300


@dataclasses.dataclass(frozen=True)
class Row:
    """A graded submission, small: ``part_scores`` maps part labels to points,
    ``failed_checks`` lists the ids of checks that did not fully pass, ``check_scores``
    maps check ids to the fraction of their weight earned (a zero-point check: 1 if it
    passed, else 0) and ``mistakes`` maps check ids to the key of the mistake each
    recognised (see :func:`autograder.checks.fail`)."""

    submission_id: str
    submitters: tuple
    part_scores: dict
    total: float
    status: str
    detail: str = ""
    failed_checks: tuple = ()
    seconds: float = 0.0
    check_scores: dict = dataclasses.field(default_factory=dict)
    mistakes: dict = dataclasses.field(default_factory=dict)


def status_of(results, *, located):
    """The status of a graded submission from its results.json data.

    ``located`` says whether a module to grade was found in the submission.
    """
    labels = set(results.get("extra_data", {}).get("outcomes", {}).values())
    if not located:
        return NO_SUBMISSION
    if Label.IMPORT_FAILED in labels:
        return IMPORT_FAILED
    if labels & {Label.GRADER_ERROR, Label.NOT_RUN}:
        return ERROR
    if Label.TIMED_OUT in labels:
        return TIMED_OUT
    return GRADED


def row_from_results(submission, results, *, located, problem="", seconds=0.0):
    """The :class:`Row` of ``submission`` (an ExportedSubmission) graded as ``results``
    (results.json data). ``problem`` says why nothing could be graded, if so."""
    status = status_of(results, located=located)
    tests = results.get("tests", [])
    failed = tuple(t["extra_data"]["check"] for t in tests if t["status"] != "passed" and "extra_data" in t)
    if status == IMPORT_FAILED and not problem:
        output = next((t["output"] for t in tests if t.get("extra_data", {}).get("outcome") == "import failed"), "")
        problem = output.split("\n\n")[0]  # the message, without where it happened or the hint
    elif status == TIMED_OUT:
        timed = [t["extra_data"]["check"] for t in tests if t.get("extra_data", {}).get("outcome") == "timed out"]
        problem = f"timed out in {', '.join(timed)}"
    elif status == ERROR:
        problem = f"grader error in {', '.join(results.get('extra_data', {}).get('grader_errors', [])) or 'a check'}"
    return Row(
        submission_id=submission.submission_id,
        submitters=submission.submitters,
        part_scores=dict(results.get("extra_data", {}).get("part_scores", {})),
        total=results.get("score", 0.0),
        status=status,
        detail=short(" ".join(filter(None, [problem, *submission.problems]))),
        failed_checks=failed,
        seconds=seconds,
        check_scores={t["extra_data"]["check"]: _fraction(t) for t in tests if "extra_data" in t},
        mistakes={t["extra_data"]["check"]: t["extra_data"]["mistake"] for t in tests if "mistake" in t.get("extra_data", {})},
    )


def _fraction(test):
    """The fraction of its weight a results.json test earned (a zero-point one: whether it passed)."""
    if test["max_score"]:
        return test["score"] / test["max_score"]
    return 1.0 if test["status"] == "passed" else 0.0


def short(text):
    """``text`` on one line, cut to :data:`MAX_DETAIL_CHARS`."""
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def by_submission_id(row):
    """Numeric ids (Gradescope's) in numeric order, then the others by name."""
    key = row.submission_id
    return (0, int(key), "") if key.isdigit() else (1, 0, key.lower())


#: Where a spreadsheet may see a formula: a field, or a part of one after ``;``, a tab or
#: a line break (group submissions join names with ``; ``, and an import may split on
#: either), that starts with ``=``, ``+``, ``-`` or ``@`` once leading spaces, tabs and
#: carriage returns are trimmed.
_FORMULA = re.compile(r"(^|[;\t\r\n])(\s*)(?=[=+\-@])")


def spreadsheet_cell(text):
    """``text`` with a ``'`` before each formula's first character, so that no part of
    it runs as a formula however it is split or trimmed: names and messages come from
    students. The grader's own numbers (scores) are written without it."""
    return _FORMULA.sub(r"\1\2'", text)


def write_csv(path, rows, part_labels):
    """Write ``scores.csv``: one row per submission, sorted by submission id."""
    # A name may hold what UTF-8 cannot (a folder name that is not UTF-8, YAML's "\ud800"):
    # it is written as "?" rather than stopping the batch at its very end.
    with open(path, "w", newline="", encoding="utf-8", errors="replace") as stream:
        writer = csv.writer(stream)
        writer.writerow(["submission_id", "name", "sid", "email", *part_labels, "total", "status", "detail"])
        for row in sorted(rows, key=by_submission_id):
            people = row.submitters
            writer.writerow(
                [
                    row.submission_id,
                    spreadsheet_cell("; ".join(p.name for p in people)),
                    spreadsheet_cell("; ".join(p.sid for p in people)),
                    spreadsheet_cell("; ".join(p.email for p in people)),
                    *(f"{row.part_scores[label]:g}" if label in row.part_scores else "" for label in part_labels),
                    f"{row.total:g}",
                    row.status,
                    spreadsheet_cell(row.detail),
                ]
            )
