"""Attack: exhaust memory in one function.

rnn_b_f2 tries to allocate 4 GB twice (a bytearray, then numpy ones, which touches every
page). Under the grader's memory limit that raises MemoryError; without one it eats the
machine's memory. Either way it then answers wrongly (the identity), so part (d) earns
nothing. Every other part is correct: 10 points, which the grader must still award.
"""

import numpy as np

GIGABYTES = 4


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ (W_o.T @ dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


HOARD = []


def rnn_b_f2(z):
    HOARD.append(bytearray(GIGABYTES << 30))
    HOARD.append(np.ones((GIGABYTES << 30) // 8))
    return z  # wrong: the identity


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
