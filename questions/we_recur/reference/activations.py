"""The activation functions f1 and f2 of the exam's networks, and their backward pass.

Every function takes and returns float64 column vectors of shape ``(n, 1)``: the course
notes write ``W x`` with ``x`` a column. Element-wise activations also accept any other
shape; ``softmax`` normalises along axis 0, so it works on ``(n, 1)`` and on ``(n,)``.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("identity", "tanh", "sigmoid", "relu", "softmax")


def check_activation_name(name: str) -> None:
    """Raise ValueError naming ``name`` unless it is one of ``ACTIVATIONS``."""
    if name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}"
        )


def softmax(z: np.ndarray) -> np.ndarray:
    """Numerically stable softmax along axis 0.

    Args:
        z: scores, shape ``(n, 1)`` or ``(n,)``.

    Returns:
        Probabilities of the same shape as ``z``, each column summing to 1. Subtracting
        the column maximum first keeps ``exp`` from overflowing, so ``z = [[1000], [999]]``
        gives finite values and no warning.
    """
    z = np.asarray(z, dtype=np.float64)
    exps = np.exp(z - np.max(z, axis=0, keepdims=True))
    return exps / np.sum(exps, axis=0, keepdims=True)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # The tanh form never evaluates exp of a large positive number, so it cannot
    # overflow for very negative z, unlike 1 / (1 + exp(-z)).
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """Apply the activation ``name`` to ``z``.

    Args:
        name: one of ``ACTIVATIONS``.
        z: pre-activation, shape ``(n, 1)``.

    Returns:
        ``f(z)``, float64, same shape as ``z``.

    Raises:
        ValueError: if ``name`` is not a known activation.
    """
    check_activation_name(name)
    z = np.asarray(z, dtype=np.float64)
    if name == "identity":
        return z.copy()
    if name == "tanh":
        return np.tanh(z)
    if name == "sigmoid":
        return _sigmoid(z)
    if name == "relu":
        return np.maximum(z, 0.0)
    return softmax(z)


def activation_vjp(name: str, z: np.ndarray, upstream: np.ndarray) -> np.ndarray:
    """Back-propagate through ``a = f(z)``: turn ``dLoss/da`` into ``dLoss/dz``.

    For an element-wise ``f`` this is ``f'(z) * upstream``. For softmax, whose Jacobian
    ``J = diag(p) - p p^T`` is not diagonal, it is the full product ``J^T upstream =
    p * (upstream - p . upstream)``. ReLU's derivative at exactly 0 is taken as 0.

    Args:
        name: one of ``ACTIVATIONS``.
        z: the pre-activation the forward pass used, shape ``(n, 1)``.
        upstream: ``dLoss/da``, same shape as ``z``.

    Returns:
        ``dLoss/dz``, float64, same shape as ``z``.

    Raises:
        ValueError: if ``name`` is unknown or the shapes differ.
    """
    check_activation_name(name)
    z = np.asarray(z, dtype=np.float64)
    upstream = np.asarray(upstream, dtype=np.float64)
    if z.shape != upstream.shape:
        raise ValueError(
            f"activation_vjp needs z and upstream of the same shape; "
            f"got z {z.shape} and upstream {upstream.shape}"
        )
    if name == "identity":
        return upstream.copy()
    if name == "tanh":
        return (1.0 - np.tanh(z) ** 2) * upstream
    if name == "sigmoid":
        sig = _sigmoid(z)
        return sig * (1.0 - sig) * upstream
    if name == "relu":
        return np.where(z > 0.0, upstream, 0.0)
    p = softmax(z)
    return p * (upstream - np.sum(p * upstream, axis=0, keepdims=True))
