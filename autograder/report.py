"""Turn a rubric and the checks' outcomes into Gradescope results, and show them.

The top-level output is a per-part summary table in markdown. It is visible to
students, so it counts only checks they can see now: a part's hidden or later-shown
checks are mentioned, never scored, and the total appears only when no point is hidden.

Student text (messages, printed output, file names) reaches every output, so each is
passed through :func:`~autograder.terminal.printable`: no escape sequence or
undecodable byte reaches results.json, Gradescope's page or a terminal.
"""

import dataclasses

from autograder.labels import Label
from autograder.markdown import fenced
from autograder.outcomes import Outcome, check_output, with_printed
from autograder.results import Results, TestResult, points
from autograder.terminal import printable

NOT_RUN = Outcome(0.0, "This check did not run, so it earns no points. Your course staff can see why.", label=Label.NOT_RUN)


def build_results(rubric, outcomes, *, elapsed, notes=(), printed="", printed_by_check=None, problem=""):
    """The :class:`Results` for one submission.

    ``outcomes`` maps check ids to :class:`~autograder.outcomes.Outcome`; a rubric check
    without one gets zero points and a message, never silence. ``problem`` is a
    message that applies to the whole submission (it did not import, it is missing).
    ``printed`` is what the student's code printed outside any check (at import), shown
    in the summary; ``printed_by_check`` maps check ids to what their calls printed,
    shown under that check alone, so with its visibility.
    """
    printed_by_check = printed_by_check or {}
    tests, internal = [], {}
    for part, rule in rubric.checks:
        outcome = outcomes.get(rule.check_id, NOT_RUN)
        if outcome.internal_error:
            internal[rule.check_id] = outcome.internal_error
        output = check_output(outcome, rule, problem=problem)
        result = TestResult(
            name=f"{part.heading} {rule.name}",
            score=rule.weight * outcome.fraction,
            max_score=rule.weight,
            output=printable(with_printed(output, printed_by_check.get(rule.check_id, ""))),
            visibility=rule.visibility,
            number=rule.number,
            tags=rule.tags,
            failed=outcome.label != Label.PASSED,
            check_id=rule.check_id,
            part=part.label,
            outcome=outcome.label,
            mistake=outcome.mistake,
            message=outcome.message,
        )
        tests.append(result)
    results = Results(tests=tuple(tests), output="", execution_time=elapsed)
    output = printable(summary(rubric, tests, notes=notes, printed=printed, problem=problem))
    extra = {
        "rubric": rubric.title,
        "part_scores": results.part_scores,
        "outcomes": {test.check_id: test.outcome for test in tests},
        # which rubric and seed graded it, as hashes: a regrade shows it used the same ones
        "rubric_sha256": rubric.sha256,
        "seed_sha256": rubric.scoring.sha256,
        "seed": "secret" if rubric.scoring.secret else "public",
    }
    if internal:
        extra["grader_errors"] = sorted(internal)
    return dataclasses.replace(results, output=output, extra_data=extra), internal


def summary(rubric, tests, *, notes, printed, problem):
    by_part = {}
    for test in tests:
        by_part.setdefault(test.part, []).append(test)
    # The total says nothing a student may not know yet when what is not shown is worth no points.
    every_point_visible = all(test.visibility == "visible" or test.max_score == 0 for test in tests)
    lines = [f"## {rubric.title}", ""]
    if problem:
        lines += [f"**Your submission could not be graded:** {problem}", ""]
    lines += ["| Part | Points | Checks passed |", "|---|---|---|"]
    for part in rubric.parts:
        shown = [t for t in by_part.get(part.label, []) if t.visibility == "visible"]
        unshown = [t.visibility for t in by_part.get(part.label, []) if t.visibility != "visible"]
        earned = f"{points(sum(t.score for t in shown)):g} / {points(sum(t.max_score for t in shown)):g}"
        passed = f"{sum(t.status == 'passed' for t in shown)} / {len(shown)}"
        if unshown.count("hidden"):
            passed += f" (+{unshown.count('hidden')} hidden)"
        if len(unshown) > unshown.count("hidden"):
            passed += f" (+{len(unshown) - unshown.count('hidden')} shown later)"
        lines.append(f"| {part.heading} {part.title} | {earned} | {passed} |")
    if every_point_visible:
        total = sum(t.score for t in tests)
        lines.append(f"| **Total** | **{points(total):g} / {points(rubric.total_points):g}** | |")
    if rubric.manual_points:
        lines += ["", f"**Graded by hand:** {rubric.manual_sentence()}"]
    for note in notes:
        lines += ["", f"**Note:** {note}"]
    if printed:
        lines += ["", "### What your code printed", "", fenced(printed)]
    return "\n".join(lines)


def format_for_terminal(results):
    """A plain-text report of ``results`` for ``python -m autograder grade``, safe to
    print (results that did not come from :func:`build_results` included)."""
    data = results.to_json()
    lines = [printable(data["output"]), "", "## Checks", ""]
    for test in data["tests"]:
        mark = "PASS" if test["status"] == "passed" else "FAIL"
        visibility = "" if test["visibility"] == "visible" else f"  [{test['visibility']}]"
        lines.append(f"[{mark}] {test['score']:g}/{test['max_score']:g}  {test['name']}{visibility}")
        if test["status"] != "passed" or "Note:" in test["output"]:
            # Written out before splitting, so that a control splitlines() splits at shows.
            lines.extend("        " + line for line in printable(test["output"]).splitlines())
    return "\n".join(lines)
