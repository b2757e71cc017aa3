"""Part (d): f2 for RNN-B as a language model, the softmax."""

import numpy as np

from autograder.checks import CheckFailed, Feedback, call_all, check, fail
from autograder.checks.values import close, column

FUNCTION = "rnn_b_f2"
WHAT = f"`{FUNCTION}`"
DRAWS = 25


def _one_hot_argmax(z):
    out = np.zeros_like(z)
    out[np.argmax(z[:, 0]), 0] = 1.0
    return out


# Activations students commonly pick instead: a stable key for the batch's item analytics,
# the activation, and what its outputs do.
LOOKALIKES = (
    ("d.identity", lambda z: z, "Your f2 returns z unchanged: its outputs can be negative and need not sum to 1."),
    (
        "d.sigmoid",
        lambda z: 1 / (1 + np.exp(-z)),
        "Your f2 behaves like the sigmoid, applied to each entry on its own: every output lies between 0 and 1, "
        "but together they need not sum to 1.",
    ),
    (
        "d.tanh",
        np.tanh,
        "Your f2 behaves like tanh: its outputs lie between -1 and 1, can be negative, and need not sum to 1.",
    ),
    (
        "d.relu",
        lambda z: np.maximum(z, 0),
        "Your f2 behaves like ReLU: its outputs are 0 wherever z is negative, and they need not sum to 1.",
    ),
    (
        "d.wrong_axis",
        np.ones_like,
        "Every output of your f2 is 1: it normalises each entry by itself (a reduction along the wrong axis?) "
        "instead of across the entries of z.",
    ),
    (
        "d.divides_by_sum",
        lambda z: z / z.sum(),
        "Your f2 divides z by its sum: the outputs sum to 1 but can be negative, and they blow up when the sum "
        "is near 0.",
    ),
    (
        "d.one_hot_argmax",
        _one_hot_argmax,
        "Your f2 outputs a one-hot vector of the largest entry of z: it makes a hard choice where p_t should "
        "say how likely each word is.",
    ),
    (
        "d.log_probabilities",
        lambda z: z - np.log(np.exp(z).sum()),
        "Your outputs are negative, and their exponentials sum to 1: they are logarithms of probabilities, "
        "where the network uses p_t itself as the probabilities.",
    ),
)
CONCEPT = (
    "In a language model, p_t says how likely each possible next word is. Think about what every such "
    "vector must satisfy, for any z, and which f2 guarantees it."
)


def _slope(z, a):
    """How steeply log(a) follows z (1 for the exam's f2), or None where it is undefined."""
    centred = z[:, 0] - z[:, 0].mean()
    if (a <= 0).any() or not centred.any():
        return None
    log_a = np.log(a[:, 0])
    slope = float(centred @ (log_a - log_a.mean()) / (centred @ centred))
    return slope if np.allclose(log_a - log_a.mean(), slope * centred, rtol=1e-6, atol=1e-6) else None


def recognise_scaled(inputs, answers):
    """``(key, message)`` for a normalised exponential of ``z / T`` with one ``T`` for every
    input (a temperature, or a sign flipped), or None."""
    if not all(np.isclose(a.sum(), 1.0, rtol=1e-6, atol=1e-6) for a in answers):
        return None
    slopes = [_slope(z, a) for z, a in zip(inputs, answers)]
    if any(slope is None for slope in slopes) or not np.allclose(slopes, slopes[0], rtol=1e-4):
        return None
    slope = float(np.mean(slopes))
    if abs(slope - 1) < 1e-3:  # right up to rounding: judged by the tolerances, not here
        return None
    if slope < 0:
        return (
            "d.reversed_ranking",
            "Your outputs are positive and sum to 1, but they rank the entries of z in reverse: the largest "
            "entry of z gets the smallest output. Check the sign in the exponent.",
        )
    shape = "more peaked" if slope > 1 else "flatter"
    return (
        "d.temperature",
        f"Your outputs are positive and sum to 1 and rank the entries as z does, but they are {shape} than the "
        f"network's: they are what z divided by a temperature T = {1 / slope:.3g} gives. Nothing in the exam's "
        "network scales z2_t.",
    )


def recognise_lookalike(inputs, answers):
    """``(key, message)``: what the answers do wrong, as precisely as they show it; the
    key names a recognised look-alike, ``""`` when none explains the answers."""
    for key, function, message in LOOKALIKES:
        with np.errstate(all="ignore"):
            if all(close(a, function(z)) for z, a in zip(inputs, answers)):
                return key, message
    scaled = recognise_scaled(inputs, answers)
    if scaled:
        return scaled
    if any((a < 0).any() for a in answers):
        return "", f"Some of your outputs are negative. {CONCEPT}"
    if any(not np.isclose(a.sum(), 1.0) for a in answers):
        return "", f"Your outputs do not sum to 1 for every input. {CONCEPT}"
    return "", CONCEPT


def grade_draws(student, answers, inputs, feedback, *, sizes_text):
    returned = student.call_each(FUNCTION, [((z,), {}) for z in inputs])
    given = [column(value, z.shape[0], what=WHAT, feedback=feedback) for z, value in zip(inputs, returned)]
    matched = sum(close(a, answers.rnn_b_f2(z)) for z, a in zip(inputs, given))
    if matched < len(inputs):
        key, message = recognise_lookalike(inputs, given)
        summary = f"{WHAT} matched the reference on {matched} of {len(inputs)} random inputs ({sizes_text})."
        fail(f"{summary}\n\n{message}", mistake=key)


@check("d.random_inputs", "f2 on random inputs")
def check_random_inputs(student, answers, rng, feedback):
    grade_draws(student, answers, [2.0 * rng.standard_normal((2, 1)) for _ in range(DRAWS)], feedback, sizes_text="2×1 inputs")


@check("d.overflow", "f2 on inputs of large magnitude")
def check_overflow(student, answers, feedback):
    ordinary = [np.array([[0.5], [-1.0]]), np.array([[2.0], [1.5]]), np.array([[-3.0], [0.0]])]
    try:
        grade_draws(student, answers, ordinary, Feedback(), sizes_text="2×1 inputs")
    except CheckFailed:
        fail(f"Not run: this check looks at large inputs once {WHAT} passes (d)'s check on ordinary ones.")
    large = (np.array([[1000.0], [999.0]]), np.array([[-1000.0], [-1002.0]]))
    returned = call_all(student, FUNCTION, [((z,), {}) for z in large])
    for z in large:
        shown = f"z = [{z[0, 0]:g}, {z[1, 0]:g}]"
        try:
            answer = column(next(returned), 2, what=WHAT, feedback=feedback)
        except CheckFailed as error:
            fail(
                f"For {shown}: {error} exp() overflows or underflows float64 here. Hint: the outputs do not "
                "change when the same number is subtracted from every entry of z; subtract the maximum first.",
                mistake="d.overflow",
            )
        if not close(answer, answers.rnn_b_f2(z)):
            fail(
                f"For {shown}, {WHAT} lost accuracy (overflow or underflow in exp). Subtract max(z) first.",
                mistake="d.overflow",
            )


@check("d.other_sizes", "f2 at another size (p_dim = 5)")
def check_other_sizes(student, answers, rng, feedback):
    grade_draws(student, answers, [2.0 * rng.standard_normal((5, 1)) for _ in range(10)], feedback, sizes_text="5×1 inputs")
