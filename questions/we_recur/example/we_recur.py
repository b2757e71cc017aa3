"""A complete, correct answer to "We Recur!" (MIT 6.036 Fall 2019 final, question 7).

This is the example submission the Quickstart grades (``./dev demo``); it scores 12/12
under the default rubric. Every vector is a column of shape ``(n, 1)``, following the
course notes' convention ``z = W x``.

RNN-A:  z1_t = W_ss s_{t-1} + W_sx x_t,   s_t = f1(z1_t),   z2_t = W_o s_t,   p_t = f2(z2_t)
RNN-B:  z1_t = W_ssx [s_{t-1}; x_t],      s_t = z1_t,       z2_t = W_ox [s_t; x_t],   p_t = f2(z2_t)
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    """(a) Shapes of RNN-A's weights, each as ``(rows, cols)``."""
    return {
        "W_ss": (s_dim, s_dim),  # state -> state
        "W_sx": (s_dim, x_dim),  # input -> state
        "W_o": (p_dim, s_dim),  # state -> output
    }


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    """(b) dLoss_t/dx_t for RNN-A with f1 = f2 = identity, shape ``(x_dim, 1)``.

    The chain x_t -> z1_t -> s_t -> z2_t is linear: z2_t = W_o W_sx x_t + (terms without
    x_t), so the gradient is the transposed product applied to dLoss_t/dz2_t. W_ss and
    x_t itself do not appear; they are arguments only because the exam lists them.
    """
    dloss_ds = W_o.T @ dloss_dz2  # back through z2_t = W_o s_t, shape (s_dim, 1)
    return W_sx.T @ dloss_ds  # back through z1_t = ... + W_sx x_t, shape (x_dim, 1)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    """(c) Shapes of RNN-B's weights; both multiply a stacked ``(s_dim + x_dim, 1)`` vector."""
    stacked = s_dim + x_dim
    return {
        "W_ssx": (s_dim, stacked),  # [s_{t-1}; x_t] -> s_t
        "W_ox": (p_dim, stacked),  # [s_t; x_t] -> z2_t
    }


def rnn_b_f2(z):
    """(d) Softmax along axis 0: turns scores ``(p_dim, 1)`` into a distribution over words.

    Subtracting the maximum first changes nothing mathematically but keeps ``exp`` from
    overflowing when a score is large (e.g. 1000).
    """
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    """(e) In one-to-many generation the output at step t is fed back as the next input."""
    return p_t


def rnn_b_dloss_dx_depends_on():
    """(f) Which weights dLoss_t/dx_t depends on, for RNN-B.

    Split W_ssx = [A | B] and W_ox = [C | D] (left blocks act on the state, right blocks
    on x). Then z2_t = C A s_{t-1} + (C B + D) x_t, so dLoss_t/dx_t = (C B + D)^T g_t:
    every element of W_ox appears, but of W_ssx only the x-columns B do.
    """
    return {
        "W_ox": True,
        "all_W_ox": True,
        "W_ssx": True,
        "all_W_ssx": False,
    }
