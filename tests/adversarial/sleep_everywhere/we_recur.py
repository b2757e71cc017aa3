"""Attack: every function sleeps for 1000 s.

A grader without per-call timeouts hangs until the platform's overall timeout, and the
student gets no results at all. Here each function must time out once, never be called
again, and grading must end in bounded time with every part at 0.
"""

import time


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    time.sleep(1000)


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    time.sleep(1000)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    time.sleep(1000)


def rnn_b_f2(z):
    time.sleep(1000)


def rnn_b_next_input(p_t):
    time.sleep(1000)


def rnn_b_dloss_dx_depends_on():
    time.sleep(1000)
