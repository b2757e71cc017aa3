"""Sample: (a) and (c) give every shape as a 1-D numpy int array ``np.array([rows,
cols])``. Full credit.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    # Unusual: 1-D int arrays.
    return {"W_ss": np.array([s_dim, s_dim]), "W_sx": np.array([s_dim, x_dim]), "W_o": np.array([p_dim, s_dim])}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ W_o.T @ dloss_dz2


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    # Unusual: 1-D int arrays.
    return {"W_ssx": np.array([s_dim, s_dim + x_dim]), "W_ox": np.array([p_dim, s_dim + x_dim])}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
