"""Sample: (a) and (c) write every shape as a string "RxC" ("2x2", "2x4"). Full
credit, with a note giving the expected form.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    # Unusual: "RxC" strings.
    return {"W_ss": f"{s_dim}x{s_dim}", "W_sx": f"{s_dim}x{x_dim}", "W_o": f"{p_dim}x{s_dim}"}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ W_o.T @ dloss_dz2


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    # Unusual: "RxC" strings.
    return {"W_ssx": f"{s_dim}x{s_dim + x_dim}", "W_ox": f"{p_dim}x{s_dim + x_dim}"}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
