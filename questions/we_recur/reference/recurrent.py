"""What RNN-A and RNN-B share: the loop over time, the loss of a sequence, and the way into
back-propagation through time.

Each network supplies one step forward (``_step``) and the backward sweep over a recorded
trace (``_backward``); this base class runs them over sequences.
"""

from __future__ import annotations

from typing import Generic, TypeVar

import numpy as np

from .losses import per_step_dloss_dz2, sequence_loss
from .sequences import ColumnSequence, ForwardTrace, column_sequence, column_vector

GradientsT = TypeVar("GradientsT")


class RecurrentNetwork(Generic[GradientsT]):
    """Base of ``RNNA`` and ``RNNB``; subclasses provide ``s_dim``, ``x_dim``, ``p_dim``,
    ``f2``, ``_step`` and ``_backward``."""

    s_dim: int
    x_dim: int
    p_dim: int
    f2: str

    def _step(self, s_prev: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """One step: ``(z1_t, s_t, z2_t, p_t)`` from ``s_{t-1}`` ``(s_dim, 1)`` and ``x_t`` ``(x_dim, 1)``."""
        raise NotImplementedError

    def _backward(self, inputs: list[np.ndarray], trace: ForwardTrace, gs: list[np.ndarray]) -> GradientsT:
        """BPTT over a recorded ``trace`` given the per-step ``g_t = dLoss_t/dz2_t``."""
        raise NotImplementedError

    def _initial_state(self, s0: np.ndarray | None) -> np.ndarray:
        if s0 is None:
            return np.zeros((self.s_dim, 1))
        return column_vector(s0, self.s_dim, "s0")

    def forward(self, xs: ColumnSequence, s0: np.ndarray | None = None) -> ForwardTrace:
        """Run the network over a sequence.

        Args:
            xs: n inputs, each ``(x_dim, 1)``, or an array ``(n, x_dim, 1)``.
            s0: initial state ``(s_dim, 1)``; zeros when omitted.

        Returns:
            A ``ForwardTrace`` with lists ``z1``, ``s`` (each ``(s_dim, 1)``), ``z2`` and
            ``p`` (each ``(p_dim, 1)``) for t = 1..n.
        """
        inputs = column_sequence(xs, self.x_dim, "xs")
        initial_state = self._initial_state(s0)
        state = initial_state
        z1s, states, z2s, outputs = [], [], [], []
        for x in inputs:
            z1, state, z2, p = self._step(state, x)
            z1s.append(z1)
            states.append(state)
            z2s.append(z2)
            outputs.append(p)
        return ForwardTrace(s0=initial_state, z1=z1s, s=states, z2=z2s, p=outputs)

    def total_loss(self, xs: ColumnSequence, ys: ColumnSequence, loss: str, s0: np.ndarray | None = None) -> float:
        """``J = sum_t Loss(p_t, y_t)`` for inputs ``xs`` and targets ``ys`` (each ``(p_dim, 1)``)."""
        targets = column_sequence(ys, self.p_dim, "ys")
        return sequence_loss(loss, self.forward(xs, s0).p, targets)

    def bptt(
        self,
        xs: ColumnSequence,
        s0: np.ndarray | None = None,
        *,
        dloss_dz2: ColumnSequence | None = None,
        ys: ColumnSequence | None = None,
        loss: str | None = None,
    ) -> GradientsT:
        """Back-propagation through time for ``J = sum_t Loss_t``.

        Give either ``dloss_dz2`` (the n per-step ``g_t = dLoss_t/dz2_t``, each
        ``(p_dim, 1)``) or the targets ``ys`` (each ``(p_dim, 1)``) and a ``loss`` name.

        Args:
            xs: n inputs, each ``(x_dim, 1)``, or an array ``(n, x_dim, 1)``.
            s0: initial state ``(s_dim, 1)``; zeros when omitted.

        Returns:
            The network's ``Gradients``: every weight (same shapes as the weights), every
            input ``dJ/dx_t`` (each ``(x_dim, 1)``, with the paths through later steps)
            and ``dJ/ds_0`` ``(s_dim, 1)``.
        """
        inputs = column_sequence(xs, self.x_dim, "xs")
        trace = self.forward(inputs, s0)
        gs = per_step_dloss_dz2(trace.z2, self.f2, self.p_dim, given=dloss_dz2, ys=ys, loss=loss)
        return self._backward(inputs, trace, gs)

    def dJ_dx(
        self,
        xs: ColumnSequence,
        s0: np.ndarray | None = None,
        *,
        dloss_dz2: ColumnSequence | None = None,
        ys: ColumnSequence | None = None,
        loss: str | None = None,
    ) -> list[np.ndarray]:
        """The full ``dJ/dx_t`` for every t, each ``(x_dim, 1)``: ``bptt(...).xs``.

        Unlike the per-step ``dloss_t_dx_t``, it collects every later loss through the
        recurrence. Arguments as for ``bptt``.
        """
        return self.bptt(xs, s0, dloss_dz2=dloss_dz2, ys=ys, loss=loss).xs
