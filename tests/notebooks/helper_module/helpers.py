"""Helper module for the helper_module notebook sample."""

import numpy as np


def softmax(z):
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)
