"""How both networks take and return sequences.

A sequence is a list of float64 column vectors, one per time step t = 1..n, so that
``xs[t - 1]`` is the exam's ``x_t``. Callers may also pass an array of shape
``(n, dim, 1)``; it is split along axis 0. ``ForwardTrace`` records every intermediate
of a forward pass in the same list form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np

# A sequence of column vectors, or one array stacking them along axis 0.
ColumnSequence = Union[Sequence[np.ndarray], np.ndarray]


def column_vector(value: object, rows: int, name: str) -> np.ndarray:
    """Return ``value`` as a new float64 array of shape ``(rows, 1)``.

    Raises:
        ValueError: naming ``name`` if ``value`` is not exactly ``(rows, 1)``. The check
            is strict on purpose: a reference silently reshaping ``(rows,)`` would hide
            a caller's mix-up of row and column vectors.
    """
    array = np.array(value, dtype=np.float64)
    if array.shape != (rows, 1):
        raise ValueError(f"{name} must have shape ({rows}, 1); got {array.shape}")
    return array


def column_sequence(values: ColumnSequence, rows: int, name: str) -> list[np.ndarray]:
    """Return a sequence of column vectors as a list of new ``(rows, 1)`` float64 arrays.

    Args:
        values: a sequence of n arrays of shape ``(rows, 1)``, or one array of shape
            ``(n, rows, 1)``.
        rows: the length every vector must have.
        name: what to call the sequence in error messages, e.g. ``"xs"``.

    Returns:
        A list of n arrays, each ``(rows, 1)``.
    """
    return [column_vector(value, rows, f"{name}[{index}]") for index, value in enumerate(values)]


@dataclass(frozen=True, eq=False)
class ForwardTrace:
    """Everything a forward pass computed, for t = 1..n.

    Attributes:
        s0: the initial state ``s_0``, shape ``(s_dim, 1)``.
        z1: list of n pre-activations ``z1_t``, each ``(s_dim, 1)``.
        s: list of n states ``s_t``, each ``(s_dim, 1)``; ``s[t - 1]`` is ``s_t``.
        z2: list of n output pre-activations ``z2_t``, each ``(p_dim, 1)``.
        p: list of n outputs ``p_t = f2(z2_t)``, each ``(p_dim, 1)``.
    """

    s0: np.ndarray
    z1: list[np.ndarray]
    s: list[np.ndarray]
    z2: list[np.ndarray]
    p: list[np.ndarray]

    def s_prev(self, t: int) -> np.ndarray:
        """The state ``s_{t-1}`` fed into step ``t`` (1-based), shape ``(s_dim, 1)``."""
        if not 1 <= t <= len(self.s):
            raise ValueError(f"t must be between 1 and {len(self.s)}; got {t}")
        return self.s0 if t == 1 else self.s[t - 2]
