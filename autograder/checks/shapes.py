"""Grading a dict of weight shapes, shared by parts (a) and (c)."""

from autograder.checks import CheckFailed, call_all, fail, partial
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
    returned = student.call(function, **sizes)
    grade_returned_shapes(returned, function, expected_fn, hints, sizes, partial_credit=partial_credit, feedback=feedback)


def grade_shapes_each(student, function, expected_fn, hints, all_sizes, *, feedback=None):
    """:func:`grade_shapes` (without partial credit) at each of ``all_sizes`` in turn,
    the calls made together (:func:`~autograder.checks.call_all`)."""
    returned = call_all(student, function, [((), sizes) for sizes in all_sizes])
    for sizes in all_sizes:
        grade_returned_shapes(next(returned), function, expected_fn, hints, sizes, partial_credit=False, feedback=feedback)


def grade_returned_shapes(returned, function, expected_fn, hints, sizes, *, partial_credit, feedback=None):
    """Grade what ``function(**sizes)`` returned, as :func:`grade_shapes` does."""
    expected = expected_fn(**sizes)
    what = call_text(function, sizes)
    got = keyed(returned, tuple(expected), what=what)
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
