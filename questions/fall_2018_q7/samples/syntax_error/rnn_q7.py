"""Sample: a syntax error (missing colon) on line 6."""

import numpy as np


def forward(W_sx, W_ss, W_o, xs)
    return xs
