"""The self-check of the student kit: ``python check.py we_recur.py``.

It runs the rubric's visible checks on the student's module, in the sandbox's worker
process with its timeouts, and prints what Gradescope would show under each of them.
It is the pytest-free counterpart of :func:`autograder.plugin.run_checks_each`: each check
gets the same fixtures (``student``, an ``rng`` seeded from the rubric's seed and the
check id, ``feedback``, and ``answers``: here the recorded ones, :mod:`autograder.kit.replay`)
through :func:`autograder.outcomes.run_check`, and its
message composed by :func:`autograder.outcomes.check_output`.

Beyond Gradescope's verdicts it says two things Gradescope cannot: which imports of
the module Gradescope's image lacks (:mod:`autograder.kit.imports`), and what of
Gradescope's confinement this platform runs without (:mod:`autograder.sandbox.portable`).

Needs Python 3.10+ and numpy only; the rubric comes as JSON (``rubric.json``), holding
the visible checks alone.
"""

import argparse
import dataclasses
import json
import sys
from pathlib import Path

from autograder import checks
from autograder.kit import replay
from autograder.kit.imports import local_modules, missing_imports
from autograder.labels import Label
from autograder.markdown import inline_code
from autograder.outcomes import check_output, run_check, with_printed
from autograder.question import Question
from autograder.results import points
from autograder.sandbox import Isolation, Limits, portable
from autograder.submission import open_submission


#: The question's checks, as the kit ships them: ``_selfcheck/question/checks/``.
KIT_QUESTION = Question(Path(__file__).resolve().parents[2] / "question")
#: The answers recorded from the question's reference when the kit was built.
KIT_ANSWERS = Path(__file__).resolve().parents[2] / "answers.json"


@dataclasses.dataclass(frozen=True)
class Rule:
    """A visible check, as the rubric weighs it."""

    check_id: str
    name: str
    weight: float
    feedback: str
    reveal: str  # score, hint or diagnosis: what the student reads when it does not pass
    part: str  # the part's label
    heading: str  # "(a)"


@dataclasses.dataclass(frozen=True)
class KitRubric:
    title: str
    module: str
    seed: int
    limits: Limits
    rules: tuple
    total_points: float  # of the whole rubric, visible or not
    has_hidden_checks: bool
    #: ``{distribution: [top-level modules]}`` that Gradescope's image installs (requirements.txt)
    gradescope_packages: dict = dataclasses.field(default_factory=dict)
    manual: str = ""  # the points staff grade by hand, as a sentence ("" for none)

    @classmethod
    def read(cls, path):
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(
            title=data["title"],
            module=data["module"],
            seed=data["seed"],
            limits=Limits(**data["limits"]),
            rules=tuple(Rule(**rule) for rule in data["rules"]),
            total_points=data["total_points"],
            has_hidden_checks=data["has_hidden_checks"],
            gradescope_packages=data.get("gradescope_packages", {}),
            manual=data.get("manual", ""),
        )


@dataclasses.dataclass(frozen=True)
class Report:
    """The self-check of one submission: outcomes by check id, and what applies to all."""

    path: Path
    outcomes: dict
    problem: str = ""
    notes: tuple = ()
    printed: str = ""  # outside the checks: at import
    printed_by_check: dict = dataclasses.field(default_factory=dict)  # during each check's calls
    warnings: tuple = ()  # imports Gradescope's image lacks
    protections: str = ""  # what of Gradescope's confinement this platform lacks ("" for nothing)


def run_checks(check_ids, seed, student, answers):
    """Run the checks ``check_ids`` on ``student`` (``.call``, ``.call_each``), each with
    the fixtures the pytest plugin gives (``answers`` the question's, or the kit's
    recording of them); returns their Outcomes by check id."""
    found = checks.discover(KIT_QUESTION)
    return {
        check_id: run_check(found[check_id].function, check_id, student=student, seed=seed, answers=answers)
        for check_id in check_ids
    }


def check_submission(path, rubric):
    """The :class:`Report` of the submission at ``path`` (a file, a notebook or a folder)."""
    path = Path(path)
    # Isolation() runs the student's code as the student: never create users on their machine.
    with open_submission(path, rubric.module, limits=rubric.limits, isolation=Isolation()) as submission:
        outcomes = _run_visible(rubric, submission.student)
        sandbox = submission.sandbox
        warnings = tuple(missing_package_warnings(sandbox, path, rubric)) if sandbox is not None else ()
    if sandbox is None:
        return Report(path, outcomes, submission.problem, submission.notes)
    printed = sandbox.printed_output()
    by_check = {rule.check_id: sandbox.printed_output(rule.check_id) for rule in rubric.rules}
    protections = portable.reduced_protections(sandbox.confinement)
    return Report(path, outcomes, submission.problem, submission.notes, printed, by_check, warnings, protections)


def missing_package_warnings(sandbox, path, rubric):
    """One warning per import in the module of ``sandbox`` (the one generated from a
    notebook's code cells included) of a module that Gradescope's image lacks. What
    lies beside the submission counts as the student's own (uploaded with it)."""
    module = sandbox.module_path
    try:
        source = module.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    own = local_modules(module.parent) | local_modules(path if path.is_dir() else path.parent) | {module.stem}
    packages = rubric.gradescope_packages
    available = {name for modules in packages.values() for name in modules} | own
    for found in missing_imports(source, available):
        where = sandbox.place(module.name, found.line) + (f", in {inline_code(found.function)}" if found.function else "")
        fails = "that call fails there" if found.function else "your module cannot be imported there, so every check scores 0"
        yield f"{inline_code(found.module)} ({where}): {fails}."


def _run_visible(rubric, student):
    return run_checks([rule.check_id for rule in rubric.rules], rubric.seed, student, replay.load(KIT_ANSWERS))


def format_report(report, rubric):
    """The report as plain text for a terminal."""
    lines = [f"Self-check of {report.path.name}: the visible checks of \"{rubric.title}\"", ""]
    if report.problem:
        lines += [f"Your submission could not be graded: {report.problem}", ""]
    if report.warnings:
        installed = "".join(f", {name}" for name in rubric.gradescope_packages)
        lines += [f"Warning: Gradescope has the Python standard library{installed}, and nothing else that your "
                  "computer may have. Your code imports what it lacks:"]
        lines += [f"- {warning}" for warning in report.warnings] + [""]
    earned = possible = 0.0
    for rule in rubric.rules:
        outcome = report.outcomes[rule.check_id]
        earned += rule.weight * outcome.fraction
        possible += rule.weight
        if rule.weight:
            mark = "PASS" if outcome.label == Label.PASSED else "FAIL"
            lines.append(f"[{mark}] {points(rule.weight * outcome.fraction):g}/{rule.weight:g}  {rule.heading} {rule.name}")
        else:  # worth no points: information, whatever it says
            verdict = "passed" if outcome.label == Label.PASSED else "did not pass"
            lines.append(f"[info] {rule.heading} {rule.name} (no points): {verdict}")
        text = _output(report, rule)
        if outcome.label != Label.PASSED or outcome.notes:
            lines += ["        " + line for line in text.splitlines()]
        if outcome.internal_error:
            lines.append("        (self-check problem: " + outcome.internal_error.strip().splitlines()[-1] + ")")
    lines += ["", f"Visible checks: {points(earned):g} / {points(possible):g} points (the assignment is worth {rubric.total_points:g})."]
    if rubric.manual:
        lines.append(rubric.manual)
    if rubric.has_hidden_checks:
        lines.append("Gradescope also runs checks that are not shown before the due date, so your grade may differ.")
    lines += [f"Note: {note}" for note in report.notes]
    if report.printed:
        lines += ["", "What your code printed:", report.printed]
    return "\n".join(lines)


def _output(report, rule):
    """What Gradescope shows under the check ``rule``: its message, then what its calls printed."""
    text = check_output(report.outcomes[rule.check_id], rule, problem=report.problem)
    return with_printed(text, report.printed_by_check.get(rule.check_id, ""))


def passed(report, rubric):
    """Whether every check that carries points passed (a check worth none never fails the self-check)."""
    return all(report.outcomes[rule.check_id].label == Label.PASSED for rule in rubric.rules if rule.weight)


def as_json(report, rubric):
    """The report as JSON data: each visible check's label, fraction and message."""
    return {
        "path": str(report.path),
        "problem": report.problem,
        "warnings": list(report.warnings),
        "checks": {
            rule.check_id: {
                "label": report.outcomes[rule.check_id].label,
                "fraction": report.outcomes[rule.check_id].fraction,
                "output": _output(report, rule),
            }
            for rule in rubric.rules
        },
    }


def default_submission(folder, module):
    """What ``python check.py`` checks with no argument: ``module`` in ``folder`` (the
    kit's), else the only notebook there; None when neither is."""
    if (folder / module).is_file():
        return folder / module
    notebooks = sorted(path for path in folder.glob("*.ipynb") if path.is_file())
    return notebooks[0] if len(notebooks) == 1 else None


def main(rubric_path, argv=None, *, beside=None):
    """``python check.py [PATH ...]``; ``beside`` is the kit's folder, where a missing
    PATH is looked for. Returns the exit status: 0 when every check with points passed."""
    parser = argparse.ArgumentParser(
        prog="python check.py",
        description="Run the visible checks of the autograder on your answers, with Gradescope's messages.",
    )
    parser.add_argument("paths", nargs="*", type=Path,
                        help="your module, a notebook, or a folder (default: the module beside check.py, "
                             "else the only notebook there)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    rubric = KitRubric.read(rubric_path)
    paths = args.paths
    if not paths:
        folder = Path(beside) if beside is not None else Path(rubric_path).resolve().parent.parent
        found = default_submission(folder, rubric.module)
        if found is None:
            parser.error(f"there is no {rubric.module} (nor a single notebook) beside check.py: name what to check, "
                         f"as in python check.py path/to/{rubric.module}")
        paths = [found]
    for stream in (sys.stdout, sys.stderr):  # a console or pipe that cannot show a character shows "?"
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    reports = [check_submission(path, rubric) for path in paths]
    if args.json:
        print(json.dumps([as_json(report, rubric) for report in reports], indent=2, ensure_ascii=False))
    else:
        print("\n\n".join(format_report(report, rubric) for report in reports))
        for line in dict.fromkeys(report.protections for report in reports if report.protections):
            print(f"\n{line}")
    return 0 if all(passed(report, rubric) for report in reports) else 1


if __name__ == "__main__":
    sys.exit("run the self-check as: python check.py YOUR_MODULE.py")
