"""Tests for reference.losses."""

from __future__ import annotations

import numpy as np
import pytest

from questions.we_recur.reference.activations import activate, softmax
from questions.we_recur.reference.losses import LOSSES, dloss_dz2, loss_value, per_step_dloss_dz2, sequence_loss


def test_names():
    assert LOSSES == ("squared", "nll")


def test_squared_loss_has_no_half_factor():
    p = np.array([[1.0], [2.0]])
    y = np.array([[0.0], [4.0]])
    assert loss_value("squared", p, y) == pytest.approx(1.0 + 4.0, rel=1e-15, abs=0)


def test_nll_is_cross_entropy():
    p = np.array([[0.2], [0.8]])
    y = np.array([[0.0], [1.0]])
    assert loss_value("nll", p, y) == pytest.approx(-np.log(0.8), rel=1e-15, abs=0)


def test_nll_ignores_zero_targets_even_where_p_underflowed():
    p = np.array([[0.0], [1.0]])
    y = np.array([[0.0], [1.0]])
    assert loss_value("nll", p, y) == 0.0


def test_sequence_loss_sums_steps():
    ps = [np.array([[1.0]]), np.array([[3.0]])]
    ys = [np.array([[0.0]]), np.array([[1.0]])]
    assert sequence_loss("squared", ps, ys) == pytest.approx(1.0 + 4.0, rel=1e-15, abs=0)


def test_nll_gradient_is_p_minus_y_for_a_one_hot_target():
    z2 = np.array([[0.3], [-1.0], [2.0]])
    y = np.array([[0.0], [1.0], [0.0]])
    np.testing.assert_allclose(dloss_dz2("nll", z2, y, "softmax"), softmax(z2) - y, rtol=1e-15, atol=1e-16)


@pytest.mark.parametrize(
    ("loss", "f2"),
    [
        ("squared", "identity"),
        ("squared", "tanh"),
        ("squared", "sigmoid"),
        ("squared", "softmax"),
        ("nll", "softmax"),
    ],
)
@pytest.mark.parametrize("target_kind", ["distribution", "unnormalised"])
def test_dloss_dz2_matches_finite_differences(loss, f2, target_kind, gradient_check):
    rng = np.random.default_rng(11)
    z2 = rng.standard_normal((4, 1))
    y = softmax(rng.standard_normal((4, 1)))
    if target_kind == "unnormalised":
        y = 3.0 * y  # nll's gradient p * sum(y) - y must hold for any y
    gradient_check(
        f"dloss_dz2 {loss} {f2} {target_kind}",
        lambda z: loss_value(loss, activate(f2, z), y),
        z2,
        dloss_dz2(loss, z2, y, f2),
    )


def test_nll_requires_a_softmax_output():
    with pytest.raises(ValueError, match="softmax"):
        dloss_dz2("nll", np.zeros((2, 1)), np.array([[1.0], [0.0]]), "identity")


def test_unknown_loss_is_named():
    with pytest.raises(ValueError, match="'hinge'"):
        loss_value("hinge", np.zeros((2, 1)), np.zeros((2, 1)))


def test_mismatched_shapes_are_reported():
    with pytest.raises(ValueError, match=r"\(2, 1\).*\(3, 1\)"):
        loss_value("squared", np.zeros((2, 1)), np.zeros((3, 1)))


def test_per_step_gradients_need_exactly_one_source():
    z2s = [np.zeros((2, 1))]
    with pytest.raises(ValueError, match="not both"):
        per_step_dloss_dz2(z2s, "identity", 2, given=[np.zeros((2, 1))], ys=[np.zeros((2, 1))], loss="squared")
    with pytest.raises(ValueError, match="either"):
        per_step_dloss_dz2(z2s, "identity", 2, ys=[np.zeros((2, 1))])
    with pytest.raises(ValueError, match="one dloss_dz2 per time step"):
        per_step_dloss_dz2(z2s, "identity", 2, given=[np.zeros((2, 1))] * 2)
    with pytest.raises(ValueError, match=r"dloss_dz2\[0\] must have shape \(2, 1\)"):
        per_step_dloss_dz2(z2s, "identity", 2, given=[np.zeros((3, 1))])
