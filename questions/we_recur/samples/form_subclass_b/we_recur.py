"""Sample: (b) returns the right values as an instance of the student's own ndarray
subclass (a ``Column`` that remembers what it holds). Full credit.
"""

import numpy as np


class Column(np.ndarray):
    """A column vector with a label, for printing while debugging."""

    def __array_finalize__(self, obj):
        self.label = getattr(obj, "label", "")


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    # Unusual: a view as the student's own ndarray subclass.
    grad = (W_sx.T @ W_o.T @ dloss_dz2).view(Column)
    grad.label = "dLoss/dx_t"
    return grad


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
