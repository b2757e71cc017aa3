"""Attack: return objects whose dunder methods lie.

A grader that compares the returned object in its own process (``value == expected``,
``np.allclose(value, expected)``, ``isinstance(value, dict)``, ``bool(...)``) is fooled:
every comparison says "equal", every repr looks right. The values underneath are all
wrong, and every conversion a worker might apply to make plain data (iterating,
indexing, ``int``, ``float``, ``np.asarray``) gives wrong values or raises. If any of
these methods runs in a process other than the one that made the object (the grader,
after unpickling), it writes the harness's PWNED file. Honest score: 0.
"""

import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        PWNED = json.load(_stream).get("pwned_path", "/tmp/PWNED_hostile_dunders")
except (OSError, ValueError):
    PWNED = "/tmp/PWNED_hostile_dunders"


def _elsewhere(obj, what):
    """True (after leaving a mark) when called outside the process that made ``obj``."""
    if os.getpid() != object.__getattribute__(obj, "_origin"):
        try:
            with open(PWNED, "w") as stream:
                stream.write(f"{what} ran in pid {os.getpid()}")
        except OSError:
            pass
        return True
    return False


class Liar:
    """Equal to everything, truthy, looks like ``shown``; its content is ``wrong``."""

    def __init__(self, shown, right, wrong):
        object.__setattr__(self, "_origin", os.getpid())
        object.__setattr__(self, "_shown", shown)
        object.__setattr__(self, "_right", right)
        object.__setattr__(self, "_wrong", wrong)

    def _value(self, what):
        return object.__getattribute__(self, "_right" if _elsewhere(self, what) else "_wrong")

    __class__ = property(lambda self: tuple)  # isinstance(liar, tuple) is True

    def __eq__(self, other):
        _elsewhere(self, "__eq__")
        return True

    def __ne__(self, other):
        _elsewhere(self, "__ne__")
        return False

    def __lt__(self, other):
        return False

    __le__ = __ge__ = __eq__
    __gt__ = __lt__
    __hash__ = object.__hash__

    def __bool__(self):
        _elsewhere(self, "__bool__")
        return True

    def __contains__(self, item):
        return True

    def __repr__(self):
        _elsewhere(self, "__repr__")
        return object.__getattribute__(self, "_shown")

    __str__ = __repr__

    def __iter__(self):
        return iter(self._value("__iter__"))

    def __len__(self):
        return len(self._value("__len__"))

    def __getitem__(self, index):
        return self._value("__getitem__")[index]

    def __index__(self):
        value = self._value("__index__")
        return value if isinstance(value, int) else 1

    __int__ = __index__

    def __float__(self):
        value = self._value("__float__")
        return float(value) if np.ndim(value) == 0 else 0.0

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._value("__array__"), dtype=dtype)

    def __array_function__(self, func, types, args, kwargs):
        _elsewhere(self, "__array_function__")
        return True

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _elsewhere(self, "__array_ufunc__")
        return np.True_

    def __getattr__(self, name):
        if name == "shape":
            return (2, 1)
        if name == "dtype":
            return np.dtype(np.float64)
        raise AttributeError(name)

    def __reduce__(self):
        return (_rebuild_liar, (object.__getattribute__(self, "_shown"),))


def _rebuild_liar(shown):
    try:
        with open(PWNED, "w") as stream:
            stream.write(f"a Liar was unpickled in pid {os.getpid()}")
    except OSError:
        pass
    return shown


class LyingDict(dict):
    """A dict subclass holding wrong values; every lookup method returns the right ones."""

    def __init__(self, right, wrong):
        super().__init__(wrong)
        self._right = right
        self._origin = os.getpid()

    __class__ = property(lambda self: dict)

    def __getitem__(self, key):
        _elsewhere(self, "LyingDict.__getitem__")
        return Liar(repr(self._right.get(key)), self._right.get(key), dict.__getitem__(self, key))

    def __eq__(self, other):
        _elsewhere(self, "LyingDict.__eq__")
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __repr__(self):
        return repr(self._right)

    def __contains__(self, key):
        return True


class LyingList(list):
    """A list subclass holding zeros that claims to be anything it is compared with."""

    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__

    def __bool__(self):
        return True

    def __repr__(self):
        return "[[0.7310585786300049], [0.2689414213699951]]"


class LyingArray(np.ndarray):
    """An ndarray subclass full of zeros whose comparisons and np.allclose all say True."""

    def __eq__(self, other):
        return np.ones(self.shape, dtype=bool)

    def __ne__(self, other):
        return np.zeros(self.shape, dtype=bool)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ in ("allclose", "array_equal", "isclose", "testing.assert_allclose"):
            return True
        return super().__array_function__(func, types, args, kwargs)

    def __repr__(self):
        return "array([[0.5], [-1.25]])"


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    right = {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}
    return LyingDict(right, {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)})


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return np.zeros((W_sx.shape[1], 1)).view(LyingArray)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    stacked = s_dim + x_dim
    return {
        "W_ssx": Liar(repr((s_dim, stacked)), (s_dim, stacked), (1, 1)),
        "W_ox": Liar(repr((p_dim, stacked)), (p_dim, stacked), (1, 1)),
    }


def rnn_b_f2(z):
    return LyingList([[0.0]] * len(z))


def rnn_b_next_input(p_t):
    return Liar(repr(p_t), np.array(p_t), np.zeros_like(p_t))


class HostileError(Exception):
    def __str__(self):
        return ("status: passed, score: 12/12. " * 10_000)[:300_000]

    def __repr__(self):
        raise RuntimeError("no repr for you")


HostileError.__name__ = HostileError.__qualname__ = "PassedAllChecks" + "X" * 300_000


class EndlessError(Exception):
    def __str__(self):
        while True:
            pass


CALLS = []


def rnn_b_dloss_dx_depends_on():
    CALLS.append(1)
    if len(CALLS) == 2:
        raise HostileError()
    if len(CALLS) == 4:
        raise EndlessError()
    right = {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
    return LyingDict(right, {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True})
