"""Attack: return a value far too large for the grader to accept.

The first call of rnn_a_dloss_dx in each worker process returns an array of 10^8
elements: 100 MB of uint8 ones, or, on the next worker, a float64 view of shape
(10^8, 1) that broadcasts one 8-byte number (800 MB once made contiguous). A grader that
reads without a cap runs out of memory or time. Later calls in the same worker answer
correctly, but the (b) checks see the huge value first, so part (b) fails. Every other
part is correct: 10 points.
"""

import os

import numpy as np

N = 10**8
HERE = os.path.dirname(os.path.abspath(__file__))
COUNTER = os.path.join(HERE, ".workers")
CALLS = []


def _worker_number():
    """How many workers came before this one (the scratch folder outlives them)."""
    try:
        with open(COUNTER, "a+") as stream:
            stream.seek(0)
            number = len(stream.read())
            stream.write("x")
            return number
    except OSError:
        return 0


WORKER = _worker_number()


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    CALLS.append(1)
    if len(CALLS) == 1:
        if WORKER % 2 == 0:
            return np.ones(N, dtype=np.uint8)
        return np.broadcast_to(np.float64(1.0), (N, 1))
    return W_sx.T @ (W_o.T @ dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    return p_t


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
