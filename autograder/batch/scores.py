"""A graded submission as a :class:`Row`, and the tables of people written from the rows:
``scores.csv`` (one line per student: points per part, total, status) and
``gradebook.csv`` (the same totals in Canvas's gradebook import format).

A :class:`Row` is all a grader process sends back to the batch, so the batch's memory
does not depend on how much feedback a submission produced. A group's submission is one
Row and one line per member in the tables, each with the group's id.
"""

import csv
import dataclasses
import re

from autograder.export import Submitter
from autograder.labels import Label, Status
from autograder.results import SCORE_DECIMALS, escaped, points

MAX_DETAIL_CHARS = 300


@dataclasses.dataclass(frozen=True)
class Row:
    """A graded submission, small: ``part_scores`` maps part labels to points,
    ``failed_checks`` lists the ids of checks that did not fully pass, ``check_scores``
    maps check ids to the fraction of their weight earned (a zero-point check: 1 if it
    passed, else 0) and ``mistakes`` maps check ids to the key of the mistake each
    recognised (see :func:`autograder.checks.fail`). ``source`` is the submission's
    folder or file name in the export as it was; ``submitted``, whether the export held
    any file for it."""

    submission_id: str
    submitters: tuple
    part_scores: dict
    total: float
    status: Status
    detail: str = ""
    failed_checks: tuple = ()
    seconds: float = 0.0
    check_scores: dict = dataclasses.field(default_factory=dict)
    mistakes: dict = dataclasses.field(default_factory=dict)
    source: str = ""
    submitted: bool = True


def status_of(outcomes, *, located):
    """The :class:`~autograder.labels.Status` of a graded submission whose checks ended
    with the labels ``outcomes``; ``located`` says whether a module to grade was found."""
    labels = set(outcomes)
    if not located:
        return Status.NO_SUBMISSION
    if Label.IMPORT_FAILED in labels:
        return Status.IMPORT_FAILED
    if labels & {Label.GRADER_ERROR, Label.NOT_RUN}:
        return Status.ERROR
    if Label.TIMED_OUT in labels:
        return Status.TIMED_OUT
    return Status.GRADED


def row_from_graded(submission, graded, *, seconds=0.0):
    """The :class:`Row` of ``submission`` (an ExportedSubmission) as ``graded`` (a
    :class:`~autograder.grading.Graded`): read from its typed results, never from JSON."""
    checks = graded.results.checks
    status = status_of([test.outcome for test in checks], located=graded.missing is None)
    problem = graded.problem
    if status == Status.IMPORT_FAILED and not problem:  # a re-import failed during a check
        failed = next(test for test in checks if test.outcome == Label.IMPORT_FAILED)
        problem = failed.message.split("\n\n")[0]  # what went wrong, without where it happened
    elif status == Status.TIMED_OUT:
        problem = f"timed out in {', '.join(test.check_id for test in checks if test.outcome == Label.TIMED_OUT)}"
    elif status == Status.ERROR:
        errors = sorted(test.check_id for test in checks if test.outcome == Label.GRADER_ERROR)
        problem = f"grader error in {', '.join(errors) or 'a check'}"
    return Row(
        submission_id=submission.submission_id,
        submitters=submission.submitters,
        part_scores=graded.results.part_scores,
        total=graded.results.score,
        status=status,
        detail=short(" ".join(filter(None, [problem, *submission.problems]))),
        failed_checks=tuple(test.check_id for test in checks if test.status != "passed"),
        seconds=seconds,
        check_scores={test.check_id: test.fraction for test in checks},
        mistakes={test.check_id: test.mistake for test in checks if test.mistake},
        source=submission.source,
        submitted=submission.path is not None,
    )


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


def text_cell(text):
    """A cell of student-given text (a name, a file name, a message): each byte that is
    not UTF-8 written out as ``\\xNN`` (the original kept, as data) and no formula."""
    return spreadsheet_cell(escaped(text))


def people(row):
    """The people of ``row``, one per line of the tables: its submitters, or one without
    a name (an export without metadata: its folder names the student)."""
    return row.submitters or (Submitter(),)


def group_of(row):
    """The group id of a submission several students made together (its submission id),
    or "" for one made alone: the lines of one group share it."""
    return row.submission_id if len(row.submitters) > 1 else ""


def written_points(value):
    """A score as the tables write it: two places at most, as Gradescope shows it, and
    no trailing zeros (``11``, ``0.67``, ``1.5``)."""
    return f"{points(value):.{SCORE_DECIMALS}f}".rstrip("0").rstrip(".")


#: scores.csv's columns before the parts' points.
PEOPLE_COLUMNS = ("submission_id", "group", "name", "sid", "email", "submitted", "folder")


def write_csv(path, rows, part_labels):
    """Write ``scores.csv``: one line per student (a group's submission once for each
    member), sorted by submission id, then in the metadata's order of the members."""
    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as stream:
        writer = csv.writer(stream)
        writer.writerow([*PEOPLE_COLUMNS, *part_labels, "total", "status", "detail"])
        for row in sorted(rows, key=by_submission_id):
            for person in people(row):
                writer.writerow(
                    [
                        row.submission_id,
                        group_of(row),
                        text_cell(person.name),
                        text_cell(person.sid),
                        text_cell(person.email),
                        "yes" if row.submitted else "no",
                        text_cell(row.source),
                        *(written_points(row.part_scores[label]) if label in row.part_scores else "" for label in part_labels),
                        written_points(row.total),
                        row.status,
                        text_cell(row.detail),
                    ]
                )


#: The columns Canvas's gradebook import reads to find a student, before one column per
#: assignment; ``SIS User ID`` and ``SIS Login ID`` are what it matches on here (the
#: export knows no Canvas ``ID``, nor a section).
GRADEBOOK_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
#: The second line of a Canvas gradebook, under the header: each assignment's points.
POINTS_POSSIBLE = "    Points Possible"


def write_gradebook(path, rows, assignment, total_points):
    """Write ``gradebook.csv`` for Canvas's "Import" of a gradebook: a line per student
    with their total in one column named ``assignment`` (out of ``total_points``). The
    SIS User ID is Gradescope's SID, the SIS Login ID the email. A student with no
    submission in the export gets an empty cell, so the import leaves their grade as it was."""
    with open(path, "w", newline="", encoding="utf-8", errors="backslashreplace") as stream:
        writer = csv.writer(stream)
        writer.writerow([*GRADEBOOK_COLUMNS, text_cell(assignment)])
        writer.writerow([POINTS_POSSIBLE, "", "", "", "", written_points(total_points)])
        for row in sorted(rows, key=by_submission_id):
            score = written_points(row.total) if row.submitted else ""
            for person in people(row):
                name = person.name if row.submitters else row.source
                writer.writerow([text_cell(name), "", text_cell(person.sid), text_cell(person.email), "", score])
