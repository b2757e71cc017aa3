"""Part (a): the logistic function, on random inputs and on inputs of large magnitude."""

import numpy as np

from autograder.checks import check, fail
from autograder.checks.values import close, column

FUNCTION = "logistic"
WHAT = f"`{FUNCTION}`"
DRAWS = 10


def grade(student, answers, inputs, feedback, *, what_inputs):
    """Compare the student's ``logistic`` with the reference on each ``(3, 1)`` input."""
    returned = student.call_each(FUNCTION, [((z,), {}) for z in inputs])
    given = [column(value, 3, what=WHAT, feedback=feedback) for value in returned]
    matched = sum(close(a, answers.logistic(z)) for z, a in zip(inputs, given))
    if matched < len(inputs):
        fail(f"{WHAT} matched the reference on {matched} of {len(inputs)} {what_inputs}.")


@check("a.random_inputs", "the logistic function on random inputs")
def check_random_inputs(student, answers, rng, feedback):
    grade(student, answers, [2.0 * rng.standard_normal((3, 1)) for _ in range(DRAWS)], feedback,
          what_inputs="random 3×1 inputs")


@check("a.large_inputs", "the logistic function on inputs of large magnitude")
def check_large_inputs(student, answers, feedback):
    grade(student, answers, [np.array([[800.0], [-800.0], [0.0]])], feedback, what_inputs="inputs of magnitude 800")
