"""Shared fixtures for the reference tests: random cases and finite-difference checking.

``make_case`` builds a random RNN-A or RNN-B with a sequence to run it on. The
``gradient_check`` fixture compares an analytic gradient with central differences
and records every comparison; at the end of the run the worst relative error is printed
in pytest's terminal summary, so

    ./dev run python -m pytest tests/reference -q

ends with a line such as ``reference gradient checks: 812 comparisons (...), worst
relative error 3.1e-09 (<the case>)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import pytest

from questions.we_recur.reference.activations import softmax
from questions.we_recur.reference.rnn_a import RNNA
from questions.we_recur.reference.rnn_b import RNNB

# Central differences in float64 have two error sources: truncation ~ step^2 * |J'''| and
# rounding ~ eps * |J| / step, which dominates for gradients much smaller than J. A
# gradient below RESOLUTION_FRACTION * max(1, |J|) cannot be resolved to 1e-6 of its own
# size, so its error is measured against that floor instead. Measured on 6410 gradient
# arrays of 1000 random RNN-A cases (sizes 1..6, every activation case), worst relative
# error: step 1e-6 without the floor 6e-5 (5 over the limit), step 1e-6 with it 2.3e-7,
# step 1e-5 with it 2.2e-8. Step 1e-5, near the textbook optimum eps^(1/3), leaves the
# widest margin under the limit.
FINITE_DIFFERENCE_STEP = 1e-5
RELATIVE_ERROR_LIMIT = 1e-6
RESOLUTION_FRACTION = 1e-3


def relative_error(numeric: np.ndarray, analytic: np.ndarray, floor: float = 0.0) -> float:
    """``||numeric - analytic|| / max(||numeric||, ||analytic||, floor, tiny)``, Frobenius norms.

    Normalising by the larger norm makes the measure symmetric and scale-free; ``floor``
    stops a gradient that is (nearly) zero from turning rounding noise into a huge
    "relative" error, and ``tiny`` keeps two exact zeros from dividing 0 by 0.
    """
    numeric = np.asarray(numeric, dtype=np.float64)
    analytic = np.asarray(analytic, dtype=np.float64)
    assert numeric.shape == analytic.shape, f"shapes differ: {numeric.shape} vs {analytic.shape}"
    scale = max(np.linalg.norm(numeric), np.linalg.norm(analytic), floor, np.finfo(np.float64).tiny)
    return float(np.linalg.norm(numeric - analytic) / scale)


def numeric_gradient(function: Callable[[np.ndarray], float], at: np.ndarray) -> np.ndarray:
    """Central-difference gradient of a scalar ``function`` at ``at`` (any shape), float64."""
    at = np.array(at, dtype=np.float64)
    gradient = np.zeros_like(at)
    for index in np.ndindex(*at.shape):
        plus, minus = at.copy(), at.copy()
        plus[index] += FINITE_DIFFERENCE_STEP
        minus[index] -= FINITE_DIFFERENCE_STEP
        gradient[index] = (function(plus) - function(minus)) / (2.0 * FINITE_DIFFERENCE_STEP)
    return gradient


class GradientChecker:
    """Checks analytic gradients against central differences and keeps the worst error."""

    def __init__(self) -> None:
        self.comparisons = 0
        self.worst_error = 0.0
        self.worst_label = ""
        # Reported for honesty: how often the floor applied, and the worst error measured
        # against the gradient's own norm alone (exact zeros on both sides excluded).
        self.exact_zeros = 0
        self.below_floor = 0
        self.worst_unfloored_error = 0.0
        self.worst_unfloored_label = ""

    def __call__(
        self, label: str, function: Callable[[np.ndarray], float], at: np.ndarray, analytic: np.ndarray
    ) -> float:
        """Assert that ``analytic`` is the gradient of ``function`` at ``at``; return the error.

        Args:
            label: names the case in failure messages and in the summary.
            function: scalar function of an array shaped like ``at``.
            at: the point, any shape.
            analytic: the gradient to check, same shape as ``at``.
        """
        floor = RESOLUTION_FRACTION * max(1.0, abs(function(np.array(at, dtype=np.float64))))
        numeric = numeric_gradient(function, at)
        error = relative_error(numeric, analytic, floor)
        self.comparisons += 1
        if error >= self.worst_error:
            self.worst_error, self.worst_label = error, label
        largest_norm = max(np.linalg.norm(numeric), np.linalg.norm(analytic))
        if largest_norm == 0.0:
            self.exact_zeros += 1
        else:
            self.below_floor += largest_norm < floor
            unfloored = relative_error(numeric, analytic)
            if unfloored >= self.worst_unfloored_error:
                self.worst_unfloored_error, self.worst_unfloored_label = unfloored, label
        assert error < RELATIVE_ERROR_LIMIT, f"{label}: relative error {error:.3e} >= {RELATIVE_ERROR_LIMIT:g}"
        return error

    def bptt(
        self,
        label: str,
        network: object,
        xs: list[np.ndarray],
        s0: np.ndarray,
        *,
        dloss_dz2: list[np.ndarray] | None = None,
        ys: list[np.ndarray] | None = None,
        loss: str | None = None,
    ) -> None:
        """Check every gradient ``network.bptt`` returns: each weight, each ``x_t``, and ``s0``.

        Args:
            label: names the case.
            network: an ``RNNA`` or ``RNNB``; weights are varied with ``dataclasses.replace``.
            xs: the n inputs, each ``(x_dim, 1)``; s0: ``(s_dim, 1)``.
            dloss_dz2: given ``g_t``, each ``(p_dim, 1)``; the differentiated scalar is then
                ``J = sum_t g_t . z2_t``, whose gradient is exactly what BPTT computes from them.
            ys, loss: otherwise, targets and a loss name; ``J`` is the total loss.
        """
        gradients = network.bptt(xs, s0, dloss_dz2=dloss_dz2, ys=ys, loss=loss)

        def objective(network: object, xs: list[np.ndarray], s0: np.ndarray) -> float:
            if dloss_dz2 is None:
                return network.total_loss(xs, ys, loss, s0)
            return float(sum((g.T @ z2).item() for g, z2 in zip(dloss_dz2, network.forward(xs, s0).z2)))

        weight_names = [field.name for field in dataclasses.fields(network) if field.name.startswith("W_")]
        assert weight_names, f"{label}: no weight fields found on {type(network).__name__}"
        for name in weight_names:
            self(
                f"{label} d/d{name}",
                lambda weight, name=name: objective(dataclasses.replace(network, **{name: weight}), xs, s0),
                getattr(network, name),
                getattr(gradients, name),
            )
        for index in range(len(xs)):

            def with_input(x_t: np.ndarray, index: int = index) -> float:
                return objective(network, xs[:index] + [x_t] + xs[index + 1 :], s0)

            self(f"{label} d/dx_{index + 1}", with_input, xs[index], gradients.xs[index])
        self(f"{label} d/ds0", lambda state: objective(network, xs, state), s0, gradients.s0)


@dataclasses.dataclass
class Case:
    """A random network and a sequence to run it on.

    Attributes:
        network: an ``RNNA`` or ``RNNB``.
        xs: n inputs, each ``(x_dim, 1)``.
        s0: a non-zero initial state ``(s_dim, 1)``.
        ys: n targets, each a probability vector ``(p_dim, 1)`` (fit for both losses).
        gs: n given ``dLoss_t/dz2_t``, each ``(p_dim, 1)``.
    """

    network: RNNA | RNNB
    xs: list[np.ndarray]
    s0: np.ndarray
    ys: list[np.ndarray]
    gs: list[np.ndarray]


def random_case(
    kind: str, seed: int, sizes: tuple[int, int, int], f1: str = "identity", f2: str = "identity", n: int = 4
) -> Case:
    """A seeded random case for ``kind`` ``"rnn_a"`` or ``"rnn_b"`` at ``sizes = (s, x, p)``.

    Weights are scaled by 1/sqrt(fan-in) so activations stay O(1) over a few steps.
    """
    s_dim, x_dim, p_dim = sizes
    rng = np.random.default_rng(seed)
    if kind == "rnn_a":
        network = RNNA(
            rng.standard_normal((s_dim, s_dim)) / np.sqrt(s_dim),
            rng.standard_normal((s_dim, x_dim)) / np.sqrt(x_dim),
            rng.standard_normal((p_dim, s_dim)) / np.sqrt(s_dim),
            f1=f1,
            f2=f2,
        )
    elif kind == "rnn_b":
        stacked = s_dim + x_dim
        network = RNNB(
            rng.standard_normal((s_dim, stacked)) / np.sqrt(stacked),
            rng.standard_normal((p_dim, stacked)) / np.sqrt(stacked),
            f2=f2,
            f1=f1,
        )
    else:
        raise ValueError(f"kind must be 'rnn_a' or 'rnn_b'; got {kind!r}")
    return Case(
        network=network,
        xs=[rng.standard_normal((x_dim, 1)) for _ in range(n)],
        s0=rng.standard_normal((s_dim, 1)),
        ys=[softmax(rng.standard_normal((p_dim, 1))) for _ in range(n)],
        gs=[rng.standard_normal((p_dim, 1)) for _ in range(n)],
    )


@pytest.fixture(scope="session")
def make_case() -> Callable[..., Case]:
    """``random_case(kind, seed, sizes, f1="identity", f2="identity", n=4)``."""
    return random_case


_CHECKER_KEY = pytest.StashKey[GradientChecker]()


@pytest.fixture(scope="session")
def gradient_check(pytestconfig: pytest.Config) -> GradientChecker:
    """The session's ``GradientChecker``; session-scoped so hypothesis tests may use it."""
    checker = GradientChecker()
    pytestconfig.stash[_CHECKER_KEY] = checker
    return checker


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    checker = config.stash.get(_CHECKER_KEY, None)
    if checker is None or checker.comparisons == 0:
        return
    terminalreporter.write_line(
        f"reference gradient checks: {checker.comparisons} comparisons with central differences "
        f"(step {FINITE_DIFFERENCE_STEP:g}, limit {RELATIVE_ERROR_LIMIT:g}); worst relative error "
        f"{checker.worst_error:.2e} ({checker.worst_label})"
    )
    terminalreporter.write_line(
        f"  {checker.exact_zeros} were exactly zero on both sides; {checker.below_floor} nonzero gradients "
        f"were below the resolution floor; against its own norm alone the worst is "
        f"{checker.worst_unfloored_error:.2e} ({checker.worst_unfloored_label})"
    )
