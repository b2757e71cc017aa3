"""Sample: leftover script code calls sys.exit(0) at the top level, so the import never
finishes. Every part scores 0, even though every function is correct.
"""

import sys

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
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}


# Leftover from testing by hand: runs on import, and exits before the grader can call anything.
print(rnn_a_shapes())
sys.exit(0)
