"""Sample: (a) and (c) build each shape from a numpy array of sizes, so every entry
is an ``np.int64`` (``tuple(np.array(...))``). Full credit.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    s, x, p = np.array([s_dim, x_dim, p_dim])  # Unusual: np.int64 entries.
    return {"W_ss": (s, s), "W_sx": (s, x), "W_o": (p, s)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ W_o.T @ dloss_dz2


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    s, x, p = np.array([s_dim, x_dim, p_dim])  # Unusual: np.int64 entries.
    return {"W_ssx": (s, s + x), "W_ox": (p, s + x)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
