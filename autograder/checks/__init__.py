"""The checks: pytest test functions that grade one part each, through the sandbox.

A check is a function named ``check_*`` in a module ``check_*.py`` of a question's
``checks/`` folder (see :mod:`autograder.question`),
registered under a stable id and a name with :func:`check`. The rubric is the single
source of its weight, visibility, number, tags and feedback (gradescope-utils'
decorators are not read: a check states what it grades, the rubric how much it counts
and who sees it). Checks receive these fixtures from :mod:`autograder.plugin`:

``student``
    the :class:`~autograder.sandbox.session.Sandbox` holding the student's module;
``rng``
    a ``numpy.random.Generator`` seeded from the rubric's seed and the check id;
``answers``
    what the check compares with: in the grader the question's ``reference/answers.py``
    (plain functions of arrays and numbers returning plain values, PrairieLearn's
    reference answers handed to the test as data); in the student kit a replay of the
    answers recorded from it (:mod:`autograder.kit.replay`), under the same names, which
    raises :class:`NoAnswer` for arguments it never recorded;
``feedback``
    a :class:`Feedback` for notes that accompany a passing result.

Every submission of a batch is graded with the same seed, so what a check derives from
the reference alone (a reference generation from its draws, say) it may make once with
:func:`computed_once`, and make the calls of one function together with :func:`call_all`.

A check passes by returning, fails with :func:`fail`, and awards partial credit with
:func:`partial`; where it recognises a common mistake, either takes ``mistake=``, a
stable key such as ``"b.forward_product"`` that the batch's item analytics count
(recorded in results.json's ``extra_data``, never shown to students). Errors from the student's code (a timeout, an exception, a missing
function) are left to propagate: the plugin reports them with their own feedback.
Messages never contain an expected value: they state the expected *shape* and *type*
and, where a wrong answer is recognised, what the student computed instead.
"""

import dataclasses
import zlib

import numpy as np

from autograder.remembered import computed_once  # noqa: F401  (for checks: see its docstring)
from autograder.sandbox.errors import StudentCodeError


class CheckFailed(AssertionError):
    """The check's verdict: no credit, with a message for the student, and the key of
    the recognised mistake (``""``: none)."""

    def __init__(self, message, mistake=""):
        super().__init__(message)
        self.mistake = mistake or ""


class PartialCredit(Exception):
    """The check's verdict: ``fraction`` of its weight, with a message and the key of the
    recognised mistake (``""``: none)."""

    def __init__(self, fraction, message, mistake=""):
        super().__init__(message)
        self.fraction = min(max(float(fraction), 0.0), 1.0)
        self.message = message
        self.mistake = mistake or ""


class NoAnswer(RuntimeError):
    """The student kit's ``answers`` holds no recorded answer for these arguments (never
    raised in the grader, whose ``answers`` computes every one)."""


def call_all(student, function, calls):
    """An iterator over the values of ``function`` for each ``(args, kwargs)`` of
    ``calls``, as a loop of ``student.call`` would give them, got in one exchange with
    the sandbox when every call succeeds (an exchange costs more than a quick call).
    When one fails, the iterator makes the calls again one at a time as the check's loop
    reaches them, so the check meets the failure exactly where the loop would have."""
    try:
        values = student.call_each(function, calls)
    except StudentCodeError:
        return (student.call(function, *args, **kwargs) for args, kwargs in calls)
    return iter(values)


def fail(message, *, mistake=""):
    """Fail the check with ``message``; ``mistake`` names the mistake it recognised."""
    raise CheckFailed(message, mistake)


def partial(fraction, message, *, mistake=""):
    """Award ``fraction`` of the check's weight; ``mistake`` names the mistake it recognised."""
    raise PartialCredit(fraction, message, mistake)


def seeded_rng(seed, check_id):
    """The ``rng`` a check receives: seeded by the rubric's ``seed`` and the check's id, so
    the check draws the same inputs on every run, on Gradescope and in the student kit."""
    return np.random.default_rng([seed, zlib.crc32(check_id.encode())])


class Feedback:
    """Notes a check leaves for the student even when it passes (each shown once)."""

    def __init__(self):
        self.notes = []

    def note(self, text):
        if text and text not in self.notes:
            self.notes.append(text)


@dataclasses.dataclass(frozen=True)
class CheckSpec:
    """A registered check: its id, the name students see (unless the rubric renames it)
    and the function."""

    check_id: str
    name: str
    function: object

    @property
    def place(self):
        """``file:line`` where the check is defined."""
        return _place(self.function)


def check(check_id, name):
    """Register the decorated function as the check ``check_id`` named ``name``."""

    def register(function):
        function.__check_id__ = check_id
        function.__check_name__ = name
        return function

    return register


def spec_of(function):
    """The :class:`CheckSpec` of a registered check function."""
    return CheckSpec(check_id=function.__check_id__, name=function.__check_name__, function=function)


def discover(question=None):
    """Every registered check of ``question`` (an :class:`~autograder.question.Question`;
    None: the default question), by id, in definition order. Raises
    :class:`~autograder.question.QuestionError` when a check id is defined twice, naming
    both places."""
    from autograder import question as questions  # here: the kit's self-check imports this package alone

    question = question if question is not None else questions.default()
    found = {}
    for path in sorted(question.checks_dir.glob("check_*.py")):
        module = question.import_module(f"checks.{path.stem}")
        for value in vars(module).values():
            if callable(value) and hasattr(value, "__check_id__"):
                spec = spec_of(value)
                if spec.check_id in found and found[spec.check_id].function is not value:
                    raise questions.QuestionError(
                        f"{_place(value)}: check id {spec.check_id!r} is already defined at {_place(found[spec.check_id].function)}"
                    )
                found[spec.check_id] = spec
    return found


def _place(function):
    """``file:line`` of a check function's definition."""
    code = function.__code__
    return f"{code.co_filename}:{code.co_firstlineno}"
