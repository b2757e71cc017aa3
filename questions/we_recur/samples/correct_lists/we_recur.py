"""Sample: correct answers in other accepted types: shapes as lists and tuples of
np.int64, vectors as nested Python lists, bools as np.bool_. Scores 12/12.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    s, x, p = np.int64(s_dim), np.int64(x_dim), np.int64(p_dim)
    return {"W_ss": [s, s], "W_sx": (s, x), "W_o": [p, s]}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return (W_sx.T @ W_o.T @ dloss_dz2).tolist()  # [[..], [..]]


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    stacked = np.int64(s_dim + x_dim)
    return {"W_ssx": [np.int64(s_dim), stacked], "W_ox": (np.int64(p_dim), stacked)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return (exps / np.sum(exps, axis=0, keepdims=True)).tolist()


def rnn_b_next_input(p_t):
    return [[float(value)] for value in p_t[:, 0]]


def rnn_b_dloss_dx_depends_on():
    return {
        "W_ox": np.bool_(True),
        "all_W_ox": np.bool_(True),
        "W_ssx": np.bool_(True),
        "all_W_ssx": np.bool_(False),
    }
