"""Sample: (c) writes W_ox in words, "two by four": not a form the grader reads, so
that matrix's half of (c) is lost; W_ssx is right.
"""

import numpy as np

NUMBERS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ W_o.T @ dloss_dz2


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    # WRONG (W_ox): words, not numbers.
    words = f"{NUMBERS.get(p_dim, p_dim)} by {NUMBERS.get(s_dim + x_dim, s_dim + x_dim)}"
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": words}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
