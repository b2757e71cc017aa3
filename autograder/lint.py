"""``python -m autograder lint [RUBRIC] [--question NAME]``: validate a rubric and show what it grades.

Validation is :func:`autograder.grading.load`'s (errors name the file, line and key;
a check id the rubric names and no check defines names the rubric's line, one that
two checks define names both checks' files and lines); this module lays the validated
rubric out as a table an instructor can proofread: every part, its checks, their
points, who sees them when and what they reveal; and it names, with file and line, each
check of the question that the rubric leaves out.
"""

from autograder import checks, grading
from autograder.question import QuestionError
from autograder.rubric import RubricError

#: What each visibility means for a student, in the table's last column.
WHEN_SHOWN = {
    "visible": "visible",
    "hidden": "hidden (never shown)",
    "after_due_date": "after the due date",
    "after_published": "after grades are published",
}


#: What each reveal level shows under a check that does not pass, in the table's last column.
REVEALS = {"score": "score only", "hint": "score, hint", "diagnosis": "score, hint, diagnosis"}


def lint(path, question=None):
    """Validate the rubric at ``path`` for ``question`` (None: the question it lies in,
    else the default); returns ``(exit status, report text)``.

    The status is 0 for a valid rubric and 2 for an invalid one, whose report is the
    :class:`~autograder.rubric.RubricError` (``file:line: key: problem``).
    """
    try:
        rubric = grading.load(path, question)
    except RubricError as error:
        return 2, f"invalid rubric: {error}"
    except QuestionError as error:  # a check id defined twice: both places named
        return 2, f"invalid question: {error}"
    return 0, describe(rubric) + "".join(f"\n{line}" for line in unused(rubric))


def unused(rubric):
    """One line per check of the rubric's question that the rubric leaves out, naming
    where it is defined (a check written and forgotten grades nothing)."""
    used = {rule.check_id for _, rule in rubric.checks}
    for check_id, spec in checks.discover(rubric.question).items():
        if check_id not in used:
            yield f"note: {spec.place}: check {check_id!r} is not in the rubric, so it grades nothing"


def describe(rubric):
    """The rubric as a plain-text table: one row per check, a subtotal per part."""
    rows = [("Part", "Check", "Name", "Points", "Shown", "Reveals")]
    for part in rubric.parts:
        for rule in part.checks:
            rows.append(
                (part.heading, rule.check_id, rule.name, f"{rule.weight:g}", WHEN_SHOWN[rule.visibility], REVEALS[rule.reveal])
            )
        rows.append(("", "", f"{part.heading} {part.title}: total", f"{part.points:g}", "", ""))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        f"{rubric.title}  ({rubric.path})",
        f"module {rubric.module}, public seed {rubric.seed} (the kit's; Gradescope draws with the zip's secret seed)",
        f"reveal preset {rubric.reveal}",
        "",
    ]
    for index, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    checks = [rule for _, rule in rubric.checks]
    visible = sum(rule.visibility == "visible" for rule in checks)
    lines += [
        "",
        f"{rubric.total_points:g} points in {len(rubric.parts)} parts; {len(checks)} checks, {visible} visible now.",
    ]
    if rubric.manual_points:
        lines.append(rubric.manual_sentence().replace("this score", "the autograder's score"))
    if visible < len(checks):
        lines.append("Students do not see their total while any check is not visible.")
    lines += ["", "Limits (autograder/sandbox/limits.py; the rubric's limits: section sets any of them):"]
    lines += [f"  {line}" for line in rubric.limits.described()]
    return "\n".join(lines)

