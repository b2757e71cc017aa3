"""What the checks of We Recur! compare with: the reference's answers as plain data.

Every function takes numpy arrays and numbers and returns plain values (arrays of
float64, numbers, tuples, dicts of them), computed by the reference; nothing here keeps
state between calls. The grader hands this module to each check as its ``answers``
fixture. The student kit hands a replay of the answers recorded from it when the kit
was built (:mod:`autograder.kit.recording`), under the same names: an argument the
recording never met raises :class:`autograder.checks.NoAnswer` there, never here.

====  ===============================  ==============================================
part  function                         what it answers
====  ===============================  ==============================================
(a)   ``rnn_a_shapes``                 RNN-A's weight shapes
(b)   ``rnn_a_dloss_dx``               dLoss_t/dx_t of RNN-A (f1 = f2 = identity)
(c)   ``rnn_b_shapes``                 RNN-B's weight shapes
(d)   ``rnn_b_f2``                     the output activation of RNN-B
(e)   ``rnn_b_step``                   one step of RNN-B with the reference softmax
(e)   ``rnn_b_next_input``             the exam's next input ``x_{t+1}`` given ``p_t``
(e)   ``one_hot_argmax``               the one-hot of the most likely word of ``p_t``
(f)   ``rnn_b_dloss_dx_depends_on``    the four statements' truth (keys ``PART_F_KEYS``)
====  ===============================  ==============================================
"""

from __future__ import annotations

import numpy as np

from .answer_key import (
    PART_F_KEYS,
    rnn_a_dloss_dx,
    rnn_a_shapes,
    rnn_b_dloss_dx_depends_on,
    rnn_b_f2,
    rnn_b_next_input,
    rnn_b_shapes,
)
from .rnn_b import RNNB, next_input_one_hot_argmax

__all__ = [
    "PART_F_KEYS",
    "one_hot_argmax",
    "rnn_a_dloss_dx",
    "rnn_a_shapes",
    "rnn_b_dloss_dx_depends_on",
    "rnn_b_f2",
    "rnn_b_next_input",
    "rnn_b_shapes",
    "rnn_b_step",
]


def rnn_b_step(W_ssx: np.ndarray, W_ox: np.ndarray, s_prev: np.ndarray, x_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One step of the exam's RNN-B (no f1, softmax f2): ``(s_t, p_t)``.

    Args:
        W_ssx: ``(s_dim, s_dim + x_dim)``.
        W_ox: ``(p_dim, s_dim + x_dim)``.
        s_prev: ``s_{t-1}``, ``(s_dim, 1)`` (zeros before the first step).
        x_t: ``(x_dim, 1)``.

    Returns:
        ``s_t`` ``(s_dim, 1)`` and ``p_t`` ``(p_dim, 1)``, float64.
    """
    _, state, _, p_t = RNNB(W_ssx=W_ssx, W_ox=W_ox)._step(np.asarray(s_prev, dtype=np.float64), np.asarray(x_t, dtype=np.float64))
    return state, p_t


def one_hot_argmax(p_t: np.ndarray) -> np.ndarray:
    """The one-hot ``(p_dim, 1)`` of the largest entry of ``p_t`` (the first, on a tie):
    the next input of a generation that feeds back the most likely word."""
    return next_input_one_hot_argmax(p_t)
