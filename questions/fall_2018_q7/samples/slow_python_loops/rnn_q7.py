"""Sample: every part correct, and slow the way honest pure-Python code is slow. (a) and
(b.ii) compute with lists and explicit Python loops, then run a fixed-point loop of
10**6 iterations per call: about 0.1 s of CPU per call here, within the rubric's 0.5 s
per call, so it scores every autograded point (issue 12: honest slow answers keep full
marks, for every question).
"""

import numpy as np

ITERATIONS = 10**6


def _matvec(a, x):
    """a @ x for a list of rows and a list, with Python loops."""
    return [sum(a_ik * x_k for a_ik, x_k in zip(row, x)) for row in a]


def _settle(value):
    """A fixed-point loop of ITERATIONS steps that leaves ``value`` as it is (x -> x)."""
    x = value
    for _ in range(ITERATIONS):
        x = 0.5 * (x + value)
    return x


def forward(W_sx, W_ss, W_o, xs):
    """(a) The outputs ``(T, v)`` of the RNN with f1 = f2 = identity; xs is ``(T, l)``."""
    W_sx, W_ss, W_o = W_sx.tolist(), W_ss.tolist(), W_o.tolist()
    state = [0.0] * len(W_ss)
    outputs = []
    for x_t in xs.tolist():
        state = [a + b for a, b in zip(_matvec(W_sx, x_t), _matvec(W_ss, state))]
        outputs.append(_matvec(W_o, state))
    scale = _settle(1.0)
    return np.array([[y * scale for y in row] for row in outputs]).reshape(len(outputs), len(W_o))


def jody_is_right():
    """(b.i) Without f1 and f2, is the map from X to Y a matrix W?"""
    return True


def jody_matrix(W_sx, W_ss, W_o, n):
    """(b.ii) Jody's W ``(n, n)`` for 1-dimensional inputs and outputs."""
    W_ss, W_o = W_ss.tolist(), W_o.tolist()
    carried = [row[0] for row in W_sx.tolist()]
    W = [[0.0] * n for _ in range(n)]
    for lag in range(n):
        coefficient = _matvec(W_o, carried)[0]
        for j in range(n - lag):
            W[j + lag][j] = coefficient
        carried = _matvec(W_ss, carried)
    scale = _settle(1.0)
    return np.array([[w * scale for w in row] for row in W])


def pat_same_as_rnn():
    """(c.i) Can Pat's model represent the same state machines as the standard RNN?"""
    return False


def pat_counterexample():
    """(c.ii) A relationship a standard RNN can represent and Pat's model cannot, for any k."""
    return (
        "Output 1 if and only if x^(1) and x^(2) were both non-zero at the same step. Pat's state group i is "
        "computed from x^(i) and its own past only, so no state entry can record a joint condition on two "
        "input entries; a standard RNN's W_sx mixes them in one state entry (e.g. with ReLU f1)."
    )
