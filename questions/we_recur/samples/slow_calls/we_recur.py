"""Sample: correct, but (b) and (d) spend about 0.13 s per call in a busy loop (as if
each recomputed a large table). Their checks send 25 calls in one exchange (3.3 s in
all); each call stays well inside the rubric's 0.5 s of CPU time per call, so it
scores 12.
"""

import time

import numpy as np

CALL_SECONDS = 0.13


def _busy():
    """Slow: spin for CALL_SECONDS of wall time."""
    until = time.perf_counter() + CALL_SECONDS
    while time.perf_counter() < until:
        pass


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    _busy()
    return W_sx.T @ W_o.T @ dloss_dz2


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    _busy()
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
