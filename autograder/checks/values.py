"""Read what a student's function returned, in the spirit of PrairieLearn's helpers.

Each reader accepts what a reasonable student returns (tuples or lists, numpy or
Python numbers, nested lists or arrays) and otherwise fails the check with a message
that names the function, the expected type and shape, and what came back, never the
expected values. Values arrive from the sandbox as plain data (see ``wire``): ints,
floats, bools, strings, lists, dicts and ``numpy.ndarray``.
"""

import numpy as np

from autograder.checks import fail
from autograder.markdown import inline_code
from autograder.sandbox.wire import Unsupported

#: Tolerances for comparing float64 results with the reference.
RTOL = 1e-6
ATOL = 1e-9


def describe(value):
    """A short description of a returned value's type and shape, for messages."""
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, Unsupported):
        return f"{inline_code(value.what)} (which the grader cannot read)"
    if isinstance(value, list):
        return f"a list of length {len(value)}"
    if isinstance(value, dict):
        return f"a dict with keys {inline_code(sorted(value))}"
    if value is None:
        return "None (did you forget `return`?)"
    return f"a {inline_code(type(value).__name__)}"


def _integer(value):
    if type(value) is int:
        return value
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "iu":
        return int(value)
    if type(value) is float and value.is_integer():
        return int(value)
    return None


def shape_pair(value, *, what):
    """A ``(rows, cols)`` pair of non-negative ints, from a tuple, list or int array."""
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
    """A finite float64 array from an array or nested lists of real numbers."""
    if isinstance(value, Unsupported) or value is None or isinstance(value, (str, dict)):
        fail(f"{what} should return a numpy array of real numbers; got {describe(value)}.")
    if isinstance(value, list):
        try:
            value = np.array(_plain_numbers(value), dtype=np.float64)
        except (TypeError, ValueError):
            fail(f"{what} returned a list that is not a rectangular array of numbers.")
    elif type(value) in (int, float, bool):
        value = np.array(value, dtype=np.float64)
    if not isinstance(value, np.ndarray) or value.dtype.kind not in "biuf":
        fail(f"{what} should return real numbers; got {describe(value)}.")
    array = value.astype(np.float64)
    if not np.all(np.isfinite(array)):
        bad = "NaN" if np.any(np.isnan(array)) else "an infinite value"
        fail(f"{what} returned {bad}.")
    return array


def _plain_numbers(value):
    if isinstance(value, list):
        return [_plain_numbers(item) for item in value]
    if type(value) in (int, float, bool):
        return value
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError("not a number")


def column(value, size, *, what, feedback):
    """A ``(size, 1)`` float64 column vector.

    A flat ``(size,)`` vector with the right entries is accepted, with a note that
    states the expected shape: the exam grades the mathematics, not numpy's layout.
    Any other shape, including a ``(1, size)`` row, fails.
    """
    array = real_array(value, what=what)
    if array.shape == (size, 1):
        return array
    if array.shape == (size,):
        feedback.note(
            f"{what} returned a flat vector of shape ({size},); the handout asks for a column of shape "
            f"({size}, 1). It was accepted, but use `.reshape(-1, 1)` or keep 2-D arrays."
        )
        return array.reshape(size, 1)
    fail(f"{what} returned an array of shape {array.shape}; expected a column vector of shape ({size}, 1).")


def truth(value, *, what):
    """A bool from a Python or numpy bool, or the ints 0 and 1."""
    if type(value) is bool:
        return value
    if type(value) is int and value in (0, 1):
        return bool(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "biu" and value.item() in (0, 1):
        return bool(value.item())
    fail(f"{what} should be True or False; got {describe(value)}.")


def close(actual, expected):
    """Whether two finite float64 arrays agree within the grader's tolerances:
    ``np.allclose(actual, expected, rtol=RTOL, atol=ATOL)`` for arrays of one shape,
    written out because ``allclose`` costs ten times more on the small arrays graded here."""
    if actual.shape != expected.shape:
        return False
    return bool((np.abs(actual - expected) <= ATOL + RTOL * np.abs(expected)).all())
