"""Part (d): f2 for RNN-B as a language model, the softmax."""

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, tags, visibility, weight

from autograder.checks import CheckFailed, check, fail
from autograder.checks.values import close, column
from autograder.checks.oracle import answer_key

FUNCTION = "rnn_b_f2"
WHAT = f"`{FUNCTION}`"
DRAWS = 25


def _one_hot_argmax(z):
    out = np.zeros_like(z)
    out[np.argmax(z[:, 0]), 0] = 1.0
    return out


# Activations students commonly pick instead, and what to tell them.
LOOKALIKES = (
    (lambda z: z, "identity"),
    (lambda z: 1 / (1 + np.exp(-z)), "sigmoid"),
    (np.tanh, "tanh"),
    (lambda z: np.maximum(z, 0), "ReLU"),
    (lambda z: np.ones_like(z), "softmax taken across the wrong axis (every entry is 1)"),
    (lambda z: z / z.sum(), "z divided by its sum, without exponentiating"),
    (_one_hot_argmax, "a hard one-hot of argmax(z)"),
)
DISTRIBUTION = (
    "When RNN-B generates words, p_t must be a probability distribution over the next word: "
    "entries that are positive and sum to 1."
)


def recognise_lookalike(inputs, answers):
    for function, name in LOOKALIKES:
        with np.errstate(all="ignore"):
            if all(close(a, function(z)) for z, a in zip(inputs, answers)):
                return f"Your f2 behaves like {name}. {DISTRIBUTION}"
    if any(not np.isclose(a.sum(), 1.0) for a in answers):
        return f"Your outputs do not sum to 1. {DISTRIBUTION}"
    if any((a < 0).any() for a in answers):
        return f"Some of your outputs are negative. {DISTRIBUTION}"
    return DISTRIBUTION


def grade_draws(student, inputs, feedback, *, sizes_text):
    returned = student.call_each(FUNCTION, [((z,), {}) for z in inputs])
    answers = [column(value, z.shape[0], what=WHAT, feedback=feedback) for z, value in zip(inputs, returned)]
    matched = sum(close(a, answer_key.rnn_b_f2(z)) for z, a in zip(inputs, answers))
    if matched < len(inputs):
        fail(
            f"{WHAT} matched the reference on {matched} of {len(inputs)} random inputs ({sizes_text}).\n\n"
            + recognise_lookalike(inputs, answers)
        )


@check("d.random_inputs", "f2 on random inputs")
@weight(2)
@visibility("visible")
@number("4.1")
@tags("activations", "rnn-b")
def check_random_inputs(student, rng, feedback):
    grade_draws(student, [2.0 * rng.standard_normal((2, 1)) for _ in range(DRAWS)], feedback, sizes_text="2×1 inputs")


@check("d.overflow", "f2 on inputs of large magnitude")
@weight(0)
@number("4.2")
@tags("activations", "numerics")
def check_overflow(student, feedback):
    for z in (np.array([[1000.0], [999.0]]), np.array([[-1000.0], [-1002.0]])):
        shown = f"z = [{z[0, 0]:g}, {z[1, 0]:g}]"
        try:
            answer = column(student.call(FUNCTION, z), 2, what=WHAT, feedback=feedback)
        except CheckFailed as error:
            fail(
                f"For {shown}: {error} exp() overflows or underflows float64 here. Hint: softmax(z) equals "
                "softmax(z - max(z)); subtract the maximum before exponentiating."
            )
        if not close(answer, answer_key.rnn_b_f2(z)):
            fail(f"For {shown}, {WHAT} lost accuracy (overflow or underflow in exp). Subtract max(z) first.")


@check("d.other_sizes", "f2 at another size (p_dim = 5)")
@weight(0)
@number("4.3")
@tags("activations", "generalization")
def check_other_sizes(student, rng, feedback):
    grade_draws(student, [2.0 * rng.standard_normal((5, 1)) for _ in range(10)], feedback, sizes_text="5×1 inputs")
