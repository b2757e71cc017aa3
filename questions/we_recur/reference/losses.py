"""Per-step losses and their gradients with respect to the output pre-activation z2_t.

``"squared"``: ``Loss = sum((p - y)^2)``, without a factor 1/2 (the 6.036 notes' choice),
so ``dLoss/dp = 2 (p - y)``.

``"nll"``: negative log-likelihood of the target under a softmax output (cross-entropy),
``Loss = -sum(y * log p)`` with ``p = softmax(z2)``. Its gradient at z2 is
``p * sum(y) - y``, which is the familiar ``p - y`` whenever ``y`` sums to 1 (a one-hot
word or a distribution); the general form keeps finite-difference checks exact for any y.

Shapes: ``p``, ``y`` and ``z2`` are ``(p_dim, 1)`` columns.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import activate, activation_vjp, check_activation_name
from .sequences import ColumnSequence, column_sequence

LOSSES = ("squared", "nll")


def _check_loss_name(name: str) -> None:
    if name not in LOSSES:
        raise ValueError(f"unknown loss {name!r}; expected one of {', '.join(LOSSES)}")


def _same_shape(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(p, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if p.shape != y.shape:
        raise ValueError(f"prediction and target must have the same shape; got {p.shape} and {y.shape}")
    return p, y


def loss_value(name: str, p: np.ndarray, y: np.ndarray) -> float:
    """The loss of one time step.

    Args:
        name: ``"squared"`` or ``"nll"``.
        p: the network's output ``p_t``, shape ``(p_dim, 1)``; for ``"nll"`` a probability
            vector (softmax output).
        y: the target ``y_t``, shape ``(p_dim, 1)``.

    Returns:
        The scalar loss as a Python float.
    """
    _check_loss_name(name)
    p, y = _same_shape(p, y)
    if name == "squared":
        return float(np.sum((p - y) ** 2))
    # Entries with y == 0 contribute nothing, even where p underflowed to 0 (0 * log 0 would
    # be nan); log is taken of 1 there instead.
    with np.errstate(divide="ignore"):
        log_p = np.log(np.where(y != 0.0, p, 1.0))
    return float(-np.sum(y * log_p))


def dloss_dz2(name: str, z2: np.ndarray, y: np.ndarray, f2: str) -> np.ndarray:
    """Gradient of one step's loss with respect to ``z2_t``, where ``p_t = f2(z2_t)``.

    Args:
        name: ``"squared"`` or ``"nll"``.
        z2: the output pre-activation ``z2_t``, shape ``(p_dim, 1)``.
        y: the target ``y_t``, shape ``(p_dim, 1)``.
        f2: the output activation; ``"nll"`` requires ``"softmax"``.

    Returns:
        ``dLoss_t/dz2_t``, shape ``(p_dim, 1)``.

    Raises:
        ValueError: for an unknown loss or activation, mismatched shapes, or ``"nll"``
            with an ``f2`` other than softmax.
    """
    _check_loss_name(name)
    check_activation_name(f2)
    z2, y = _same_shape(z2, y)
    p = activate(f2, z2)
    if name == "squared":
        return activation_vjp(f2, z2, 2.0 * (p - y))
    if f2 != "softmax":
        raise ValueError(f"the 'nll' loss is defined on a softmax output; f2 is {f2!r}")
    return p * np.sum(y, axis=0, keepdims=True) - y


def sequence_loss(name: str, ps: Sequence[np.ndarray], ys: Sequence[np.ndarray]) -> float:
    """The overall loss ``J = sum_t Loss(p_t, y_t)``.

    Args:
        name: ``"squared"`` or ``"nll"``.
        ps: n outputs, each ``(p_dim, 1)``.
        ys: n targets, each ``(p_dim, 1)``.

    Returns:
        ``J`` as a Python float.
    """
    if len(ps) != len(ys):
        raise ValueError(f"need one target per output; got {len(ps)} outputs and {len(ys)} targets")
    return float(sum(loss_value(name, p, y) for p, y in zip(ps, ys)))


def per_step_dloss_dz2(
    z2s: Sequence[np.ndarray],
    f2: str,
    p_dim: int,
    *,
    given: ColumnSequence | None = None,
    ys: ColumnSequence | None = None,
    loss: str | None = None,
) -> list[np.ndarray]:
    """The per-step gradients ``g_t = dLoss_t/dz2_t`` that back-propagation starts from.

    Either the gradients are ``given`` (as the exam's part (b) supplies them), or
    ``ys`` and ``loss`` are given and the gradients are computed from them.

    Args:
        z2s: the forward pass's n pre-activations ``z2_t``, each ``(p_dim, 1)``.
        f2: the output activation.
        p_dim: the output size.
        given: n gradients ``dLoss_t/dz2_t``, each ``(p_dim, 1)``.
        ys: n targets, each ``(p_dim, 1)``.
        loss: a name from ``LOSSES``.

    Returns:
        A list of n arrays, each ``(p_dim, 1)``.

    Raises:
        ValueError: if both or neither way is chosen, or a length or shape is wrong.
    """
    n = len(z2s)
    if given is not None:
        if ys is not None or loss is not None:
            raise ValueError("give either dloss_dz2, or ys and loss, not both")
        gradients = column_sequence(given, p_dim, "dloss_dz2")
        if len(gradients) != n:
            raise ValueError(f"need one dloss_dz2 per time step ({n}); got {len(gradients)}")
        return gradients
    if ys is None or loss is None:
        raise ValueError("give either dloss_dz2, or both ys and loss")
    targets = column_sequence(ys, p_dim, "ys")
    if len(targets) != n:
        raise ValueError(f"need one target per time step ({n}); got {len(targets)}")
    return [dloss_dz2(loss, z2, y, f2) for z2, y in zip(z2s, targets)]
