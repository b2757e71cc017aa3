"""Part (a): the forward pass of the linear RNN (f1 = f2 = identity, s_0 = 0), on the
exam's numbers and on random weights at many sizes and sequence lengths.

The student's ``forward(W_sx, W_ss, W_o, xs)`` gets xs ``(T, l)`` (row t is x_t) and
returns the outputs ``(T, v)`` (row t is y_t). The exam's numbers are the question's
own (public); its answer comes from ``answers.integer_outputs``, which the kit seals.
"""

import numpy as np

from autograder.checks import check, fail
from autograder.checks.values import close, describe, real_array

FUNCTION = "forward"
WHAT = f"`{FUNCTION}`"
#: The exam's network and inputs (l = 1, m = 2, v = 1): the question's text, not its answer.
EXAM_W_SX = np.array([[5.0], [6.0]])
EXAM_W_SS = np.array([[1.0, 2.0], [3.0, 4.0]])
EXAM_W_O = np.array([[-3.0, -2.0]])
EXAM_XS = np.array([[1.0], [-1.0]])
#: How far from an integer an output of the exam's integer network may be and still read
#: as that integer (float64 sums of a few integers below 1e4 are exact).
INTEGER_TOLERANCE = 1e-6
#: (m, l, v, T) of the random draws: the exam's l = v = 1 first, then wider inputs and
#: outputs, a single step and a long sequence. Each size is drawn twice.
RANDOM_SIZES = ((2, 1, 1, 3), (3, 2, 1, 4), (2, 1, 3, 5), (4, 3, 2, 6), (3, 2, 2, 1), (5, 4, 3, 8))
DRAWS_PER_SIZE = 2
SIZES_TEXT = ", ".join(
    f"{name} from {min(sizes)} to {max(sizes)}" for name, sizes in zip(("m", "l", "v", "T"), zip(*RANDOM_SIZES))
)

MISTAKES = {
    "a.no_recurrence": (
        "Your outputs equal those of a network in which the previous state never enters the new one. "
        "Look again at what s_t is computed from."
    ),
    "a.output_before_update": (
        "Your outputs lag one step behind: y_t is computed from the state before step t's update. "
        "Check which state the output at step t reads."
    ),
    "a.transposed_recurrence": (
        "Your outputs equal those of a network whose recurrent matrix is transposed. Check which index of "
        "W_ss belongs to the new state and which to the previous one."
    ),
    "a.reversed_time": (
        "The order of your rows does not follow time: row t of the result is the output at step t."
    ),
}
HINT = "Compute one step at a time, s_t from x_t and s_{t-1} (s_0 = 0), then y_t from s_t, and stack y_t as row t."


def outputs(value, steps, v, *, what, feedback):
    """The ``(steps, v)`` float64 outputs in ``value``; a ``(steps, v, 1)`` stack of columns,
    and a flat ``(steps,)`` vector when v = 1, are accepted with a note."""
    array = real_array(value, what=what)
    precision = getattr(array, "precision", "float64")
    if precision != "float64":  # real_array keeps a narrower float's precision, and close() compares at it
        feedback.note(f"{what} returned {precision} outputs; they were compared with the reference at {precision} precision.")
    if array.shape == (steps, v):
        return array
    if array.shape == (steps, v, 1) or (v == 1 and array.shape == (steps,)):
        feedback.note(
            f"{what} returned an array of shape {array.shape}; the handout asks for shape (T, v), one row per step. "
            "It was accepted."
        )
        return array.reshape(steps, v)
    fail(f"{what} returned {describe(value)}; expected an array of shape (T, v) = ({steps}, {v}).")


def as_integers(array):
    """The entries of ``array`` as a tuple of ints, or None when one is not an integer."""
    rounded = np.round(array)
    if not np.all(np.abs(array - rounded) <= INTEGER_TOLERANCE):
        return None
    return tuple(int(y) for y in rounded.ravel())


@check("a.exam_numbers", "the forward pass on the exam's network and inputs")
def check_exam_numbers(student, answers, feedback):
    args = (EXAM_W_SX, EXAM_W_SS, EXAM_W_O, EXAM_XS)
    given = outputs(student.call(FUNCTION, *args), len(EXAM_XS), 1, what=WHAT, feedback=feedback)
    integers = as_integers(given)
    if integers is None or not answers.integer_outputs(*args) == integers:
        shown = np.array2string(given.ravel(), precision=6, separator=", ")
        fail(f"On the exam's weights and inputs {WHAT} returned the outputs {shown}, which is not the exam's "
             f"output sequence.\n\n{HINT}")


def draw(rng, m, l, v, steps):
    """Random ``(W_sx (m, l), W_ss (m, m), W_o (v, m), xs (steps, l))``; W_ss is scaled so
    that long sequences stay of moderate size."""
    return (
        rng.standard_normal((m, l)),
        rng.standard_normal((m, m)) / np.sqrt(m),
        rng.standard_normal((v, m)),
        rng.standard_normal((steps, l)),
    )


def lookalikes_of(draws, answers):
    """The recognised lookalikes of each draw, ``{mistake key: (T, v)}``. Asked for every
    draw and every key whatever the student answered, so that the student kit's recording
    (made with a correct answer) holds them all."""
    return [
        {key: found[key] for key in MISTAKES}
        for found in (answers.forward_lookalikes(*inputs) for inputs in draws)
    ]


def recognise_mistake(lookalikes, given):
    """``(key, message)`` of the lookalike that explains every draw, or None."""
    for key, message in MISTAKES.items():
        if all(close(a, found[key]) for found, a in zip(lookalikes, given)):
            return key, message
    return None


@check("a.random_weights", "the forward pass on random weights, sizes and sequence lengths")
def check_random_weights(student, answers, rng, feedback):
    draws = [draw(rng, *sizes) for sizes in RANDOM_SIZES for _ in range(DRAWS_PER_SIZE)]
    returned = student.call_each(FUNCTION, [(inputs, {}) for inputs in draws])
    given = [
        outputs(value, len(xs), W_o.shape[0], what=WHAT, feedback=feedback)
        for (_, _, W_o, xs), value in zip(draws, returned)
    ]
    expected = [answers.forward(*inputs) for inputs in draws]
    lookalikes = lookalikes_of(draws, answers)
    matched = sum(close(a, e) for a, e in zip(given, expected))
    if matched == len(draws):
        return
    summary = f"{WHAT} matched the reference on {matched} of {len(draws)} random networks ({SIZES_TEXT})."
    key, message = recognise_mistake(lookalikes, given) or ("", HINT)
    fail(f"{summary}\n\n{message}", mistake=key)
