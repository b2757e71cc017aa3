"""How the networks size and store their weight matrices."""

from __future__ import annotations

import numpy as np


def frozen_matrix(value: object, name: str) -> np.ndarray:
    """Return ``value`` as a new read-only float64 matrix.

    The copy keeps a network independent of the caller's array, and read-only storage
    makes the frozen dataclasses that hold it actually immutable, so a network used to
    compute the answer key cannot be changed behind its back.

    Raises:
        ValueError: naming ``name`` if ``value`` is not a non-empty 2-D array.
    """
    matrix = np.array(value, dtype=np.float64)
    if matrix.ndim != 2 or 0 in matrix.shape:
        raise ValueError(f"{name} must be a non-empty 2-D matrix; got shape {matrix.shape}")
    matrix.flags.writeable = False
    return matrix


def checked_sizes(s_dim: int, x_dim: int, p_dim: int) -> tuple[int, int, int]:
    """Return the three sizes as plain Python ints.

    Raises:
        ValueError: unless each is a positive integer (numpy integers are accepted).
    """
    sizes = {"s_dim": s_dim, "x_dim": x_dim, "p_dim": p_dim}
    for name, size in sizes.items():
        if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
            raise ValueError(f"{name} must be a positive integer; got {size!r}")
    return int(s_dim), int(x_dim), int(p_dim)
