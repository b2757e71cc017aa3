"""The answer key of "We Recur!", computed from the reference networks, never typed in.

One function per graded part; the grader calls them by these names:

====  ===============================  ==============================================
part  function                         official answer
====  ===============================  ==============================================
(a)   ``rnn_a_shapes``                 W_ss, W_sx, W_o all 2x2
(b)   ``rnn_a_dloss_dx``               ``W_sx^T W_o^T dLoss/dz2_t``
(c)   ``rnn_b_shapes``                 W_ssx, W_ox both 2x4
(d)   ``rnn_b_f2``                     softmax
(e)   ``rnn_b_next_input``             ``x_2 = p_1``
(f)   ``rnn_b_dloss_dx_depends_on``    W_ox True, all W_ox True, W_ssx True,
                                       all W_ssx False (keys in ``PART_F_KEYS``)
====  ===============================  ==============================================
"""

from __future__ import annotations

import numpy as np

from .activations import softmax
from .dependence import derive_dependence
from .rnn_a import RNNA
from .rnn_b import RNNB, next_input_is_output

PART_F_KEYS = ("W_ox", "all_W_ox", "W_ssx", "all_W_ssx")


def rnn_a_shapes(s_dim: int = 2, x_dim: int = 2, p_dim: int = 2) -> dict[str, tuple[int, int]]:
    """Part (a): ``{"W_ss": (s, s), "W_sx": (s, x), "W_o": (p, s)}``, tuples of ints."""
    return RNNA.weight_shapes(s_dim, x_dim, p_dim)


def rnn_a_dloss_dx(
    W_ss: np.ndarray, W_sx: np.ndarray, W_o: np.ndarray, x_t: np.ndarray, dloss_dz2: np.ndarray
) -> np.ndarray:
    """Part (b): ``dLoss_t/dx_t = W_sx^T W_o^T dloss_dz2`` for RNN-A with f1 = f2 = identity.

    ``W_ss`` and ``x_t`` are accepted because the exam lists them, and unused: in the
    linear network neither enters the derivative of the loss at step t.

    Args:
        W_ss: ``(s_dim, s_dim)``.
        W_sx: ``(s_dim, x_dim)``.
        W_o: ``(p_dim, s_dim)``.
        x_t: ``(x_dim, 1)``, unused.
        dloss_dz2: ``dLoss_t/dz2_t``, ``(p_dim, 1)``.

    Returns:
        ``(x_dim, 1)`` float64.
    """
    del x_t  # see the docstring: the linear network's answer does not involve x_t
    return RNNA(W_ss, W_sx, W_o).dloss_t_dx_t(None, dloss_dz2)


def rnn_b_shapes(s_dim: int = 2, x_dim: int = 2, p_dim: int = 2) -> dict[str, tuple[int, int]]:
    """Part (c): ``{"W_ssx": (s, s + x), "W_ox": (p, s + x)}``, tuples of ints."""
    return RNNB.weight_shapes(s_dim, x_dim, p_dim)


def rnn_b_f2(z: np.ndarray) -> np.ndarray:
    """Part (d): f2 is the (numerically stable) softmax; same shape as ``z``, ``(n, 1)`` or ``(n,)``."""
    return softmax(z)


def rnn_b_next_input(p_t: np.ndarray) -> np.ndarray:
    """Part (e): the exam's rule ``x_{t+1} = p_t``; a float64 copy of ``p_t``, shape ``(n, 1)``."""
    return next_input_is_output(p_t)


def rnn_b_dloss_dx_depends_on(seed: int = 0, trials: int = 3) -> dict[str, bool]:
    """Part (f), derived by perturbing the weights of ``trials`` random exam-sized RNN-Bs.

    The exam's setting: no f1, softmax f2, ``g_t = dLoss_t/dz2_t`` given and held fixed,
    only ``Loss_t`` differentiated. See ``reference.dependence`` for the method.

    Returns:
        ``{"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}``, keys in
        ``PART_F_KEYS`` order.
    """
    statements = derive_dependence(seed=seed, trials=trials)
    return {key: statements[key] for key in PART_F_KEYS}
