"""The sign in the exponent flipped: 1 / (1 + exp(z)) is the logistic function of -z."""

import numpy as np


def logistic(z):
    return 1.0 / (1.0 + np.exp(z))  # WRONG: exp(-z)
