"""The networks of Fall 2018 Q7, with zero offsets and s_0 = 0 unless given.

Standard RNN, with x_t ``(l, 1)``, s_t ``(m, 1)``, y_t ``(v, 1)``::

    s_t = f1(W_sx x_t + W_ss s_{t-1})        W_sx (m, l), W_ss (m, m)
    y_t = f2(W_o s_t)                        W_o (v, m)

A sequence of T inputs is an array ``(T, l)`` whose row t is x_t (transposed); its
outputs ``(T, v)`` and states ``(T, m)`` are stacked the same way.

Pat's model gives each input entry x^(i) its own group of k state entries, which only
that entry and that group's own past reach (block-diagonal W_ss, one nonzero block per
column group of W_sx)::

    s_t^(i) = f1(W_i_sx x_t^(i) + W_i_ss s_{t-1}^(i))    W_i_sx (k, 1), W_i_ss (k, k)
    y_t     = f2(W_o s_t)                               s_t = [s^(1); ...; s^(l)], W_o (v, k l)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def identity(z: np.ndarray) -> np.ndarray:
    return z


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


def run(
    W_sx: np.ndarray,
    W_ss: np.ndarray,
    W_o: np.ndarray,
    xs: np.ndarray,
    s0: np.ndarray | None = None,
    f1: Callable[[np.ndarray], np.ndarray] = identity,
    f2: Callable[[np.ndarray], np.ndarray] = identity,
) -> tuple[np.ndarray, np.ndarray]:
    """The standard RNN's forward pass: ``(states (T, m), outputs (T, v))``, float64.

    Args:
        W_sx: ``(m, l)``. W_ss: ``(m, m)``. W_o: ``(v, m)``.
        xs: ``(T, l)``, row t the input x_t.
        s0: ``(m, 1)``; zeros when None.
        f1, f2: elementwise activations of a column.
    """
    W_sx, W_ss, W_o, xs = (np.asarray(a, dtype=np.float64) for a in (W_sx, W_ss, W_o, xs))
    m, l = W_sx.shape
    if W_ss.shape != (m, m) or W_o.ndim != 2 or W_o.shape[1] != m or xs.ndim != 2 or xs.shape[1] != l:
        raise ValueError(
            f"shapes do not fit: W_sx {W_sx.shape}, W_ss {W_ss.shape}, W_o {W_o.shape}, xs {xs.shape}"
        )
    state = np.zeros((m, 1)) if s0 is None else np.asarray(s0, dtype=np.float64).reshape(m, 1)
    states, outputs = [], []
    for x_t in xs:
        state = f1(W_sx @ x_t.reshape(l, 1) + W_ss @ state)
        states.append(state[:, 0])
        outputs.append(f2(W_o @ state)[:, 0])
    return np.array(states).reshape(len(xs), m), np.array(outputs).reshape(len(xs), W_o.shape[0])


def unrolled_matrix(W_sx: np.ndarray, W_ss: np.ndarray, W_o: np.ndarray, n: int) -> np.ndarray:
    """Jody's W ``(n, n)`` for 1-dimensional inputs and outputs (l = v = 1), s_0 = 0 and
    f1 = f2 = identity: entry (i, j) is ``W_o W_ss^(i-j) W_sx`` for i >= j and 0 above
    the diagonal (y_i depends on x_j only through i - j steps of the recurrence).

    Args:
        W_sx: ``(m, 1)``. W_ss: ``(m, m)``. W_o: ``(1, m)``. n: the sequence length.
    """
    W_sx, W_ss, W_o = (np.asarray(a, dtype=np.float64) for a in (W_sx, W_ss, W_o))
    lag_terms = []  # W_o W_ss^lag W_sx for lag = 0 .. n-1
    carried = W_sx
    for _ in range(n):
        lag_terms.append(float((W_o @ carried)[0, 0]))
        carried = W_ss @ carried
    W = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1):
            W[i, j] = lag_terms[i - j]
    return W


def block_separated(blocks_sx: Sequence[np.ndarray], blocks_ss: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Pat's model as a standard RNN's ``(W_sx (k l, l), W_ss (k l, k l))``: group i's
    ``W_i_sx (k, 1)`` in column i, ``W_i_ss (k, k)`` on the diagonal, zeros elsewhere."""
    l = len(blocks_sx)
    k = np.asarray(blocks_sx[0]).shape[0]
    W_sx, W_ss = np.zeros((k * l, l)), np.zeros((k * l, k * l))
    for i, (b_sx, b_ss) in enumerate(zip(blocks_sx, blocks_ss)):
        rows = slice(i * k, (i + 1) * k)
        W_sx[rows, i] = np.asarray(b_sx, dtype=np.float64).reshape(k)
        W_ss[rows, rows] = b_ss
    return W_sx, W_ss


def and_witness() -> tuple[np.ndarray, np.ndarray, np.ndarray, Callable[[np.ndarray], np.ndarray]]:
    """A standard RNN ``(W_sx (2, 2), W_ss (2, 2), W_o (1, 2), f1 = relu)`` with f2 =
    identity whose output y_t is 1 when x_t^(1) and x_t^(2) are both 1 and 0 otherwise,
    for inputs in {0, 1}: s_t = relu([x^(1) - x^(2); x^(1)]) and y_t = s^(2) - s^(1) =
    min(x^(1), x^(2)). Its first state entry mixes both input entries, which no state
    group of Pat's model can."""
    W_sx = np.array([[1.0, -1.0], [1.0, 0.0]])
    return W_sx, np.zeros((2, 2)), np.array([[-1.0, 1.0]]), relu


def interaction(W_sx: np.ndarray, W_ss: np.ndarray, W_o: np.ndarray, f1: Callable[[np.ndarray], np.ndarray]) -> float:
    """``y(1, 1) - y(1, 0) - y(0, 1) + y(0, 0)`` at the first step of a network with
    2-dimensional inputs and f2 = identity: 0 for any sum of one function per entry."""
    def y(a, b):
        return float(run(W_sx, W_ss, W_o, np.array([[a, b]], dtype=np.float64), f1=f1)[1][0, 0])

    return y(1, 1) - y(1, 0) - y(0, 1) + y(0, 0)
