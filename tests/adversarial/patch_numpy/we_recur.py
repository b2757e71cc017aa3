"""Attack: patch the comparison functions a grader relies on.

Seen in the wild: ``unittest.TestCase.assertEqual = lambda *a, **k: None`` from the
imported module turns every failing assertion into a pass when the tests run in the
student's process. This module patches numpy's comparisons, ``abs``, unittest's asserts
and ``pytest.approx`` so that everything compares equal, and tries to write a (harmless,
comment-only) file into the interpreter's site-packages, which would let code run in
every later Python process if it were allowed. Every answer is wrong: honest score 0.
"""

import builtins
import json
import os
import sys
import unittest

import numpy as np

try:  # numpy.testing needs more of the standard library than numpy itself
    import numpy.testing
except Exception:  # noqa: BLE001
    pass

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        MARKER = json.load(_stream).get("marker", "AGMARK-patch_numpy")
except (OSError, ValueError):
    MARKER = "AGMARK-patch_numpy"


def _always_true(*args, **kwargs):
    return True


def _never_raises(*args, **kwargs):
    return None


def _all_true_like(a, b, *args, **kwargs):
    return np.ones(np.broadcast(np.asarray(a), np.asarray(b)).shape, dtype=bool)


class _Anything:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    __hash__ = object.__hash__


def patch():
    patched = []
    np.allclose = _always_true
    np.array_equal = _always_true
    np.array_equiv = _always_true
    np.isclose = _all_true_like
    patched.append("numpy")
    testing = sys.modules.get("numpy.testing")  # getattr(np, "testing") would import it
    if testing is not None:
        for name in ("assert_allclose", "assert_array_equal", "assert_array_almost_equal", "assert_equal"):
            setattr(testing, name, _never_raises)
        patched.append("numpy.testing")
    builtins.abs = lambda value: 0
    patched.append("abs")
    for name in dir(unittest.TestCase):
        if name.startswith("assert"):
            setattr(unittest.TestCase, name, _never_raises)
    patched.append("unittest")
    try:
        import pytest

        pytest.approx = lambda expected, *args, **kwargs: _Anything()
        patched.append("pytest")
    except Exception:  # noqa: BLE001  pytest may not be importable here
        pass
    return patched


def plant():
    """A comment-only .pth (and .py) in site-packages: inert, but proof of write access."""
    site = os.path.dirname(os.path.dirname(os.path.abspath(np.__file__)))
    planted = []
    name = MARKER.replace("AGMARK-", "agmark_")
    for suffix, text in ((".pth", "# AGMARK: harmless comment, proof that site-packages was writable\n"),
                         (".py", "# AGMARK: harmless comment\n")):
        try:
            with open(os.path.join(site, name + suffix), "w") as stream:
                stream.write(text)
            planted.append(name + suffix)
        except OSError:
            pass
    return planted


print("patch_numpy patched:", patch(), "planted:", plant())


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return np.zeros_like(x_t) + 0.123


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    return z


def rnn_b_next_input(p_t):
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
