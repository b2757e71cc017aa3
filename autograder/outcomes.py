"""How a check ends, and what the student reads about it: without pytest.

:func:`judge` turns what a check raised into an :class:`Outcome` and
:func:`check_output` composes the markdown shown under the check. They live here, free
of pytest, so that the student kit's self-check (``autograder/kit``), which runs the
visible checks without pytest, says exactly what Gradescope says.

The pytest run (``autograder.plugin``, ``autograder.report``) uses these same functions;
``tests/test_kit.py`` compares the kit with Gradescope on every sample submission.
"""

import dataclasses
import time
import traceback

from autograder.checks import CheckFailed, PartialCredit
from autograder.results import Results, TestResult
from autograder.sandbox.errors import StudentCodeError

INTERNAL_ERROR = (
    "The grader hit an internal error in this check (not a problem with your code). "
    "Your course staff can see the details."
)
SKIPPED = "This check was skipped, so it earns no points."


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one check ended. ``fraction`` of its weight is awarded."""

    fraction: float
    message: str
    notes: tuple = ()
    label: str = ""  # "passed", "partial", "failed", or a StudentCodeError label
    internal_error: str = ""  # a traceback for the instructor, never shown to students


def judge(error, notes):
    """The :class:`Outcome` of a check that raised ``error`` (None: it passed)."""
    if error is None:
        return Outcome(1.0, "", notes, "passed")
    if isinstance(error, PartialCredit):
        return Outcome(error.fraction, error.message, notes, "partial")
    if isinstance(error, CheckFailed):
        return Outcome(0.0, str(error), notes, "failed")
    if isinstance(error, StudentCodeError):
        return Outcome(0.0, error.feedback, notes, error.label)
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return Outcome(0.0, INTERNAL_ERROR, notes, "grader error", internal_error=trace)


def check_output(outcome, rule):
    """The markdown shown under one check; ``rule`` gives the instructor's hint (``feedback``)."""
    if outcome.label == "passed":
        pieces = ["Passed."]
    else:
        pieces = [outcome.message]
        if rule.feedback:
            pieces.append(f"**Hint:** {rule.feedback}")
    pieces.extend(f"**Note:** {note}" for note in outcome.notes)
    return "\n\n".join(piece for piece in pieces if piece)


def failure_results(message, started=None):
    """A valid results.json for when grading could not happen at all."""
    elapsed = time.monotonic() - started if started is not None else 0.0
    test = TestResult(
        name="Autograder",
        score=0.0,
        max_score=0.0,
        output=f"{message} Your course staff have been told; please contact them.",
        failed=True,
    )
    return Results(tests=(test,), output=f"**The autograder could not grade this submission.** {message}", execution_time=elapsed)
