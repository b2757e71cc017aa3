"""Sample: (a) returns the outputs in reverse time order."""

import numpy as np


def forward(W_sx, W_ss, W_o, xs):
    """(a) The outputs ``(T, v)`` of the RNN with f1 = f2 = identity; xs is ``(T, l)``."""
    state = np.zeros((W_ss.shape[0], 1))
    outputs = []
    for x_t in xs:
        state = W_sx @ x_t.reshape(-1, 1) + W_ss @ state  # s_t, a column (m, 1)
        outputs.append((W_o @ state).ravel())  # y_t as a row
    return np.array(outputs[::-1]).reshape(len(xs), W_o.shape[0])  # WRONG: reversed


def jody_is_right():
    """(b.i) Without f1 and f2, is the map from X to Y a matrix W?"""
    return True  # every step is linear in x_t and s_{t-1}, and s_0 = 0


def jody_matrix(W_sx, W_ss, W_o, n):
    """(b.ii) Jody's W ``(n, n)`` for 1-dimensional inputs and outputs: y_i = sum_j W[i, j] x_j."""
    W = np.zeros((n, n))
    carried = W_sx  # W_ss^lag W_sx: an input's contribution to the state `lag` steps later
    for lag in range(n):
        coefficient = (W_o @ carried).item()
        for j in range(n - lag):
            W[j + lag, j] = coefficient
        carried = W_ss @ carried
    return W


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
