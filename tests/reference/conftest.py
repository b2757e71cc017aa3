"""Finite-difference gradient checking for the reference tests.

The ``gradient_check`` fixture compares an analytic gradient with central differences
and records every comparison; at the end of the run the worst relative error is printed
in pytest's terminal summary, so

    ./dev run python -m pytest tests/reference -q

ends with a line such as ``reference gradient checks: 812 comparisons (...), worst
relative error 3.1e-09 (<the case>)``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import pytest

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
        weight_names: Sequence[str],
        xs: list[np.ndarray],
        s0: np.ndarray,
        gradients: object,
        objective: Callable[[object, list[np.ndarray], np.ndarray], float],
    ) -> None:
        """Check every gradient ``bptt`` returned: each weight, each ``x_t``, and ``s0``.

        Args:
            label: names the case.
            network: an ``RNNA`` or ``RNNB``; weights are varied with ``dataclasses.replace``.
            weight_names: the network's weight fields, e.g. ``("W_ss", "W_sx", "W_o")``.
            xs: the n inputs, each ``(x_dim, 1)``; s0: ``(s_dim, 1)``.
            gradients: what ``network.bptt`` returned for ``objective``.
            objective: ``J(network, xs, s0)``, the scalar that ``gradients`` differentiate.
        """
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
