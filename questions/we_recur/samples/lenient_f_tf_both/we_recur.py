"""Sample: (f) answers "TF" for item ii, hedging between both: ambiguous, that item is
lost; the other three are right.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ W_o.T @ dloss_dz2


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    # WRONG (ii): both answers at once.
    return {"W_ox": "T", "all_W_ox": "TF", "W_ssx": "T", "all_W_ssx": "F"}
