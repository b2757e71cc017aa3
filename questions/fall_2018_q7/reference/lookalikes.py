"""Wrong answers students commonly give, as functions of the same inputs as the right
ones, so that a check can say which idea a student missed. Each is the reference with
one idea changed; none is an answer. Keys are the stable mistake keys of the batch's
item analytics.
"""

from __future__ import annotations

import numpy as np

from .networks import run, unrolled_matrix


def forward_lookalikes(W_sx: np.ndarray, W_ss: np.ndarray, W_o: np.ndarray, xs: np.ndarray) -> dict[str, np.ndarray]:
    """Part (a)'s lookalikes, each ``(T, v)``."""
    W_sx, W_ss, W_o, xs = (np.asarray(a, dtype=np.float64) for a in (W_sx, W_ss, W_o, xs))
    _, carried_transposed = run(W_sx, W_ss.T, W_o, xs)
    states, _ = run(W_sx, W_ss, W_o, xs)
    before_update = np.vstack([np.zeros((1, W_sx.shape[0])), states[:-1]]) @ W_o.T  # y_t = W_o s_{t-1}
    _, outputs = run(W_sx, W_ss, W_o, xs)
    return {
        "a.no_recurrence": xs @ W_sx.T @ W_o.T,  # s_t = W_sx x_t: the previous state never enters
        "a.output_before_update": before_update,
        "a.transposed_recurrence": carried_transposed,
        "a.reversed_time": outputs[::-1],
    }


def jody_matrix_lookalikes(W_sx: np.ndarray, W_ss: np.ndarray, W_o: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Part (b.ii)'s lookalikes, each ``(n, n)``."""
    W_sx, W_ss, W_o = (np.asarray(a, dtype=np.float64) for a in (W_sx, W_ss, W_o))
    W = unrolled_matrix(W_sx, W_ss, W_o, n)
    once = float((W_o @ W_ss @ W_sx)[0, 0])
    no_power = np.tril(np.full((n, n), once), -1) + np.diag(np.diag(W))  # every lag below the diagonal as lag 1
    shifted = np.zeros((n, n))  # W_ss^(i-j+1): one step of the recurrence too many
    shifted[np.tril_indices(n)] = unrolled_matrix(W_ss @ W_sx, W_ss, W_o, n)[np.tril_indices(n)]
    return {
        "b2.upper_triangular": W.T,
        "b2.missing_power": no_power,
        "b2.power_off_by_one": shifted,
        "b2.transposed_recurrence": unrolled_matrix(W_sx, W_ss.T, W_o, n),
        "b2.symmetric": W + W.T - np.diag(np.diag(W)),
    }
