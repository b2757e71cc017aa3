"""Part (f) measured, not asserted: which weights of RNN-B does dLoss/dx_t depend on?

The quantity under study is RNN-B's derivative of the loss with respect to the input
``x_t`` at a middle step t (so that ``s_{t-1}`` is not zero and there are later steps).
Its dependence on a weight entry is observed by perturbing that entry on random
networks (inputs, ``s_0``, targets and given gradients held fixed) and checking whether
the derivative moves. An entry "matters" if it moves the derivative on at least one
random network: dependence is a property of the function, and one trial could sit at an
accidental flat spot.

With the exam's setting (no f1, ``g_t`` given and held fixed, only ``Loss_t``) the
derivative is ``(C B + D)^T g_t`` and exactly the state columns ``A`` of ``W_ssx`` do not
matter, so f.iv is FALSE. Each option below removes one of those three assumptions, and
each makes every entry of ``W_ssx`` matter:

* ``f1="tanh"``: ``f1'(z1_t)`` with ``z1_t = A s_{t-1} + B x_t`` brings ``A`` in.
* ``g_from_loss=True``: ``g_t`` recomputed from a real loss depends on ``z2_t``, hence on
  ``s_t = A s_{t-1} + B x_t``.
* ``include_future=True``: ``dJ/dx_t`` with ``J = sum_{u>=t} Loss_u`` adds
  ``(C A^(u-t) B)^T g_u`` for later u.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import softmax
from .losses import dloss_dz2
from .rnn_b import RNNB


@dataclass(frozen=True)
class DependenceSetting:
    """Which derivative of RNN-B is examined, on which random networks.

    Attributes:
        f1: activation after ``z1_t``; the exam's RNN-B has none (``"identity"``).
        f2: output activation; the exam's language model uses ``"softmax"``.
        g_from_loss: if False, each ``g_u = dLoss_u/dz2_u`` is a fixed random vector
            (the exam supplies it); if True it is recomputed from ``loss`` and a target.
        loss: the loss used when ``g_from_loss`` is True.
        include_future: if False, differentiate ``Loss_t`` only; if True, differentiate
            ``J = sum_u Loss_u``, which adds the paths through later steps.
        sizes: ``(s_dim, x_dim, p_dim)``.
        n: sequence length; t: the (1-based) step whose input is examined. Keep
            ``1 < t < n`` so that ``s_{t-1}`` is non-zero and a later step exists.
        seed: seeds ``np.random.default_rng`` for networks and perturbations.
        trials: how many random networks to try.
        perturbation: size of the change made to a weight entry.
        tolerance: a change in the derivative counts if its norm exceeds
            ``tolerance * max(1, ||derivative||)``; unaffected entries give exactly 0.
    """

    f1: str = "identity"
    f2: str = "softmax"
    g_from_loss: bool = False
    loss: str = "squared"
    include_future: bool = False
    sizes: tuple[int, int, int] = (2, 2, 2)
    n: int = 3
    t: int = 2
    seed: int = 0
    trials: int = 3
    perturbation: float = 0.5
    tolerance: float = 1e-9


@dataclass(frozen=True, eq=False)
class _Instance:
    s0: np.ndarray
    xs: list[np.ndarray]
    ys: list[np.ndarray]
    gs: list[np.ndarray]


def _derivative(setting: DependenceSetting, W_ssx: np.ndarray, W_ox: np.ndarray, instance: _Instance) -> np.ndarray:
    """The examined derivative with respect to ``x_t``, shape ``(x_dim, 1)``."""
    network = RNNB(W_ssx, W_ox, f2=setting.f2, f1=setting.f1)
    index = setting.t - 1
    if setting.include_future:
        if setting.g_from_loss:
            return network.bptt(instance.xs, instance.s0, ys=instance.ys, loss=setting.loss).xs[index]
        return network.bptt(instance.xs, instance.s0, dloss_dz2=instance.gs).xs[index]
    trace = network.forward(instance.xs, instance.s0)
    if setting.g_from_loss:
        g_t = dloss_dz2(setting.loss, trace.z2[index], instance.ys[index], setting.f2)
    else:
        g_t = instance.gs[index]
    return network.dloss_t_dx_t(trace.s_prev(setting.t), instance.xs[index], g_t)


@dataclass(frozen=True, eq=False)
class DependenceReport:
    """What perturbing the weights showed.

    Attributes:
        W_ssx_entries: bool ``(s_dim, s_dim + x_dim)``, True where changing that single
            entry changed the derivative on at least one network.
        W_ox_entries: bool ``(p_dim, s_dim + x_dim)``, likewise.
        W_ssx_whole: changing all of W_ssx at once changed the derivative.
        W_ox_whole: changing all of W_ox at once changed the derivative.
    """

    W_ssx_entries: np.ndarray
    W_ox_entries: np.ndarray
    W_ssx_whole: bool
    W_ox_whole: bool

    def statements(self) -> dict[str, bool]:
        """Part (f)'s four statements: keys "W_ox", "all_W_ox", "W_ssx", "all_W_ssx"."""
        return {
            "W_ox": self.W_ox_whole,
            "all_W_ox": bool(self.W_ox_entries.all()),
            "W_ssx": self.W_ssx_whole,
            "all_W_ssx": bool(self.W_ssx_entries.all()),
        }


def measure_dependence(setting: DependenceSetting = DependenceSetting()) -> DependenceReport:
    """Perturb RNN-B's weights on ``setting.trials`` random networks and record what moves.

    Returns:
        A ``DependenceReport`` with per-entry masks and whole-matrix results.
    """
    s_dim, x_dim, p_dim = setting.sizes
    if not 1 < setting.t < setting.n:
        raise ValueError(
            f"need 1 < t < n so that s_(t-1) is non-zero and a later step exists; got t={setting.t}, n={setting.n}"
        )
    if setting.trials < 1:
        # With no trials nothing would be seen to matter and every statement would read False.
        raise ValueError(f"trials must be at least 1; got {setting.trials}")
    rng = np.random.default_rng(setting.seed)
    stacked = s_dim + x_dim
    W_ssx_entries = np.zeros((s_dim, stacked), dtype=bool)
    W_ox_entries = np.zeros((p_dim, stacked), dtype=bool)
    W_ssx_whole = W_ox_whole = False

    for _ in range(setting.trials):
        # Scaled like a standard initialisation so the state neither explodes nor vanishes.
        W_ssx = rng.standard_normal((s_dim, stacked)) / np.sqrt(stacked)
        W_ox = rng.standard_normal((p_dim, stacked)) / np.sqrt(stacked)
        instance = _Instance(
            s0=rng.standard_normal((s_dim, 1)),
            xs=[rng.standard_normal((x_dim, 1)) for _ in range(setting.n)],
            # Distributions, so the same targets suit both "squared" and "nll".
            ys=[softmax(rng.standard_normal((p_dim, 1))) for _ in range(setting.n)],
            gs=[rng.standard_normal((p_dim, 1)) for _ in range(setting.n)],
        )
        baseline = _derivative(setting, W_ssx, W_ox, instance)
        threshold = setting.tolerance * max(1.0, float(np.linalg.norm(baseline)))

        def moved(new_W_ssx: np.ndarray, new_W_ox: np.ndarray) -> bool:
            change = _derivative(setting, new_W_ssx, new_W_ox, instance) - baseline
            return bool(np.linalg.norm(change) > threshold)

        W_ssx_whole |= moved(W_ssx + setting.perturbation * rng.standard_normal(W_ssx.shape), W_ox)
        W_ox_whole |= moved(W_ssx, W_ox + setting.perturbation * rng.standard_normal(W_ox.shape))
        for entry in np.ndindex(*W_ssx.shape):
            nudged = W_ssx.copy()
            nudged[entry] += setting.perturbation
            W_ssx_entries[entry] |= moved(nudged, W_ox)
        for entry in np.ndindex(*W_ox.shape):
            nudged = W_ox.copy()
            nudged[entry] += setting.perturbation
            W_ox_entries[entry] |= moved(W_ssx, nudged)

    return DependenceReport(
        W_ssx_entries=W_ssx_entries, W_ox_entries=W_ox_entries, W_ssx_whole=W_ssx_whole, W_ox_whole=W_ox_whole
    )


def derive_dependence(
    *,
    f1: str = "identity",
    g_from_loss: bool = False,
    include_future: bool = False,
    seed: int = 0,
    trials: int = 3,
    **other_settings: object,
) -> dict[str, bool]:
    """Part (f)'s four statements, derived by perturbation under the given setting.

    The defaults are the exam's setting. Each of ``f1="tanh"``, ``g_from_loss=True`` and
    ``include_future=True`` alone makes ``"all_W_ssx"`` True.

    Args:
        f1, g_from_loss, include_future, seed, trials: see ``DependenceSetting``.
        **other_settings: any other ``DependenceSetting`` field (``f2``, ``loss``,
            ``sizes``, ``n``, ``t``, ``perturbation``, ``tolerance``).

    Returns:
        ``{"W_ox": bool, "all_W_ox": bool, "W_ssx": bool, "all_W_ssx": bool}``; the exam's
        setting gives ``True, True, True, False``.
    """
    setting = DependenceSetting(
        f1=f1, g_from_loss=g_from_loss, include_future=include_future, seed=seed, trials=trials, **other_settings
    )
    return measure_dependence(setting).statements()
