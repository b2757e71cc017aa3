"""Tests for reference.activations."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions.we_recur.reference.activations import ACTIVATIONS, activate, activation_vjp, softmax


def test_names_are_the_five_documented_activations():
    assert ACTIVATIONS == ("identity", "tanh", "sigmoid", "relu", "softmax")


def test_unknown_activation_is_named_in_the_error():
    with pytest.raises(ValueError, match="'swish'"):
        activate("swish", np.zeros((2, 1)))
    with pytest.raises(ValueError, match="'swish'"):
        activation_vjp("swish", np.zeros((2, 1)), np.zeros((2, 1)))


def test_element_wise_values():
    z = np.array([[-2.0], [0.0], [3.0]])
    np.testing.assert_allclose(activate("identity", z), z, rtol=0, atol=0)
    np.testing.assert_allclose(activate("tanh", z), np.tanh(z), rtol=1e-15, atol=0)
    np.testing.assert_allclose(activate("sigmoid", z), 1.0 / (1.0 + np.exp(-z)), rtol=1e-15, atol=1e-16)
    np.testing.assert_allclose(activate("relu", z), [[0.0], [0.0], [3.0]], rtol=0, atol=0)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activate_keeps_the_column_shape_and_float64(name):
    result = activate(name, np.array([[1], [2], [3]]))
    assert result.shape == (3, 1)
    assert result.dtype == np.float64


def test_identity_returns_a_copy():
    z = np.ones((2, 1))
    activate("identity", z)[0, 0] = 5.0
    assert z[0, 0] == 1.0


def test_softmax_values_and_normalisation():
    z = np.array([[1.0], [2.0], [3.0]])
    expected = np.exp(z) / np.sum(np.exp(z))
    np.testing.assert_allclose(softmax(z), expected, rtol=1e-15, atol=0)


def test_softmax_does_not_overflow_on_large_scores():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(np.array([[1000.0], [999.0]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(np.sum(p), 1.0, rtol=0, atol=1e-15)
    np.testing.assert_allclose(p, [[1 / (1 + np.exp(-1.0))], [1 / (1 + np.exp(1.0))]], rtol=1e-14, atol=0)


def test_softmax_works_along_axis_0_for_flat_and_column_vectors():
    flat = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(softmax(flat), softmax(flat.reshape(3, 1)).reshape(3), rtol=0, atol=0)
    assert softmax(flat).shape == (3,)


def test_sigmoid_is_warning_free_at_extremes():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = activate("sigmoid", np.array([[-1000.0], [1000.0]]))
    np.testing.assert_allclose(values, [[0.0], [1.0]], rtol=0, atol=1e-300)


@given(
    scores=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=6),
)
@settings(max_examples=40, deadline=None)
def test_softmax_is_a_distribution_for_any_finite_scores(scores):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = softmax(np.array(scores).reshape(-1, 1))
    assert np.all(p >= 0.0)
    np.testing.assert_allclose(np.sum(p), 1.0, rtol=0, atol=1e-12)


# ReLU's kink is at 0; these points stay further than the finite-difference step from it.
VJP_POINT = np.array([[0.7], [-1.3], [0.2], [2.1], [-0.4]])
VJP_UPSTREAM = np.array([[1.0], [-0.5], [2.0], [0.3], [-1.2]])


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_vjp_matches_finite_differences(name, gradient_check):
    # dLoss/dz for Loss = upstream . f(z) is exactly the vector-Jacobian product.
    def loss(z):
        return float(np.sum(VJP_UPSTREAM * activate(name, z)))

    gradient_check(f"activation_vjp {name}", loss, VJP_POINT, activation_vjp(name, VJP_POINT, VJP_UPSTREAM))


def test_softmax_vjp_is_the_full_jacobian_product():
    rng = np.random.default_rng(7)
    z = rng.standard_normal((4, 1))
    upstream = rng.standard_normal((4, 1))
    p = softmax(z)
    jacobian = np.diag(p[:, 0]) - p @ p.T
    np.testing.assert_allclose(activation_vjp("softmax", z, upstream), jacobian.T @ upstream, rtol=1e-12, atol=1e-15)
    # Not the element-wise shortcut p (1 - p) * u, which drops the off-diagonal terms.
    assert not np.allclose(activation_vjp("softmax", z, upstream), p * (1 - p) * upstream, rtol=1e-6, atol=1e-9)


def test_relu_derivative_at_zero_is_zero():
    np.testing.assert_allclose(
        activation_vjp("relu", np.array([[0.0], [1.0]]), np.array([[5.0], [5.0]])), [[0.0], [5.0]], rtol=0, atol=0
    )


def test_vjp_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(2, 1\)"):
        activation_vjp("tanh", np.zeros((3, 1)), np.zeros((2, 1)))
