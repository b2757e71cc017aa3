"""Tests for reference.rnn_a: RNN-A's forward pass, BPTT and the per-step part (b) derivative."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.activations import softmax
from reference.losses import dloss_dz2, loss_value
from reference.rnn_a import RNNA

WEIGHTS = ("W_ss", "W_sx", "W_o")
SIZES = [(2, 2, 2), (3, 4, 5), (1, 3, 2), (5, 2, 1)]
# (f1, f2, loss): linear, smooth element-wise, and softmax with both losses.
ACTIVATION_CASES = [
    ("identity", "identity", "squared"),
    ("tanh", "sigmoid", "squared"),
    ("sigmoid", "softmax", "nll"),
    ("tanh", "softmax", "squared"),
]


@dataclasses.dataclass
class Case:
    network: RNNA
    xs: list[np.ndarray]
    s0: np.ndarray
    ys: list[np.ndarray]
    gs: list[np.ndarray]


def random_case(seed: int, sizes: tuple[int, int, int], f1: str, f2: str, n: int = 4) -> Case:
    """A random RNN-A with O(1) activations, inputs, a non-zero s0, targets and given g_t."""
    s_dim, x_dim, p_dim = sizes
    rng = np.random.default_rng(seed)
    network = RNNA(
        rng.standard_normal((s_dim, s_dim)) / np.sqrt(s_dim),
        rng.standard_normal((s_dim, x_dim)) / np.sqrt(x_dim),
        rng.standard_normal((p_dim, s_dim)) / np.sqrt(s_dim),
        f1=f1,
        f2=f2,
    )
    return Case(
        network=network,
        xs=[rng.standard_normal((x_dim, 1)) for _ in range(n)],
        s0=rng.standard_normal((s_dim, 1)),
        ys=[softmax(rng.standard_normal((p_dim, 1))) for _ in range(n)],
        gs=[rng.standard_normal((p_dim, 1)) for _ in range(n)],
    )


def linear_in_z2(gs):
    """``J = sum_t g_t . z2_t``: its gradient is what BPTT gives when told dLoss_t/dz2_t = g_t."""

    def objective(network, xs, s0):
        return float(sum((g.T @ z2).item() for g, z2 in zip(gs, network.forward(xs, s0).z2)))

    return objective


def total_loss(ys, loss):
    return lambda network, xs, s0: network.total_loss(xs, ys, loss, s0)


# -- construction ---------------------------------------------------------------------


def test_weight_shapes_are_plain_int_tuples():
    shapes = RNNA.weight_shapes(3, 4, 5)
    assert shapes == {"W_ss": (3, 3), "W_sx": (3, 4), "W_o": (5, 3)}
    assert all(type(size) is int for shape in shapes.values() for size in shape)
    assert RNNA.weight_shapes(np.int64(2), 2, 2) == {"W_ss": (2, 2), "W_sx": (2, 2), "W_o": (2, 2)}


def test_sizes_come_from_the_weights():
    network = random_case(0, (3, 4, 5), "identity", "identity").network
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


def test_forward_follows_the_equations():
    case = random_case(3, (3, 4, 5), "tanh", "softmax", n=3)
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


def test_forward_accepts_a_stacked_array_of_inputs():
    case = random_case(4, (2, 3, 2), "tanh", "identity", n=3)
    from_list = case.network.forward(case.xs, case.s0)
    from_array = case.network.forward(np.stack(case.xs), case.s0)
    for a, b in zip(from_list.p, from_array.p):
        np.testing.assert_allclose(a, b, rtol=0, atol=0)


def test_forward_rejects_flat_inputs_and_wrong_state():
    network = random_case(0, (2, 3, 2), "identity", "identity").network
    with pytest.raises(ValueError, match=r"xs\[0\] must have shape \(3, 1\); got \(3,\)"):
        network.forward([np.zeros(3)])
    with pytest.raises(ValueError, match=r"s0 must have shape \(2, 1\)"):
        network.forward([np.zeros((3, 1))], s0=np.zeros((3, 1)))


# -- gradients --------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(("f1", "f2", "loss"), ACTIVATION_CASES)
def test_bptt_with_a_loss_matches_finite_differences(sizes, f1, f2, loss, gradient_check):
    case = random_case(21, sizes, f1, f2)
    gradients = case.network.bptt(case.xs, case.s0, ys=case.ys, loss=loss)
    gradient_check.bptt(
        f"rnn_a {sizes} {f1}/{f2}/{loss}", case.network, WEIGHTS, case.xs, case.s0, gradients, total_loss(case.ys, loss)
    )


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("f1", ["identity", "tanh"])
def test_bptt_with_given_dloss_dz2_matches_finite_differences(sizes, f1, gradient_check):
    case = random_case(22, sizes, f1, "identity")
    gradients = case.network.bptt(case.xs, case.s0, dloss_dz2=case.gs)
    gradient_check.bptt(
        f"rnn_a {sizes} {f1} given g", case.network, WEIGHTS, case.xs, case.s0, gradients, linear_in_z2(case.gs)
    )


@given(
    sizes=st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6)),
    n=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    activations=st.sampled_from(ACTIVATION_CASES + [("sigmoid", "tanh", "squared")]),
)
@settings(max_examples=25, deadline=None)
def test_bptt_matches_finite_differences_for_any_size(sizes, n, seed, activations, gradient_check):
    f1, f2, loss = activations
    case = random_case(seed, sizes, f1, f2, n=n)
    gradients = case.network.bptt(case.xs, case.s0, ys=case.ys, loss=loss)
    gradient_check.bptt(
        f"rnn_a {sizes} n={n} seed={seed} {f1}/{f2}/{loss}",
        case.network,
        WEIGHTS,
        case.xs,
        case.s0,
        gradients,
        total_loss(case.ys, loss),
    )


def test_dJ_dx_is_bptt_xs_and_matches_the_linear_closed_form():
    case = random_case(5, (3, 2, 4), "identity", "identity", n=4)
    network = case.network
    dJ_dx = network.dJ_dx(case.xs, case.s0, dloss_dz2=case.gs)
    for t in range(4):
        # dJ/dx_t = W_sx^T sum_{u>=t} (W_ss^T)^(u-t) W_o^T g_u
        expected = sum(
            network.W_sx.T @ np.linalg.matrix_power(network.W_ss.T, u - t) @ network.W_o.T @ case.gs[u]
            for u in range(t, 4)
        )
        np.testing.assert_allclose(dJ_dx[t], expected, rtol=1e-12, atol=1e-14)


def test_bptt_needs_exactly_one_source_of_dloss_dz2():
    case = random_case(0, (2, 2, 2), "identity", "identity")
    with pytest.raises(ValueError, match="not both"):
        case.network.bptt(case.xs, dloss_dz2=case.gs, ys=case.ys, loss="squared")
    with pytest.raises(ValueError, match="either"):
        case.network.bptt(case.xs, ys=case.ys)
    with pytest.raises(ValueError, match="one target per time step"):
        case.network.bptt(case.xs, ys=case.ys[:2], loss="squared")


# -- part (b): the per-step derivative ------------------------------------------------


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(("f1", "f2", "loss"), ACTIVATION_CASES)
def test_dloss_t_dx_t_matches_finite_differences_of_loss_t(sizes, f1, f2, loss, gradient_check):
    case = random_case(31, sizes, f1, f2)
    network = case.network
    trace = network.forward(case.xs, case.s0)
    for index in range(len(case.xs)):

        def loss_t(x_t, index=index):
            xs = case.xs[:index] + [x_t] + case.xs[index + 1 :]
            return loss_value(loss, network.forward(xs, case.s0).p[index], case.ys[index])

        g_t = dloss_dz2(loss, trace.z2[index], case.ys[index], f2)
        gradient_check(
            f"rnn_a {sizes} {f1}/{f2}/{loss} dLoss_{index + 1}/dx_{index + 1}",
            loss_t,
            case.xs[index],
            network.dloss_t_dx_t(trace.z1[index], g_t),
        )


@pytest.mark.parametrize("sizes", SIZES)
def test_dloss_t_dx_t_with_given_g_matches_finite_differences(sizes, gradient_check):
    case = random_case(32, sizes, "tanh", "identity")
    network = case.network
    trace = network.forward(case.xs, case.s0)
    index = len(case.xs) - 2

    def loss_t(x_t):
        xs = case.xs[:index] + [x_t] + case.xs[index + 1 :]
        return (case.gs[index].T @ network.forward(xs, case.s0).z2[index]).item()

    gradient_check(
        f"rnn_a {sizes} tanh given g dLoss_t/dx_t",
        loss_t,
        case.xs[index],
        network.dloss_t_dx_t(trace.z1[index], case.gs[index]),
    )


def test_dloss_t_dx_t_general_form_and_linear_form():
    case = random_case(6, (3, 4, 5), "tanh", "identity")
    network = case.network
    z1 = case.s0[:3]
    g = case.gs[0]
    expected = network.W_sx.T @ ((1 - np.tanh(z1) ** 2) * (network.W_o.T @ g))
    np.testing.assert_allclose(network.dloss_t_dx_t(z1, g), expected, rtol=1e-14, atol=1e-15)
    linear = dataclasses.replace(network, f1="identity")
    np.testing.assert_allclose(
        linear.dloss_t_dx_t(None, g), network.W_sx.T @ network.W_o.T @ g, rtol=1e-14, atol=1e-15
    )


def test_dloss_t_dx_t_needs_z1_for_a_nonlinear_f1():
    network = random_case(0, (2, 2, 2), "tanh", "identity").network
    with pytest.raises(ValueError, match="z1_t is needed"):
        network.dloss_t_dx_t(None, np.ones((2, 1)))
