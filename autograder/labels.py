"""How a check ended, and how a submission of a batch went: one enum each (:class:`Label`,
:class:`Status`), used by every module that names one.

A label is written into results.json (``extra_data.outcomes``, each test's
``extra_data.outcome``); the batch builds its rows from the typed results
(:func:`autograder.batch.scores.row_from_graded`), never from that JSON. A member is a
``str`` whose value is that text, so it serializes as the text, compares equal to it and
hashes like it, and one read back from JSON (a journal's status on ``--resume``)
converts with ``Label(text)`` or ``Status(text)``.

Standard library only: shipped in the student kit.
"""

import enum


class _Text(str, enum.Enum):
    """A member that reads, formats and hashes as its text (Enum's own would give
    "Label.PASSED" and hash the member's name, so "passed" in a set of labels would not
    find it)."""

    __str__ = str.__str__
    __format__ = str.__format__
    __hash__ = str.__hash__


class Label(_Text):
    """The outcome of one check."""

    # -- the check's verdict on the answer
    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    # -- the grader's side: the check earned nothing, for a reason that is not the answer
    SKIPPED = "skipped"
    NOT_RUN = "not run"
    GRADER_ERROR = "grader error"
    # -- the student's code gave no usable answer (autograder.sandbox.errors)
    ERROR = "error"
    IMPORT_FAILED = "import failed"
    MISSING_FUNCTION = "missing function"
    WRONG_SIGNATURE = "wrong signature"
    RAISED = "raised"
    TIMED_OUT = "timed out"
    CRASHED = "crashed"
    BAD_RETURN_VALUE = "bad return value"


class Status(_Text):
    """How a whole submission of a batch went: scores.csv's ``status`` column."""

    GRADED = "graded"
    TIMED_OUT = "timed out"
    IMPORT_FAILED = "import failed"
    NO_SUBMISSION = "no submission"
    ERROR = "error"


#: Every status, most serious first (a submission's status is the first that applies).
STATUSES = (Status.ERROR, Status.NO_SUBMISSION, Status.IMPORT_FAILED, Status.TIMED_OUT, Status.GRADED)


#: Labels whose message is the check's verdict on the answer: shown only where the rubric
#: reveals a ``diagnosis``. Every other label's message is about the code itself (it
#: raised, timed out, is missing) or the grader, and says nothing of the answer.
VERDICTS = (Label.FAILED, Label.PARTIAL)
