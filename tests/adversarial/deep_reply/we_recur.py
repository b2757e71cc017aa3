"""Attack: return values too deep (or too circular) for any recursive code to walk.

Every structure is built iteratively, so building it never recurses; anything in the
grader that encodes, compares, copies, prints or repr()s it recursively would raise
RecursionError or, in C, overflow its stack.

(a) a dict chain 200,000 levels deep, each level {"W_ss": next, "W_sx": (3, 2), ...}
(the shapes beside the chain are wrong too: (a) gives credit per matrix);
(b) a list nested 200,000 levels; (c) a dict whose values are itself; (d) raises a
ValueError whose argument is a list nested 200,000 levels (so formatting the exception
recurses); (e) a tuple nested 200,000 levels; (f) a dict whose four values are itself
and a list that holds itself. Nothing is correct: 0 points.
"""

import numpy as np  # noqa: F401  (a submission imports it)

DEPTH = 200_000


def deep_list(depth=DEPTH):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    value = {"W_ss": (s_dim, s_dim)}
    for _ in range(DEPTH):
        value = {"W_ss": value, "W_sx": (s_dim + 1, x_dim), "W_o": (p_dim, s_dim + 1)}
    return value


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return deep_list()


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    value = {}
    value["W_ssx"] = value
    value["W_ox"] = value
    return value


def rnn_b_f2(z):
    raise ValueError(deep_list())


def rnn_b_next_input(p_t):
    value = ()
    for _ in range(DEPTH):
        value = (value,)
    return value


def rnn_b_dloss_dx_depends_on():
    circle = []
    circle.append(circle)
    value = {"all_W_ssx": circle}
    for key in ("W_ox", "all_W_ox", "W_ssx"):
        value[key] = value
    return value

