"""Template question: your answer. Fill in the function and upload this file as ``logistic.py``."""

import numpy as np


def logistic(z):
    """The logistic function of each entry of ``z``, an ``(n, 1)`` array; same shape."""
    raise NotImplementedError("write logistic(z)")
