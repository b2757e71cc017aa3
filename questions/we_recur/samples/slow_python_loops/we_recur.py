"""Sample: correct, and slow the way honest pure-Python code is slow. (b) multiplies the
matrices with explicit Python loops and then runs a convergence loop of 10**6
iterations per call; (d) runs the same loop before it normalises. One call
takes about 0.1 s of CPU time here, within the rubric's 0.5 s per call, so it
scores 12 (issue 12: honest slow answers keep full marks).
"""

import numpy as np

ITERATIONS = 10**6


def _matmul(a, b):
    """a @ b with Python loops, as a student who has not met numpy's @ writes it."""
    rows, inner, cols = len(a), len(b), len(b[0])
    return [[sum(a[i][k] * b[k][j] for k in range(inner)) for j in range(cols)] for i in range(rows)]


def _transpose(a):
    return [list(column) for column in zip(*a)]


def _settle(value):
    """A fixed-point loop of ITERATIONS steps that leaves ``value`` as it is (x -> x)."""
    x = value
    for _ in range(ITERATIONS):
        x = 0.5 * (x + value)
    return x


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    back = _matmul(_transpose(W_sx.tolist()), _matmul(_transpose(W_o.tolist()), dloss_dz2.tolist()))
    scale = _settle(1.0)
    return np.array([[entry * scale for entry in row] for row in back])


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True) * _settle(1.0)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
