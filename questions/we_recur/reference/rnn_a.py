"""RNN-A, the course's standard recurrent network, with biases zero.

    z1_t = W_ss s_{t-1} + W_sx x_t
    s_t  = f1(z1_t)
    z2_t = W_o s_t
    p_t  = f2(z2_t)

Shapes: ``s_t`` is ``(s_dim, 1)``, ``x_t`` is ``(x_dim, 1)``, ``p_t`` is ``(p_dim, 1)``;
``W_ss`` is ``(s_dim, s_dim)``, ``W_sx`` is ``(s_dim, x_dim)``, ``W_o`` is
``(p_dim, s_dim)``. The exam's RNN-A has all sizes 2 and ``f1 = f2 = identity``.

The overall loss is ``J = sum_t Loss_t``. Two derivatives with respect to an input are
offered, and they differ:

* ``RNNA.dloss_t_dx_t``: the exam's part (b), ``dLoss_t/dx_t`` of the loss at step t
  alone, ``W_sx^T (f1'(z1_t) * (W_o^T g_t))`` with ``g_t = dLoss_t/dz2_t``.
* ``RNNA.dJ_dx`` (the same as ``RNNA.bptt(...).xs``): the full ``dJ/dx_t``, which also
  collects every later loss through the recurrence; in the linear case
  ``W_sx^T sum_{u>=t} (W_ss^T)^(u-t) W_o^T g_u``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import activate, activation_vjp, check_activation_name
from .recurrent import RecurrentNetwork
from .sequences import ForwardTrace, column_vector
from .weights import checked_sizes, frozen_matrix


@dataclass(frozen=True, eq=False)
class Gradients:
    """Derivatives of ``J = sum_t Loss_t`` for RNN-A.

    Attributes:
        W_ss: ``dJ/dW_ss``, shape ``(s_dim, s_dim)``.
        W_sx: ``dJ/dW_sx``, shape ``(s_dim, x_dim)``.
        W_o: ``dJ/dW_o``, shape ``(p_dim, s_dim)``.
        xs: list of n arrays ``dJ/dx_t``, each ``(x_dim, 1)``, including the paths
            through later steps.
        s0: ``dJ/ds_0``, shape ``(s_dim, 1)``.
    """

    W_ss: np.ndarray
    W_sx: np.ndarray
    W_o: np.ndarray
    xs: list[np.ndarray]
    s0: np.ndarray


@dataclass(frozen=True, eq=False)
class RNNA(RecurrentNetwork[Gradients]):
    """RNN-A with weights ``W_ss (s, s)``, ``W_sx (s, x)``, ``W_o (p, s)``.

    The weights are stored as read-only float64 copies. ``f1`` and ``f2`` name
    activations from ``reference.activations.ACTIVATIONS``. ``forward``, ``bptt``,
    ``dJ_dx`` and ``total_loss`` come from ``RecurrentNetwork``.

    Raises:
        ValueError: if the shapes do not fit together (the message gives all three) or an
            activation name is unknown.
    """

    W_ss: np.ndarray
    W_sx: np.ndarray
    W_o: np.ndarray
    f1: str = "identity"
    f2: str = "identity"

    def __post_init__(self) -> None:
        for name in ("W_ss", "W_sx", "W_o"):
            object.__setattr__(self, name, frozen_matrix(getattr(self, name), name))
        check_activation_name(self.f1)
        check_activation_name(self.f2)
        s_dim = self.W_ss.shape[0]
        if self.W_ss.shape != (s_dim, s_dim) or self.W_sx.shape[0] != s_dim or self.W_o.shape[1] != s_dim:
            raise ValueError(
                "RNN-A needs W_ss (s, s), W_sx (s, x), W_o (p, s); got "
                f"W_ss {self.W_ss.shape}, W_sx {self.W_sx.shape}, W_o {self.W_o.shape}"
            )

    @property
    def s_dim(self) -> int:
        """Size of the state ``s_t``."""
        return self.W_ss.shape[0]

    @property
    def x_dim(self) -> int:
        """Size of the input ``x_t``."""
        return self.W_sx.shape[1]

    @property
    def p_dim(self) -> int:
        """Size of the output ``p_t``."""
        return self.W_o.shape[0]

    @staticmethod
    def weight_shapes(s_dim: int, x_dim: int, p_dim: int) -> dict[str, tuple[int, int]]:
        """The shapes of RNN-A's weights for the given sizes (part (a)).

        Returns:
            ``{"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}``,
            tuples of plain Python ints.

        Raises:
            ValueError: unless every size is a positive integer.
        """
        s_dim, x_dim, p_dim = checked_sizes(s_dim, x_dim, p_dim)
        return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}

    def _step(self, s_prev: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        z1 = self.W_ss @ s_prev + self.W_sx @ x
        state = activate(self.f1, z1)
        z2 = self.W_o @ state
        return z1, state, z2, activate(self.f2, z2)

    def _backward(self, inputs: list[np.ndarray], trace: ForwardTrace, gs: list[np.ndarray]) -> Gradients:
        dW_ss = np.zeros_like(self.W_ss)
        dW_sx = np.zeros_like(self.W_sx)
        dW_o = np.zeros_like(self.W_o)
        dxs: list[np.ndarray] = [np.zeros((self.x_dim, 1))] * len(inputs)
        # dJ/ds_t through s_{t+1} and later; nothing comes from beyond the last step.
        dJ_ds_from_later = np.zeros((self.s_dim, 1))
        for index in reversed(range(len(inputs))):
            dW_o += gs[index] @ trace.s[index].T
            dJ_ds = self.W_o.T @ gs[index] + dJ_ds_from_later
            dJ_dz1 = activation_vjp(self.f1, trace.z1[index], dJ_ds)
            dW_ss += dJ_dz1 @ trace.s_prev(index + 1).T
            dW_sx += dJ_dz1 @ inputs[index].T
            dxs[index] = self.W_sx.T @ dJ_dz1
            dJ_ds_from_later = self.W_ss.T @ dJ_dz1
        return Gradients(W_ss=dW_ss, W_sx=dW_sx, W_o=dW_o, xs=dxs, s0=dJ_ds_from_later)

    def dloss_t_dx_t(self, z1_t: np.ndarray | None, dloss_dz2_t: np.ndarray) -> np.ndarray:
        """Part (b): ``dLoss_t/dx_t`` of the loss at step t alone, ``g_t`` given.

        Only the direct path ``x_t -> s_t -> z2_t`` counts:
        ``W_sx^T (f1'(z1_t) * (W_o^T g_t))``, which for ``f1 = identity`` is
        ``W_sx^T W_o^T g_t``, independent of ``W_ss``, ``x_t`` and ``z1_t``.

        Args:
            z1_t: the pre-activation at step t, ``(s_dim, 1)``; may be None when ``f1``
                is the identity, whose derivative does not depend on it.
            dloss_dz2_t: ``g_t = dLoss_t/dz2_t``, ``(p_dim, 1)``.

        Returns:
            ``dLoss_t/dx_t``, shape ``(x_dim, 1)``.
        """
        g_t = column_vector(dloss_dz2_t, self.p_dim, "dloss_dz2_t")
        dloss_ds = self.W_o.T @ g_t
        if z1_t is None:
            if self.f1 != "identity":
                raise ValueError(f"z1_t is needed to differentiate f1 = {self.f1!r}")
            dloss_dz1 = dloss_ds
        else:
            dloss_dz1 = activation_vjp(self.f1, column_vector(z1_t, self.s_dim, "z1_t"), dloss_ds)
        return self.W_sx.T @ dloss_dz1
