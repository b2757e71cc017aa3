"""We Recur! (MIT 6.036 Fall 2019 final, question 7): your answers.

Fill in each function and upload this file to Gradescope as ``we_recur.py``. See
README.md for the equations of RNN-A and RNN-B and for how each part is graded.

Conventions: a vector is a numpy column of shape ``(n, 1)``; a matrix multiplies it
from the left (``W @ x``). The grader passes every array as float64.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    """(a) The shapes of RNN-A's weight matrices.

    Args:
        s_dim: length of the state s_t.
        x_dim: length of the input x_t.
        p_dim: length of the output p_t.

    Returns:
        A dict with keys ``"W_ss"``, ``"W_sx"``, ``"W_o"``; each value is a
        ``(rows, cols)`` pair of ints. The exam's case is ``rnn_a_shapes()``.
    """
    raise NotImplementedError


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    """(b) dLoss_t/dx_t for RNN-A with f1(z) = z and f2(z) = z.

    Args:
        W_ss: RNN-A's state-to-state weights (numpy array).
        W_sx: RNN-A's input-to-state weights (numpy array).
        W_o: RNN-A's output weights (numpy array).
        x_t: the input at step t, shape ``(x_dim, 1)``.
        dloss_dz2: dLoss_t/dz2_t, shape ``(p_dim, 1)``.

    Returns:
        dLoss_t/dx_t as a numpy array of shape ``(x_dim, 1)``.
    """
    raise NotImplementedError


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    """(c) The shapes of RNN-B's weight matrices.

    Args:
        s_dim: length of the state s_t.
        x_dim: length of the input x_t.
        p_dim: length of the output p_t.

    Returns:
        A dict with keys ``"W_ssx"``, ``"W_ox"``; each value is a ``(rows, cols)`` pair
        of ints. The exam's case is ``rnn_b_shapes()``.
    """
    raise NotImplementedError


def rnn_b_f2(z):
    """(d) The activation f2 of RNN-B when it generates a description word by word.

    Args:
        z: the pre-activation z2_t, shape ``(p_dim, 1)``.

    Returns:
        f2(z), a numpy array of shape ``(p_dim, 1)``.
    """
    raise NotImplementedError


def rnn_b_next_input(p_t):
    """(e) The next input x_{t+1} during one-to-many generation with RNN-B.

    Args:
        p_t: the network's output at step t, shape ``(p_dim, 1)``.

    Returns:
        x_{t+1}, a numpy array of shape ``(x_dim, 1)`` (here x_dim equals p_dim).
    """
    raise NotImplementedError


def rnn_b_dloss_dx_depends_on():
    """(f) Which statements about dLoss_t/dx_t for RNN-B are true.

    Returns:
        A dict of four bools, True where the statement is true:

        - ``"W_ox"``: dLoss/dx_t depends on W_ox.
        - ``"all_W_ox"``: dLoss/dx_t depends on all elements of W_ox.
        - ``"W_ssx"``: dLoss/dx_t depends on W_ssx.
        - ``"all_W_ssx"``: dLoss/dx_t depends on all elements of W_ssx.
    """
    raise NotImplementedError
