"""MIT 6.036 Fall 2018 final, question 7 (RNNs): your answers.

Write each function below; keep the names and parameters. See README.md for what each
one is given and must return. You may use numpy and the Python standard library.
"""

import numpy as np


def forward(W_sx, W_ss, W_o, xs):
    """(a) The output sequence of the RNN with f1 = f2 = identity and s_0 = 0.

    W_sx (m, l), W_ss (m, m), W_o (v, m); xs (T, l), row t is x_t.
    Returns an array (T, v), row t is y_t.
    """
    raise NotImplementedError


def jody_is_right():
    """(b.i) Is Jody right? Return True or False."""
    raise NotImplementedError


def jody_matrix(W_sx, W_ss, W_o, n):
    """(b.ii) Jody's W for a length-n sequence of 1-dimensional inputs and outputs.

    W_sx (m, 1), W_ss (m, m), W_o (1, m), n an int. Returns an array (n, n).
    """
    raise NotImplementedError


def pat_same_as_rnn():
    """(c.i) Can Pat's model represent the same set of state machines as a regular RNN?
    Return True or False."""
    raise NotImplementedError


def pat_counterexample():
    """(c.ii) If not: describe, as text, a concrete input/output relationship a regular
    RNN can represent but Pat's model cannot, for any k. Graded by hand."""
    return ""
