"""Attack: ignore the polite signals and spin.

rnn_b_next_input ignores SIGTERM, SIGINT and SIGHUP, forks a child that also ignores
them and spins forever, and then spins itself. The grader must stop the call at its
timeout (SIGKILL cannot be ignored), kill the child too, and grade everything else:
every other part is correct, so the submission earns exactly 10 points.
"""

import ctypes
import json
import os
import signal

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        MARKER = json.load(_stream).get("marker", "AGMARK-ignore_sigterm")
except (OSError, ValueError):
    MARKER = "AGMARK-ignore_sigterm"


def deaf():
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return W_sx.T @ (W_o.T @ dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    deaf()
    try:
        child = os.fork()
    except OSError:
        child = -1
    if child == 0:
        try:
            ctypes.CDLL(None).prctl(15, ctypes.c_char_p(MARKER.encode()[:15]), 0, 0, 0)
        except (OSError, AttributeError):
            pass
        try:
            while True:
                pass
        finally:
            os._exit(0)
    while True:
        pass


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
