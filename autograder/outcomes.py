"""How a check ends, and what the student reads about it: without pytest.

:func:`judge` turns what a check raised into an :class:`Outcome` and
:func:`check_output` composes the markdown shown under the check. They live here, free
of pytest, so that the student kit's self-check (``autograder/kit``), which runs the
visible checks without pytest, says exactly what Gradescope says.

The pytest run (``autograder.plugin``, ``autograder.report``) uses these same functions;
``tests/test_kit.py`` compares the kit with Gradescope on every sample submission.
"""

import dataclasses
import functools
import inspect
import time
import traceback

from autograder.checks import CheckFailed, Feedback, PartialCredit, seeded_rng
from autograder.labels import VERDICTS, Label
from autograder.markdown import fenced
from autograder.results import MAX_TEST_OUTPUT_CHARS, Results, TestResult
from autograder.sandbox import ImportFailed, StudentCodeError

INTERNAL_ERROR = (
    "The grader hit an internal error in this check (not a problem with your code). "
    "Your course staff can see the details."
)
SKIPPED = "This check was skipped, so it earns no points."
#: Under a check when there was no module to grade, or it could not be imported: the
#: summary above the checks says why, once.
NOT_IMPORTED = "Not graded: your submission could not be graded (the summary above the checks says why)."
#: The verdict, when the rubric reveals less than the check's own message.
NOT_PASSED = "Not passed."
PARTLY_PASSED = "Partly passed."


@dataclasses.dataclass(frozen=True)
class Outcome:
    """How one check ended. ``fraction`` of its weight is awarded."""

    fraction: float
    message: str
    notes: tuple = ()
    label: Label = Label.FAILED  # how the check ended
    internal_error: str = ""  # a traceback for the instructor, never shown to students
    mistake: str = ""  # the key of the mistake the check recognised, for course staff's analytics

    def __post_init__(self):
        object.__setattr__(self, "label", Label(self.label))  # "passed" read back from JSON is Label.PASSED


#: The fixtures :func:`run_check` gives a check, by the name of the check's parameter.
FIXTURES = frozenset({"student", "rng", "feedback", "answers"})


def run_check(function, check_id, *, student, seed, answers):
    """Run the check ``function`` (registered as ``check_id``) on ``student`` with the
    fixtures it names, and judge it: its :class:`Outcome`.

    ``student`` is the sandboxed module (``.call``, ``.call_each``; what its calls print
    is kept under ``check_id``), ``rng`` a generator seeded by ``seed`` and the id,
    ``feedback`` a fresh :class:`~autograder.checks.Feedback`, ``answers`` the
    question's reference answers (or the kit's recording of them) as given. Each is made
    anew for every call, so nothing one check or student leaves reaches the next. The
    pytest plugin and the student kit's self-check both run checks through here.
    """
    notes = Feedback()
    made = {
        "student": lambda: student,
        "rng": lambda: seeded_rng(seed, check_id),
        "feedback": lambda: notes,
        "answers": lambda: answers,
    }
    student.calls_for = check_id
    try:
        function(**{name: made[name]() for name in fixture_names(function)})
    except Exception as error:  # noqa: BLE001  the check's verdict, or the grader's bug: judged
        return judge(error, tuple(notes.notes))
    finally:
        student.calls_for = None
    return judge(None, tuple(notes.notes))


@functools.lru_cache(maxsize=None)
def fixture_names(function):
    """The fixtures the check ``function`` asks for: its parameters' names."""
    return tuple(inspect.signature(function).parameters)


def judge(error, notes):
    """The :class:`Outcome` of a check that raised ``error`` (None: it passed)."""
    if error is None:
        return Outcome(1.0, "", notes, Label.PASSED)
    if isinstance(error, PartialCredit):
        return Outcome(error.fraction, error.message, notes, Label.PARTIAL, mistake=error.mistake)
    if isinstance(error, CheckFailed):
        return Outcome(0.0, str(error), notes, Label.FAILED, mistake=getattr(error, "mistake", ""))
    if isinstance(error, StudentCodeError):
        return Outcome(0.0, error.feedback, notes, error.label)
    trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    return Outcome(0.0, INTERNAL_ERROR, notes, Label.GRADER_ERROR, internal_error=trace)


def check_output(outcome, rule, *, problem=""):
    """The markdown shown under one check.

    ``rule`` gives the instructor's hint (``feedback``) and how much to reveal
    (``reveal``: ``score``, ``hint`` or ``diagnosis``, see :mod:`autograder.rubric`).
    ``problem`` is what the summary above already says about the whole submission:
    an import failure it states is not repeated under every check, and no hint is given.
    """
    if outcome.label == Label.PASSED:
        pieces = ["Passed."]
    elif outcome.label == ImportFailed.label and problem and outcome.message == problem:
        pieces = [NOT_IMPORTED]
    else:
        reveal = rule.reveal
        if outcome.label not in VERDICTS or reveal == "diagnosis":
            pieces = [outcome.message]
        else:
            pieces = [PARTLY_PASSED if outcome.label == Label.PARTIAL else NOT_PASSED]
        if rule.feedback and reveal in ("hint", "diagnosis"):
            pieces.append(f"**Hint:** {rule.feedback}")
    pieces.extend(f"**Note:** {note}" for note in outcome.notes)
    return "\n\n".join(piece for piece in pieces if piece)


def with_printed(output, printed):
    """A check's output followed by what its calls printed, cut to fit the test's output."""
    if not printed:
        return output
    heading = "\n\n**What your code printed during this check:**\n\n"
    room = MAX_TEST_OUTPUT_CHARS - len(output) - len(heading) - 100  # the fence and the cut's note
    if room <= 0:
        return output
    if len(printed) > room:
        printed = printed[:room] + f"\n[... {len(printed) - room} more characters not shown]"
    return output + heading + fenced(printed)


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
