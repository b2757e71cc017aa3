"""RNN-B, the exam's modified network, exactly as the exam states it (biases zero).

    z1_t = W_ssx [s_{t-1}; x_t]
    s_t  = z1_t                      (no f1)
    z2_t = W_ox [s_t; x_t]
    p_t  = f2(z2_t)

Shapes: ``s_t`` is ``(s_dim, 1)``, ``x_t`` is ``(x_dim, 1)``, ``p_t`` is ``(p_dim, 1)``;
``W_ssx`` is ``(s_dim, s_dim + x_dim)`` and ``W_ox`` is ``(p_dim, s_dim + x_dim)``. The
exam has all sizes 2 (so both weights are 2x4) and, for language modelling, f2 = softmax.

Writing ``W_ssx = [A | B]`` and ``W_ox = [C | D]`` (left blocks act on the state, right
blocks on the input), ``z2_t = C A s_{t-1} + (C B + D) x_t``, so with g_t held fixed the
loss at step t has ``dLoss_t/dx_t = (C B + D)^T g_t``: every entry of W_ox matters, but
only the x-columns B of W_ssx (part (f)).

``RNNB`` also takes an optional ``f1`` (``s_t = f1(z1_t)``). The exam's RNN-B has none;
the default ``"identity"`` is the exam's network, and other values exist only so tests can
show how adding a nonlinearity changes the answer to part (f).

One-to-many generation (parts (d), (e)) feeds each output back as the next input:
``generate`` with the exam's rule ``next_input_is_output`` (``x_{t+1} = p_t``) or
``next_input_one_hot_argmax`` (the one-hot "embedding" of the most likely word).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .activations import activate, activation_vjp, check_activation_name
from .recurrent import RecurrentNetwork
from .sequences import ForwardTrace, column_vector
from .weights import checked_sizes, frozen_matrix


class Blocks(NamedTuple):
    """RNN-B's weights split by what they act on, in we-recur.md's notation.

    Attributes:
        A: ``W_ssx[:, :s_dim]``, state to state, ``(s_dim, s_dim)``.
        B: ``W_ssx[:, s_dim:]``, input to state, ``(s_dim, x_dim)``.
        C: ``W_ox[:, :s_dim]``, state to output, ``(p_dim, s_dim)``.
        D: ``W_ox[:, s_dim:]``, input to output, ``(p_dim, x_dim)``.
    """

    A: np.ndarray
    B: np.ndarray
    C: np.ndarray
    D: np.ndarray


@dataclass(frozen=True, eq=False)
class Gradients:
    """Derivatives of ``J = sum_t Loss_t`` for RNN-B.

    Attributes:
        W_ssx: ``dJ/dW_ssx``, shape ``(s_dim, s_dim + x_dim)``.
        W_ox: ``dJ/dW_ox``, shape ``(p_dim, s_dim + x_dim)``.
        xs: list of n arrays ``dJ/dx_t``, each ``(x_dim, 1)``, including the paths
            through later steps.
        s0: ``dJ/ds_0``, shape ``(s_dim, 1)``.
    """

    W_ssx: np.ndarray
    W_ox: np.ndarray
    xs: list[np.ndarray]
    s0: np.ndarray


@dataclass(frozen=True, eq=False)
class Generation:
    """What one-to-many generation produced.

    Attributes:
        ps: list of n outputs ``p_1..p_n``, each ``(p_dim, 1)``.
        xs: list of the n inputs used, each ``(x_dim, 1)``; ``xs[0]`` is ``x1`` and
            ``xs[t]`` is what the next-input rule returned for ``ps[t - 1]``.
    """

    ps: list[np.ndarray]
    xs: list[np.ndarray]


def next_input_is_output(p_t: np.ndarray) -> np.ndarray:
    """The exam's part (e) rule ``x_{t+1} = p_t``.

    Args:
        p_t: the output at step t, ``(p_dim, 1)`` (or ``(p_dim,)``).

    Returns:
        A float64 copy of ``p_t``, shape ``(p_dim, 1)``.
    """
    return np.array(p_t, dtype=np.float64).reshape(-1, 1)


def next_input_one_hot_argmax(p_t: np.ndarray) -> np.ndarray:
    """Feed back the "embedding of the chosen word": a one-hot of the most likely entry.

    Ties go to the first maximum, as ``np.argmax`` does.

    Args:
        p_t: the output at step t, ``(p_dim, 1)`` (or ``(p_dim,)``).

    Returns:
        Float64 one-hot vector, shape ``(p_dim, 1)``.
    """
    probabilities = np.asarray(p_t, dtype=np.float64).reshape(-1)
    one_hot = np.zeros((probabilities.size, 1))
    one_hot[int(np.argmax(probabilities)), 0] = 1.0
    return one_hot


NEXT_INPUT_RULES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "output": next_input_is_output,
    "one_hot_argmax": next_input_one_hot_argmax,
}


@dataclass(frozen=True, eq=False)
class RNNB(RecurrentNetwork[Gradients]):
    """RNN-B with weights ``W_ssx (s, s + x)`` and ``W_ox (p, s + x)``.

    ``s_dim`` is the number of rows of ``W_ssx`` and ``x_dim`` its number of columns minus
    ``s_dim``. The weights are stored as read-only float64 copies. ``f1`` is keyword-only
    and not part of the exam's network (see the module docstring). ``forward``, ``bptt``,
    ``dJ_dx`` and ``total_loss`` come from ``RecurrentNetwork``; in the linear case
    ``dJ/dx_t = (C B + D)^T g_t + sum_{u>t} (C A^(u-t) B)^T g_u``.

    Raises:
        ValueError: if the shapes do not fit together (the message gives both) or an
            activation name is unknown.
    """

    W_ssx: np.ndarray
    W_ox: np.ndarray
    f2: str = "softmax"
    f1: str = field(default="identity", kw_only=True)

    def __post_init__(self) -> None:
        for name in ("W_ssx", "W_ox"):
            object.__setattr__(self, name, frozen_matrix(getattr(self, name), name))
        check_activation_name(self.f1)
        check_activation_name(self.f2)
        s_dim, stacked = self.W_ssx.shape
        if stacked <= s_dim or self.W_ox.shape[1] != stacked:
            raise ValueError(
                "RNN-B needs W_ssx (s, s + x) with x >= 1 and W_ox (p, s + x); got "
                f"W_ssx {self.W_ssx.shape}, W_ox {self.W_ox.shape}"
            )

    @property
    def s_dim(self) -> int:
        """Size of the state ``s_t``."""
        return self.W_ssx.shape[0]

    @property
    def x_dim(self) -> int:
        """Size of the input ``x_t``."""
        return self.W_ssx.shape[1] - self.W_ssx.shape[0]

    @property
    def p_dim(self) -> int:
        """Size of the output ``p_t``."""
        return self.W_ox.shape[0]

    @property
    def blocks(self) -> Blocks:
        """The weights split into ``A, B, C, D`` (see ``Blocks``)."""
        s_dim = self.s_dim
        return Blocks(
            A=self.W_ssx[:, :s_dim], B=self.W_ssx[:, s_dim:], C=self.W_ox[:, :s_dim], D=self.W_ox[:, s_dim:]
        )

    @staticmethod
    def weight_shapes(s_dim: int, x_dim: int, p_dim: int) -> dict[str, tuple[int, int]]:
        """The shapes of RNN-B's weights for the given sizes (part (c)).

        Returns:
            ``{"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}``, tuples
            of plain Python ints.

        Raises:
            ValueError: unless every size is a positive integer.
        """
        s_dim, x_dim, p_dim = checked_sizes(s_dim, x_dim, p_dim)
        return {"W_ssx": (s_dim, s_dim + x_dim), "W_ox": (p_dim, s_dim + x_dim)}

    def _step(self, s_prev: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        # Stacking and multiplying by the whole matrix is the exam's own formula; the
        # block form is used only where the derivation needs it.
        z1 = self.W_ssx @ np.concatenate((s_prev, x))
        state = activate(self.f1, z1)
        z2 = self.W_ox @ np.concatenate((state, x))
        return z1, state, z2, activate(self.f2, z2)

    def _backward(self, inputs: list[np.ndarray], trace: ForwardTrace, gs: list[np.ndarray]) -> Gradients:
        s_dim = self.s_dim
        dW_ssx = np.zeros_like(self.W_ssx)
        dW_ox = np.zeros_like(self.W_ox)
        dxs: list[np.ndarray] = [np.zeros((self.x_dim, 1))] * len(inputs)
        # dJ/ds_t through s_{t+1} and later; nothing comes from beyond the last step.
        dJ_ds_from_later = np.zeros((s_dim, 1))
        for index in reversed(range(len(inputs))):
            x = inputs[index]
            dW_ox += gs[index] @ np.vstack([trace.s[index], x]).T
            # x_t reaches J twice at step t: into z2_t directly and into z1_t.
            dJ_d_output_stack = self.W_ox.T @ gs[index]
            dJ_ds = dJ_d_output_stack[:s_dim] + dJ_ds_from_later
            dJ_dz1 = activation_vjp(self.f1, trace.z1[index], dJ_ds)
            dW_ssx += dJ_dz1 @ np.vstack([trace.s_prev(index + 1), x]).T
            dJ_d_state_stack = self.W_ssx.T @ dJ_dz1
            dxs[index] = dJ_d_output_stack[s_dim:] + dJ_d_state_stack[s_dim:]
            dJ_ds_from_later = dJ_d_state_stack[:s_dim]
        return Gradients(W_ssx=dW_ssx, W_ox=dW_ox, xs=dxs, s0=dJ_ds_from_later)

    def dloss_t_dx_t(
        self, s_prev: np.ndarray | None, x_t: np.ndarray | None, dloss_dz2_t: np.ndarray
    ) -> np.ndarray:
        """Part (f): ``dLoss_t/dx_t`` of the loss at step t alone, ``g_t`` held fixed.

        ``D^T g_t + B^T (f1'(z1_t) * (C^T g_t))``, which for the exam's network
        (``f1 = identity``) is ``(C B + D)^T g_t``: it uses all of ``W_ox`` and only the
        x-columns ``B`` of ``W_ssx``.

        Args:
            s_prev: the state ``s_{t-1}``, ``(s_dim, 1)``.
            x_t: the input ``x_t``, ``(x_dim, 1)``.
            dloss_dz2_t: ``g_t = dLoss_t/dz2_t``, ``(p_dim, 1)``.
            ``s_prev`` and ``x_t`` only locate ``z1_t`` for ``f1'``; they may be None
            when ``f1`` is the identity.

        Returns:
            ``dLoss_t/dx_t``, shape ``(x_dim, 1)``.
        """
        g_t = column_vector(dloss_dz2_t, self.p_dim, "dloss_dz2_t")
        A, B, C, D = self.blocks
        dloss_ds = C.T @ g_t
        if s_prev is None or x_t is None:
            if self.f1 != "identity":
                raise ValueError(f"s_prev and x_t are needed to differentiate f1 = {self.f1!r}")
            dloss_dz1 = dloss_ds
        else:
            s_prev = column_vector(s_prev, self.s_dim, "s_prev")
            x_t = column_vector(x_t, self.x_dim, "x_t")
            dloss_dz1 = activation_vjp(self.f1, A @ s_prev + B @ x_t, dloss_ds)
        return D.T @ g_t + B.T @ dloss_dz1

    def generate(
        self,
        x1: np.ndarray,
        n: int,
        next_input: Callable[[np.ndarray], object] | None = None,
        s0: np.ndarray | None = None,
    ) -> Generation:
        """One-to-many generation: run n steps, feeding each output back as the next input.

        Args:
            x1: the first input, ``(x_dim, 1)``.
            n: number of outputs to produce, at least 1.
            next_input: maps ``p_t`` (a copy, ``(p_dim, 1)``) to ``x_{t+1}``; defaults to
                the exam's ``next_input_is_output``, which needs ``p_dim == x_dim``. What
                it returns is converted to a float64 ``(x_dim, 1)`` array; anything with
                ``x_dim`` real numbers is accepted. Exceptions it raises propagate
                unchanged.
            s0: initial state ``(s_dim, 1)``; zeros when omitted.

        Returns:
            ``Generation`` with the n outputs and the n inputs used.

        Raises:
            ValueError: if ``n < 1``, the default rule meets ``p_dim != x_dim``, or
                ``next_input`` returns something that is not ``x_dim`` real numbers.
        """
        rule = None if next_input is None else (lambda ps: [next_input(ps[0])])
        (generation,) = generate_together([self], [x1], n, next_inputs=rule, s0s=[s0])
        return generation

    def _as_next_input(self, value: object, t: int) -> np.ndarray:
        expected = f"x_{t} as {self.x_dim} real numbers, shape ({self.x_dim}, 1)"
        try:
            raw = np.asarray(value)
        except (TypeError, ValueError) as error:
            raise ValueError(f"next_input must return {expected}; got {type(value).__name__}") from error
        # Kinds b, i, u, f are bool, signed, unsigned and float; this rejects None,
        # strings and complex numbers, which a float64 cast would mangle or warn about.
        if raw.dtype.kind not in "biuf":
            raise ValueError(f"next_input must return {expected}; got {type(value).__name__} of dtype {raw.dtype}")
        if raw.size != self.x_dim:
            raise ValueError(f"next_input must return {expected}; got {raw.size} numbers, shape {raw.shape}")
        return raw.astype(np.float64).reshape(self.x_dim, 1)


def generate_together(
    networks: list[RNNB],
    x1s: list[np.ndarray],
    n: int,
    next_inputs: Callable[[list[np.ndarray]], list[object]] | None = None,
    s0s: list[np.ndarray | None] | None = None,
) -> list[Generation]:
    """``RNNB.generate`` for several networks in lockstep: at each step every network
    takes its step, then one call of ``next_inputs`` maps all their outputs to their
    next inputs. A rule that is costly per call (one that runs in a sandbox, say) is
    then called n - 1 times in all, not n - 1 times per network.

    Args:
        networks: the RNN-Bs, one per generation.
        x1s: their first inputs, ``(x_dim, 1)`` each.
        n: number of outputs each produces, at least 1.
        next_inputs: maps the list of every generation's ``p_t`` (copies, ``(p_dim, 1)``,
            in the order of ``networks``) to the list of their ``x_{t+1}``, converted as
            ``generate`` converts what its rule returns. Defaults to the exam's rule
            ``x_{t+1} = p_t`` for each. Exceptions it raises propagate unchanged.
        s0s: initial states, ``(s_dim, 1)`` or None (zeros) each; all zeros when omitted.

    Returns:
        One ``Generation`` per network, in order; each equals what ``generate`` gives
        that network with the same rule applied to its outputs alone.

    Raises:
        ValueError: as ``generate`` does, if the lists differ in length, or if
            ``next_inputs`` returns a list of another length.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive integer; got {n!r}")
    s0s = [None] * len(networks) if s0s is None else list(s0s)
    if not len(networks) == len(x1s) == len(s0s):
        raise ValueError(
            f"networks, x1s and s0s must have one entry per generation; got {len(networks)}, {len(x1s)}, {len(s0s)}"
        )
    if next_inputs is None:
        for network in networks:
            if network.p_dim != network.x_dim:
                raise ValueError(
                    f"the default rule x_(t+1) = p_t needs p_dim == x_dim; "
                    f"got p_dim {network.p_dim}, x_dim {network.x_dim}"
                )
        next_inputs = lambda ps: [next_input_is_output(p) for p in ps]  # noqa: E731
    xs = [column_vector(x1, network.x_dim, "x1") for network, x1 in zip(networks, x1s)]
    states = [network._initial_state(s0) for network, s0 in zip(networks, s0s)]
    generations = [Generation(ps=[], xs=[]) for _ in networks]
    for t in range(1, int(n) + 1):
        for index, network in enumerate(networks):
            generations[index].xs.append(xs[index])
            _, states[index], _, p = network._step(states[index], xs[index])
            generations[index].ps.append(p)
        if t < n:
            # Copies, so a rule that writes into its argument cannot alter ps.
            returned = list(next_inputs([generation.ps[-1].copy() for generation in generations]))
            if len(returned) != len(networks):
                raise ValueError(f"next_inputs must return {len(networks)} inputs, one per generation; got {len(returned)}")
            xs = [network._as_next_input(value, t + 1) for network, value in zip(networks, returned)]
    return generations
