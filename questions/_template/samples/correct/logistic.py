"""A correct answer to the template question."""

import numpy as np


def logistic(z):
    z = np.asarray(z, dtype=np.float64)
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    out[~positive] = np.exp(z[~positive]) / (1.0 + np.exp(z[~positive]))  # no overflow for z << 0
    return out
