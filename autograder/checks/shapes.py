"""Grading a dict of weight shapes, shared by parts (a) and (c)."""

from autograder.checks import CheckFailed, fail, partial
from autograder.checks.values import keyed, shape_pair


def call_text(function, sizes):
    args = ", ".join(f"{name}={value}" for name, value in sizes.items())
    return f"`{function}({args})`"


def grade_shapes(student, function, expected_fn, hints, sizes, *, partial_credit, feedback=None):
    """Call ``function(**sizes)`` and compare each returned shape with the reference.

    ``expected_fn(**sizes)`` gives the reference shapes and ``hints`` a sentence per
    key explaining what that matrix multiplies. With ``partial_credit`` each correct
    matrix earns its share; otherwise any wrong matrix fails the check.
    """
    expected = expected_fn(**sizes)
    what = call_text(function, sizes)
    got = keyed(student.call(function, **sizes), tuple(expected), what=what)
    problems = []
    for key, want in expected.items():
        try:
            shape = shape_pair(got[key], what=f"{what}[{key!r}]", feedback=feedback)
        except CheckFailed as error:
            problems.append(str(error))
            continue
        if shape != want:  # a tuple from the reference; a sealed answer in the student kit
            problems.append(f"{key} has shape {shape}, which does not fit the network. Hint: {hints[key]}")
    if not problems:
        return
    message = f"{what}:\n" + "\n".join(f"- {problem}" for problem in problems)
    fraction = 1 - len(problems) / len(expected)
    if partial_credit and fraction > 0:
        partial(fraction, message)
    fail(message)
