"""Read what a student's function returned, in the spirit of PrairieLearn's helpers.

Each reader accepts what a reasonable student returns (tuples or lists, numpy or
Python numbers, nested lists or arrays) and otherwise fails the check with a message
that names the function, the expected type and shape, and what came back, never the
expected values. Values arrive from the sandbox as plain data (see ``wire.plain``): ints,
floats, bools, strings, lists, dicts and ``numpy.ndarray``. Readings the handout does not
ask for but a TA accepts (a flat vector, text for a shape or a truth value, a list for a
dict of items, a narrower float) pass with a note that states the expected form.
"""

import re

import numpy as np

from autograder.checks import fail
from autograder.markdown import inline_code
from autograder.sandbox.wire import Unsupported

#: Tolerances for comparing float64 results with the reference.
RTOL = 1e-6
ATOL = 1e-9
#: Tolerances by the precision of the floats a function returned: ``(rtol, atol, of_largest)``,
#: an entry passing within ``atol + rtol * |expected| + of_largest * max|expected|``.
#: Float64 is compared as ``np.allclose(rtol=RTOL, atol=ATOL)``. A narrower float rounds
#: every product and sum, and an entry that cancels keeps only the error of the terms,
#: so it is judged against the largest entry as well: over 40,000 random draws of (b),
#: float32 products erred by at most 8.4e-6 of the largest entry and float16 ones by 6.6e-2.
#: Every wrong answer the checks recognise differs by far more.
PRECISIONS = {
    "float64": (RTOL, ATOL, 0.0),
    "float32": (1e-4, ATOL, 1e-4),
    "float16": (0.15, ATOL, 0.15),
}
#: What a student may write for True and for False (compared without case or spaces).
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0"})
#: A (rows, cols) pair written as text: "3x5", "3 x 5", "3×5", "(3, 5)", "[3, 5]", "3,5", "3 by 5".
_SHAPE_TEXT = re.compile(r"^\s*[\(\[]?\s*(\d+)\s*(?:[x×X*,]|by)\s*(\d+)\s*,?\s*[\)\]]?\s*$")


class Returned(np.ndarray):
    """A student's array as float64, remembering the precision it was returned in
    (``"float64"``, ``"float32"`` or ``"float16"``) so that :func:`close` judges it there."""

    precision = "float64"

    def __array_finalize__(self, source):
        self.precision = getattr(source, "precision", "float64")


def describe(value):
    """A short description of a returned value's type and shape, for messages."""
    if isinstance(value, np.ndarray):
        if value.ndim == 0:
            return f"a single number (a numpy {value.dtype} scalar)"
        return f"a numpy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, Unsupported):
        shown = f" {inline_code(value.shown)}" if value.shown else ""
        return f"a {inline_code(value.what)}{shown}, which is not numbers, text, a list or a dict the grader can read"
    if isinstance(value, list):
        return f"a list of length {len(value)}"
    if isinstance(value, dict):
        return f"a dict with keys {inline_code(sorted(value, key=str))}"
    if value is None:
        return "None (did you forget `return`?)"
    if isinstance(value, str):
        return f"the string {inline_code(repr(value[:40]))}"
    if type(value) in (bool, int, float):
        return f"the single {type(value).__name__} {inline_code(repr(value))}"
    return f"a {inline_code(type(value).__name__)}"


def _integer(value):
    if type(value) is int:
        return value
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iu":
        return int(value)
    if type(value) is float and value.is_integer():
        return int(value)
    return None


def shape_pair(value, *, what, feedback=None):
    """A ``(rows, cols)`` pair of non-negative ints, from a tuple, list or int array, or
    from text such as ``"3x5"`` or ``"(3, 5)"`` (accepted with a note)."""
    if isinstance(value, str):
        match = _SHAPE_TEXT.match(value)
        if match:
            if feedback is not None:
                feedback.note(
                    f"{what} gave a shape as text. It was read as a (rows, cols) "
                    "pair, but the handout asks for a tuple of two ints, such as `(rows, cols)`."
                )
            return int(match[1]), int(match[2])
        fail(f"{what} should be a (rows, cols) pair of integers, such as a tuple; the text {inline_code(repr(value[:40]))} "
             "does not read as one.")
    if isinstance(value, np.ndarray) and value.ndim == 1 and value.dtype.kind in "iuf":
        value = value.tolist()
    if isinstance(value, list) and len(value) == 2:
        pair = tuple(_integer(item) for item in value)
        if all(n is not None and n >= 0 for n in pair):
            return pair
    fail(f"{what} should be a (rows, cols) pair of integers, such as a tuple; got {describe(value)}.")


def keyed(value, keys, *, what, require=True):
    """A dict that should hold ``keys``; with ``require`` it fails naming the first missing key."""
    if not isinstance(value, dict):
        fail(f"{what} should return a dict with keys {', '.join(repr(k) for k in keys)}; got {describe(value)}.")
    missing = [key for key in keys if key not in value] if require else []
    if missing:
        fail(f"{what} returned a dict without the key {missing[0]!r} (expected keys: {', '.join(map(repr, keys))}).")
    return value


def real_array(value, *, what):
    """A finite float64 array from an array or nested lists of real numbers: a
    :class:`Returned`, which remembers their precision, when they came in a narrower float."""
    if isinstance(value, Unsupported) or value is None or isinstance(value, (str, dict)):
        fail(f"{what} should return a numpy array of real numbers; got {describe(value)}.")
    if isinstance(value, list):
        try:
            value = np.array(_plain_numbers(value))
        except (TypeError, ValueError):
            fail(f"{what} returned a list that is not a rectangular array of numbers.")
        if value.dtype == object:
            fail(f"{what} returned a list that is not a rectangular array of numbers.")
    elif type(value) in (int, float, bool):
        value = np.array(value, dtype=np.float64)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        fail(f"{what} should return real numbers; got {describe(value)}.")
    array = value.astype(np.float64)
    if value.dtype.kind == "f" and value.dtype.itemsize < 8:  # float64 stays a plain array: the common case costs nothing
        array = array.view(Returned)
        array.precision = value.dtype.name
    if not np.all(np.isfinite(array)):
        bad = "NaN" if np.any(np.isnan(array)) else "an infinite value"
        fail(f"{what} returned {bad}.")
    return array


def _plain_numbers(value):
    if isinstance(value, list):
        return [_plain_numbers(item) for item in value]
    if type(value) in (int, float, bool):
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value  # numpy stacks it, keeping a narrower float's dtype
    raise TypeError("not a number")


def column(value, size, *, what, feedback):
    """A ``(size, 1)`` float64 column vector (see :func:`real_array`).

    A flat ``(size,)`` vector with the right entries is accepted, with a note that
    states the expected shape: the exam grades the mathematics, not numpy's layout.
    Floats narrower than float64 are accepted, with a note that they were compared at
    their own precision. Any other shape, including a ``(1, size)`` row, fails.
    """
    array = real_array(value, what=what)
    if array.ndim == 0:
        fail(f"{what} returned {describe(value)}; expected a column vector of shape ({size}, 1).")
    precision = getattr(array, "precision", "float64")
    if precision != "float64":
        feedback.note(
            f"{what} returned {precision} values, so they were compared with the reference at "
            f"{precision} precision. Computing in float64 (numpy's default) avoids the rounding."
        )
    if array.shape == (size, 1):
        return array
    if array.shape == (size,):
        feedback.note(
            f"{what} returned a flat vector of shape ({size},); the handout asks for a column of shape "
            f"({size}, 1). It was accepted, but use `.reshape(-1, 1)` or keep 2-D arrays."
        )
        return array.reshape(size, 1)
    fail(f"{what} returned an array of shape {array.shape}; expected a column vector of shape ({size}, 1).")


def truth(value, *, what, feedback=None):
    """A bool from a Python or numpy bool, the ints 0 and 1, or a word for one (``"True"``,
    ``"F"``, ``"yes"``: any case), each reading but a bool noted with the expected form.
    Anything else fails, quoting the value."""
    if type(value) is bool:
        return value
    reading = None
    if type(value) is int and value in (0, 1):
        reading = bool(value)
    elif isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "biu" and value.item() in (0, 1):
        reading = bool(value.item())
    elif isinstance(value, str) and value.strip().lower() in TRUE_WORDS | FALSE_WORDS:
        reading = value.strip().lower() in TRUE_WORDS
    if reading is None:
        fail(f"{what} should be True or False; got {describe(value)}, which does not read as either.")
    if feedback is not None:
        feedback.note(f"{what} was {inline_code(repr(value))}, read as {reading}; the handout asks for True or False.")
    return reading


def items_in_order(value, keys, *, what, feedback):
    """A dict of ``keys``: a dict as it is, or a list of ``len(keys)`` values in the order
    of ``keys`` (accepted with a note). Anything else fails, naming what is expected."""
    if isinstance(value, list) and len(value) == len(keys):
        feedback.note(
            f"{what} returned a list of {len(keys)} values, read in statement order as "
            f"{', '.join(map(repr, keys))}; the handout asks for a dict with those keys."
        )
        return dict(zip(keys, value))
    return keyed(value, keys, what=what, require=False)


def close(actual, expected):
    """Whether two finite float64 arrays agree within the tolerances of ``actual``'s
    precision (:data:`PRECISIONS`); for float64, ``np.allclose(actual, expected,
    rtol=RTOL, atol=ATOL)`` for arrays of one shape, written out because ``allclose``
    costs ten times more on the small arrays graded here."""
    if actual.shape != expected.shape:
        return False
    rtol, atol, of_largest = PRECISIONS[getattr(actual, "precision", "float64")]
    size = np.abs(expected)
    if of_largest:
        atol = atol + of_largest * float(size.max(initial=0.0))
    return bool((np.abs(np.asarray(actual) - expected) <= atol + rtol * size).all())
