"""Grade submissions: locate the module, sandbox it, run the checks, report.

This composes the pieces and owns no logic of its own beyond their order. ``grade``
grades one submission; ``grade_each`` grades many in one pytest session, which is what
a batch's grader process does. Both go through the same steps, so a submission scores
the same either way.
"""

import dataclasses
import os
import time
from pathlib import Path

from autograder import checks
from autograder import question as questions
from autograder.outcomes import judge
from autograder.plugin import run_checks_each
from autograder.report import build_results
from autograder.rubric import load_rubric
from autograder.sandbox import warm_up
from autograder.submission import open_submission

SOURCE_ROOT = questions.SOURCE_ROOT


@dataclasses.dataclass(frozen=True)
class Graded:
    """A graded submission: the results, what only the instructor should read, and,
    when the submission held no module to grade, why (``missing``)."""

    results: object
    instructor_log: str
    missing: object = None
    problem: str = ""  # why nothing could be graded: no module (as missing), or its import failed


def load(rubric_path=None, question=None):
    """The validated rubric at ``rubric_path`` for ``question`` (an
    :class:`~autograder.question.Question`): by default the question's own rubric, and
    the question the one the rubric lies in, else the default question
    (:func:`autograder.question.of_rubric`). Raises
    :class:`~autograder.rubric.RubricError` or :class:`~autograder.question.QuestionError`."""
    if rubric_path is None:
        question = question if question is not None else questions.default()
        rubric_path = question.rubric_path
    question = questions.of_rubric(rubric_path, question)
    rubric = load_rubric(rubric_path, checks.discover(question))
    return dataclasses.replace(rubric, question=question)


def grade(submission, rubric):
    """Grade the file or folder ``submission`` under ``rubric``; returns :class:`Graded`."""
    done = []
    grade_each([(submission, submission)], rubric, lambda _, graded: done.append(graded))
    (graded,) = done
    if isinstance(graded, Exception):
        raise graded
    return graded


def grade_each(submissions, rubric, deliver):
    """Grade each ``(key, path)`` of the iterable ``submissions`` in turn, in one pytest
    session, and call ``deliver(key, graded)`` as each is done.

    ``graded`` is a :class:`Graded`, or the exception that stopped the grader on that
    submission (its traceback attached): the next submission is graded all the same.
    ``submissions`` is read lazily, so it may wait for work to arrive.
    """
    _keep_private(rubric.question.folder)
    warm_up()
    run_checks_each(rubric, _students(submissions, rubric, deliver))


def _keep_private(folder):
    """Put a question's folder outside the source tree (whose border already holds the
    questions in it) out of student code's reach: its reference and rubric."""
    folder = Path(folder).resolve()
    if folder.is_relative_to(SOURCE_ROOT):
        return
    private = [p for p in os.environ.get("AUTOGRADER_PRIVATE", "").split(os.pathsep) if p]
    if str(folder) not in private:
        os.environ["AUTOGRADER_PRIVATE"] = os.pathsep.join([*private, str(folder)])


def _students(submissions, rubric, deliver):
    """The generator :func:`~autograder.plugin.run_checks_each` drives: it yields each
    submission's sandbox and receives the outcomes of the checks run on it."""
    for key, path in submissions:
        started = time.monotonic()
        try:
            graded = yield from _grade_one(path, rubric, started)
        except Exception as error:  # noqa: BLE001  the grader's own failure: this submission only
            graded = error
        deliver(key, graded)


def _grade_one(path, rubric, started):
    with open_submission(path, rubric.module, limits=rubric.limits) as submission:
        if submission.problem:  # no module, or its import failed: every check's call would fail alike
            outcomes = _unrunnable(rubric, submission.student)
        else:
            outcomes = yield submission.student
    sandbox = submission.sandbox
    if sandbox is None:
        results, internal = build_results(
            rubric, outcomes, elapsed=time.monotonic() - started, problem=submission.problem
        )
        return Graded(results, _log(internal, submission.problem), missing=submission.problem, problem=submission.problem)
    notes = submission.notes + ((sandbox.isolation.describe(),) if sandbox.isolation.reduced else ())
    # What was written to the console directly may come from any call, a hidden check's
    # included: students read it only when they may read every check.
    everything_visible = all(rule.visibility == "visible" for _, rule in rubric.checks)
    results, internal = build_results(
        rubric,
        outcomes,
        elapsed=time.monotonic() - started,
        notes=notes,
        printed=sandbox.printed_output(console=everything_visible),
        printed_by_check={rule.check_id: sandbox.printed_output(rule.check_id) for _, rule in rubric.checks},
        problem=submission.problem,
    )
    console = "" if everything_visible else sandbox.printed_output(console=True)
    log = _log(internal, submission.problem, timed_out=sorted(sandbox.timed_out), sandbox=sandbox, console=console)
    return Graded(results, log, problem=submission.problem)


def _unrunnable(rubric, student):
    """The outcomes of every check of a submission whose module cannot be called: each is
    what the check's first call would end in (the import's failure), without running the
    checks (they still appear in the results, failed, with the reason)."""
    try:
        student.call_each("", [])
    except Exception as error:  # noqa: BLE001  judged as the plugin judges a check that raised it
        outcome = judge(error, ())
    else:  # a module that imported: its checks run, this is never asked
        raise RuntimeError("_unrunnable on a module that can be called")
    return {rule.check_id: outcome for _, rule in rubric.checks}


def _log(internal, problem, timed_out=(), sandbox=None, console=""):
    lines = []
    if console:
        lines.append(f"printed outside the checks (not shown to students while a check is hidden):\n{console}")
    if sandbox is not None:
        lines.append(f"isolation: {sandbox.isolation.describe()}")
        lines.append(sandbox.border())
        if sandbox.survivors:
            lines.append(f"WARNING: {sandbox.survivors} student processes could not be killed")
    if problem:
        lines.append(f"submission problem: {problem}")
    if timed_out:
        lines.append(f"timed out: {', '.join(timed_out)}")
    for check_id, trace in internal.items():
        lines.append(f"grader error in check {check_id}:\n{trace}")
    return "\n".join(lines)
