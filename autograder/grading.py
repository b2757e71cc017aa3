"""Grade one submission: locate the module, sandbox it, run the checks, report.

This composes the pieces and owns no logic of its own beyond their order.
"""

import dataclasses
import time
from pathlib import Path

from autograder import checks
from autograder.plugin import run_checks
from autograder.report import build_results
from autograder.rubric import load_rubric
from autograder.sandbox.errors import ImportFailed
from autograder.sandbox.session import NothingToGrade, Sandbox
from autograder.submission import SubmissionProblem, locate

SOURCE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUBRIC = SOURCE_ROOT / "rubrics" / "we_recur.yaml"


@dataclasses.dataclass(frozen=True)
class Graded:
    """A graded submission: the results, and what only the instructor should read."""

    results: object
    instructor_log: str


def load(rubric_path=DEFAULT_RUBRIC):
    """The validated rubric (raises :class:`~autograder.rubric.RubricError`)."""
    return load_rubric(rubric_path, checks.discover())


def grade(submission, rubric):
    """Grade the file or folder ``submission`` under ``rubric``; returns :class:`Graded`."""
    started = time.monotonic()
    try:
        located = locate(submission, rubric.module)
    except SubmissionProblem as problem:
        outcomes = run_checks(rubric, NothingToGrade(problem.feedback))
        results, internal = build_results(
            rubric, outcomes, elapsed=time.monotonic() - started, problem=problem.feedback
        )
        return Graded(results, _log(internal, problem.feedback))
    problem = ""
    place = {"place": located.place} if located.place is not None else {}
    with Sandbox(located.module, folder=located.folder, limits=rubric.limits, **place) as sandbox:
        try:
            sandbox.import_module()
        except ImportFailed as error:
            problem = error.feedback
        outcomes = run_checks(rubric, sandbox)
    notes = located.notes + ((sandbox.isolation.describe(),) if sandbox.isolation.reduced else ())
    results, internal = build_results(
        rubric,
        outcomes,
        elapsed=time.monotonic() - started,
        notes=notes,
        printed=sandbox.printed_output(),
        problem=problem,
    )
    return Graded(results, _log(internal, problem, timed_out=sorted(sandbox.timed_out), sandbox=sandbox))


def _log(internal, problem, timed_out=(), sandbox=None):
    lines = []
    if sandbox is not None:
        lines.append(f"isolation: {sandbox.isolation.describe()}")
        network = sandbox.confinement.get("network")
        if network == "not isolated":
            lines.append("network: NOT isolated (this platform does not allow network namespaces)")
        elif network:
            lines.append(f"network: {network}")
        if sandbox.survivors:
            lines.append(f"WARNING: {sandbox.survivors} student processes could not be killed")
    if problem:
        lines.append(f"submission problem: {problem}")
    if timed_out:
        lines.append(f"timed out: {', '.join(timed_out)}")
    for check_id, trace in internal.items():
        lines.append(f"grader error in check {check_id}:\n{trace}")
    return "\n".join(lines)
