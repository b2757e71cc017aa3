"""Part (b): (b.i) Jody's claim as a truth value; (b.ii) Jody's matrix W ``(n, n)`` for
1-dimensional inputs and outputs, built by the student's ``jody_matrix(W_sx, W_ss, W_o, n)``,
on random weights at the exam's n = 3 and at other lengths."""

import numpy as np

from autograder.checks import check, fail
from autograder.checks.values import close, describe, real_array, truth

CLAIM_FUNCTION = "jody_is_right"
MATRIX_FUNCTION = "jody_matrix"
MATRIX_WHAT = f"`{MATRIX_FUNCTION}`"
EXAM_LENGTH = 3
EXAM_DRAWS = 12
#: Sequence lengths besides the exam's, each drawn twice.
OTHER_LENGTHS = (1, 2, 4, 5, 7)
DRAWS_PER_LENGTH = 2
#: State sizes m drawn from (W_sx is m x 1, W_ss m x m, W_o 1 x m).
STATE_SIZES = (1, 2, 3, 4)

MISTAKES = {
    "b2.upper_triangular": (
        "Your matrix has its nonzero entries above the diagonal. Row i of W gives y_i: which inputs has the "
        "network seen when it outputs y_i?"
    ),
    "b2.missing_power": (
        "Below the diagonal your matrix gives the same entry for every lag. Follow an input that arrived two "
        "steps before the output through the recurrence: how many times does it meet W_ss?"
    ),
    "b2.power_off_by_one": (
        "Your entries hold one factor of W_ss more than the steps between input and output account for. "
        "Count the multiplications by W_ss between x_j entering the state and y_i being read from it."
    ),
    "b2.transposed_recurrence": (
        "Your entries fit a recurrence carried by a transposed W_ss. Check which index of W_ss belongs to the "
        "new state and which to the previous one."
    ),
    "b2.symmetric": (
        "Your matrix is symmetric, so y_i depends on later inputs as much as on earlier ones. Can an output "
        "depend on an input that has not arrived yet?"
    ),
}
CLAIM_HINT = "Unroll the recurrence for three steps with s_0 = 0 and look at how each y_i depends on x_1, x_2 and x_3."
HINT = "Unroll the recurrence with s_0 = 0: write y_1, y_2, y_3 in terms of x_1, x_2, x_3 and read off the coefficients."


@check("b1.jody", "(b.i) Jody's claim")
def check_jody(student, answers, feedback):
    given = truth(student.call(CLAIM_FUNCTION), what=f"`{CLAIM_FUNCTION}()`", feedback=feedback)
    if not answers.jody_is_right() == given:
        fail(f"Your answer to (b.i) is not correct. {CLAIM_HINT}")


def draw(rng, n):
    """Random ``(W_sx (m, 1), W_ss (m, m), W_o (1, m), n)``, W_ss scaled so powers stay moderate."""
    m = int(rng.choice(STATE_SIZES))
    return (rng.standard_normal((m, 1)), rng.standard_normal((m, m)) / np.sqrt(m), rng.standard_normal((1, m)), n)


def square(value, n, *, feedback):
    """The ``(n, n)`` float64 matrix in ``value`` (nested lists and narrower floats accepted)."""
    array = real_array(value, what=MATRIX_WHAT)
    precision = getattr(array, "precision", "float64")
    if precision != "float64":  # real_array keeps a narrower float's precision, and close() compares at it
        feedback.note(f"{MATRIX_WHAT} returned a {precision} matrix; it was compared with the reference at {precision} precision.")
    if array.shape != (n, n):
        fail(f"{MATRIX_WHAT} returned {describe(value)} for n = {n}; expected an array of shape ({n}, {n}).")
    return array


def grade_draws(student, answers, draws, feedback, *, lengths_text):
    returned = student.call_each(MATRIX_FUNCTION, [(inputs, {}) for inputs in draws])
    given = [square(value, inputs[3], feedback=feedback) for inputs, value in zip(draws, returned)]
    expected = [answers.jody_matrix(*inputs) for inputs in draws]
    # Every lookalike of every draw, whatever the answer, so that the student kit's
    # recording (made with a correct answer) holds them all.
    lookalikes = [
        {key: found[key] for key in MISTAKES}
        for found in (answers.jody_matrix_lookalikes(*inputs) for inputs in draws)
    ]
    matched = sum(close(a, e) for a, e in zip(given, expected))
    if matched == len(draws):
        return
    summary = f"{MATRIX_WHAT} matched the reference on {matched} of {len(draws)} random networks ({lengths_text})."
    for key, message in MISTAKES.items():
        if all(close(a, found[key]) for found, a in zip(lookalikes, given)):
            fail(f"{summary}\n\n{message}", mistake=key)
    fail(f"{summary}\n\n{HINT}")


@check("b2.random_weights", "(b.ii) Jody's W for n = 3 on random weights")
def check_random_weights(student, answers, rng, feedback):
    draws = [draw(rng, EXAM_LENGTH) for _ in range(EXAM_DRAWS)]
    grade_draws(student, answers, draws, feedback, lengths_text=f"n = {EXAM_LENGTH}")


@check("b2.any_length", "(b.ii) Jody's W for other sequence lengths n")
def check_any_length(student, answers, rng, feedback):
    draws = [draw(rng, n) for n in OTHER_LENGTHS for _ in range(DRAWS_PER_LENGTH)]
    grade_draws(student, answers, draws, feedback, lengths_text=f"n in {', '.join(map(str, OTHER_LENGTHS))}")
