"""Sample: (d) is a sigmoid written through tanh, (1 + tanh(z / 2)) / 2 (a stable
form): element by element, so its outputs need not sum to 1. Loses (d), with a
message that names the sigmoid.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ W_o.T @ dloss_dz2


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    # WRONG: the sigmoid, in its overflow-free tanh form.
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
