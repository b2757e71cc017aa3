"""The reference answers of the template question, as plain data: functions of numpy
arrays and numbers that return plain values. The grader hands this module to each check
as ``answers``; the student kit, a replay of the answers recorded from it. Each function
is pure (its result depends on its arguments only): the grader remembers its answers
across submissions."""

import numpy as np


def logistic(z):
    """The logistic function ``1 / (1 + exp(-z))`` of each entry of ``z`` (any shape),
    float64, computed without overflow for large ``|z|``."""
    z = np.asarray(z, dtype=np.float64)
    return np.exp(-np.logaddexp(0.0, -z))
