"""Tests for reference.rnn_a: RNN-A's construction, equations, the linear closed form of
dJ/dx_t, and the per-step part (b) derivative in closed form. Finite-difference checks of
BPTT and of the per-step derivative: test_recurrent.py."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest

from questions.we_recur.reference.activations import softmax
from questions.we_recur.reference.rnn_a import RNNA

# -- construction ---------------------------------------------------------------------


def test_weight_shapes_are_plain_int_tuples():
    shapes = RNNA.weight_shapes(3, 4, 5)
    assert shapes == {"W_ss": (3, 3), "W_sx": (3, 4), "W_o": (5, 3)}
    assert all(type(size) is int for shape in shapes.values() for size in shape)
    assert RNNA.weight_shapes(np.int64(2), 2, 2) == {"W_ss": (2, 2), "W_sx": (2, 2), "W_o": (2, 2)}


def test_sizes_come_from_the_weights(make_case):
    network = make_case("rnn_a", 0, (3, 4, 5)).network
    assert (network.s_dim, network.x_dim, network.p_dim) == (3, 4, 5)
    for name, shape in RNNA.weight_shapes(3, 4, 5).items():
        assert getattr(network, name).shape == shape


@pytest.mark.parametrize(
    ("W_ss", "W_sx", "W_o"),
    [
        (np.zeros((2, 3)), np.zeros((2, 2)), np.zeros((2, 2))),
        (np.zeros((2, 2)), np.zeros((3, 2)), np.zeros((2, 2))),
        (np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 3))),
    ],
)
def test_mismatched_shapes_name_all_three(W_ss, W_sx, W_o):
    with pytest.raises(ValueError, match=re.escape(f"W_ss {W_ss.shape}, W_sx {W_sx.shape}, W_o {W_o.shape}")):
        RNNA(W_ss, W_sx, W_o)


def test_non_matrix_weights_are_rejected():
    with pytest.raises(ValueError, match="W_ss must be a non-empty 2-D matrix"):
        RNNA(np.zeros(2), np.zeros((2, 2)), np.zeros((2, 2)))


def test_unknown_activation_is_rejected():
    with pytest.raises(ValueError, match="'gelu'"):
        RNNA(np.eye(2), np.eye(2), np.eye(2), f1="gelu")


def test_network_is_immutable_and_owns_its_weights():
    W_ss = np.eye(2)
    network = RNNA(W_ss, np.eye(2), np.eye(2))
    W_ss[0, 0] = 9.0
    assert network.W_ss[0, 0] == 1.0
    assert network.W_ss.dtype == np.float64
    with pytest.raises(ValueError):
        network.W_ss[0, 0] = 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        network.f1 = "tanh"


# -- forward --------------------------------------------------------------------------


def test_fall_2018_q7a_worked_example():
    # Checked by hand: s_1 = W_sx * 1 = [5, 6], y_1 = -3*5 - 2*6 = -27;
    # s_2 = W_ss s_1 + W_sx * (-1) = [17 - 5, 39 - 6] = [12, 33], y_2 = -36 - 66 = -102.
    network = RNNA(W_ss=[[1, 2], [3, 4]], W_sx=[[5], [6]], W_o=[[-3, -2]])
    trace = network.forward([np.array([[1.0]]), np.array([[-1.0]])])
    np.testing.assert_allclose(trace.s[0], [[5.0], [6.0]], rtol=0, atol=0)
    np.testing.assert_allclose(trace.p[0], [[-27.0]], rtol=0, atol=0)
    np.testing.assert_allclose(trace.s[1], [[12.0], [33.0]], rtol=0, atol=0)
    np.testing.assert_allclose(trace.p[1], [[-102.0]], rtol=0, atol=0)
    np.testing.assert_allclose(trace.s0, np.zeros((2, 1)), rtol=0, atol=0)


def test_forward_follows_the_equations(make_case):
    case = make_case("rnn_a", 3, (3, 4, 5), "tanh", "softmax", n=3)
    network = case.network
    trace = network.forward(case.xs, case.s0)
    state = case.s0
    for t in range(3):
        z1 = network.W_ss @ state + network.W_sx @ case.xs[t]
        state = np.tanh(z1)
        np.testing.assert_allclose(trace.z1[t], z1, rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(trace.s[t], state, rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(trace.z2[t], network.W_o @ state, rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(trace.p[t], softmax(network.W_o @ state), rtol=1e-15, atol=1e-15)


# -- dJ/dx_t and part (b) ---------------------------------------------------------------


def test_dJ_dx_matches_the_linear_closed_form(make_case):
    case = make_case("rnn_a", 5, (3, 2, 4), n=4)
    network = case.network
    dJ_dx = network.dJ_dx(case.xs, case.s0, dloss_dz2=case.gs)
    for t in range(4):
        # dJ/dx_t = W_sx^T sum_{u>=t} (W_ss^T)^(u-t) W_o^T g_u
        expected = sum(
            network.W_sx.T @ np.linalg.matrix_power(network.W_ss.T, u - t) @ network.W_o.T @ case.gs[u]
            for u in range(t, 4)
        )
        np.testing.assert_allclose(dJ_dx[t], expected, rtol=1e-12, atol=1e-14)


def test_dloss_t_dx_t_general_form_and_linear_form(make_case):
    case = make_case("rnn_a", 6, (3, 4, 5), "tanh", "identity")
    network = case.network
    z1 = case.s0
    g = case.gs[0]
    expected = network.W_sx.T @ ((1 - np.tanh(z1) ** 2) * (network.W_o.T @ g))
    np.testing.assert_allclose(network.dloss_t_dx_t(z1, g), expected, rtol=1e-14, atol=1e-15)
    linear = dataclasses.replace(network, f1="identity")
    np.testing.assert_allclose(
        linear.dloss_t_dx_t(None, g), network.W_sx.T @ network.W_o.T @ g, rtol=1e-14, atol=1e-15
    )


def test_dloss_t_dx_t_needs_z1_for_a_nonlinear_f1(make_case):
    network = make_case("rnn_a", 0, (2, 2, 2), "tanh").network
    with pytest.raises(ValueError, match="z1_t is needed"):
        network.dloss_t_dx_t(None, np.ones((2, 1)))
