"""Tests for reference.rnn_b: RNN-B's forward pass, BPTT, part (f)'s per-step derivative
and one-to-many generation."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reference.activations import softmax
from reference.losses import dloss_dz2, loss_value
from reference.rnn_b import (
    NEXT_INPUT_RULES,
    RNNB,
    next_input_is_output,
    next_input_one_hot_argmax,
)

WEIGHTS = ("W_ssx", "W_ox")
SIZES = [(2, 2, 2), (3, 4, 5), (1, 3, 2), (5, 2, 1)]
# (f1, f2, loss): the exam's network (no f1, softmax) with both losses, a linear one, and
# nonlinear f1 variants that exist only to test the generality of the derivatives.
ACTIVATION_CASES = [
    ("identity", "softmax", "nll"),
    ("identity", "softmax", "squared"),
    ("identity", "identity", "squared"),
    ("tanh", "sigmoid", "squared"),
    ("sigmoid", "softmax", "nll"),
]


@dataclasses.dataclass
class Case:
    network: RNNB
    xs: list[np.ndarray]
    s0: np.ndarray
    ys: list[np.ndarray]
    gs: list[np.ndarray]


def random_case(seed: int, sizes: tuple[int, int, int], f1: str, f2: str, n: int = 4) -> Case:
    """A random RNN-B with O(1) activations, inputs, a non-zero s0, targets and given g_t."""
    s_dim, x_dim, p_dim = sizes
    rng = np.random.default_rng(seed)
    stacked = s_dim + x_dim
    network = RNNB(
        rng.standard_normal((s_dim, stacked)) / np.sqrt(stacked),
        rng.standard_normal((p_dim, stacked)) / np.sqrt(stacked),
        f2=f2,
        f1=f1,
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


def test_weight_shapes_stack_state_and_input():
    shapes = RNNB.weight_shapes(3, 4, 5)
    assert shapes == {"W_ssx": (3, 7), "W_ox": (5, 7)}
    assert all(type(size) is int for shape in shapes.values() for size in shape)


def test_sizes_are_inferred_from_the_weights():
    network = random_case(0, (3, 4, 5), "identity", "softmax").network
    assert (network.s_dim, network.x_dim, network.p_dim) == (3, 4, 5)
    assert network.f1 == "identity"
    assert network.f2 == "softmax"


def test_defaults_are_the_exam_network():
    network = RNNB(np.zeros((2, 4)), np.zeros((2, 4)))
    assert (network.f1, network.f2) == ("identity", "softmax")


def test_f1_is_keyword_only():
    with pytest.raises(TypeError):
        RNNB(np.zeros((2, 4)), np.zeros((2, 4)), "softmax", "tanh")


@pytest.mark.parametrize(
    ("W_ssx", "W_ox"),
    [
        (np.zeros((2, 2)), np.zeros((2, 2))),  # no input columns: x_dim would be 0
        (np.zeros((2, 4)), np.zeros((2, 5))),
    ],
)
def test_mismatched_shapes_name_both(W_ssx, W_ox):
    with pytest.raises(ValueError, match=re.escape(f"W_ssx {W_ssx.shape}, W_ox {W_ox.shape}")):
        RNNB(W_ssx, W_ox)


def test_blocks_split_state_and_input_columns():
    network = RNNB(np.arange(12.0).reshape(2, 6), np.arange(18.0).reshape(3, 6))  # s=2, x=4, p=3
    A, B, C, D = network.blocks
    np.testing.assert_allclose(A, network.W_ssx[:, :2], rtol=0, atol=0)
    np.testing.assert_allclose(B, network.W_ssx[:, 2:], rtol=0, atol=0)
    np.testing.assert_allclose(C, network.W_ox[:, :2], rtol=0, atol=0)
    np.testing.assert_allclose(D, network.W_ox[:, 2:], rtol=0, atol=0)
    assert (A.shape, B.shape, C.shape, D.shape) == ((2, 2), (2, 4), (3, 2), (3, 4))


# -- forward --------------------------------------------------------------------------


def test_forward_follows_the_exam_equations():
    case = random_case(1, (3, 4, 5), "identity", "softmax", n=3)
    network = case.network
    trace = network.forward(case.xs, case.s0)
    state = case.s0
    for t in range(3):
        z1 = network.W_ssx @ np.vstack([state, case.xs[t]])
        state = z1  # RNN-B has no f1
        z2 = network.W_ox @ np.vstack([state, case.xs[t]])
        np.testing.assert_allclose(trace.z1[t], z1, rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(trace.s[t], state, rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(trace.z2[t], z2, rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(trace.p[t], softmax(z2), rtol=1e-15, atol=1e-15)


def test_z2_in_block_form():
    # z2_t = C A s_{t-1} + (C B + D) x_t, the identity behind part (f).
    case = random_case(2, (3, 4, 5), "identity", "identity", n=2)
    A, B, C, D = case.network.blocks
    trace = case.network.forward(case.xs, case.s0)
    np.testing.assert_allclose(
        trace.z2[1], C @ A @ trace.s[0] + (C @ B + D) @ case.xs[1], rtol=1e-13, atol=1e-14
    )


def test_forward_accepts_a_stacked_array_of_inputs():
    case = random_case(4, (2, 3, 2), "identity", "softmax", n=3)
    from_list = case.network.forward(case.xs, case.s0)
    from_array = case.network.forward(np.stack(case.xs), case.s0)
    for a, b in zip(from_list.p, from_array.p):
        np.testing.assert_allclose(a, b, rtol=0, atol=0)


# -- gradients --------------------------------------------------------------------------


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(("f1", "f2", "loss"), ACTIVATION_CASES)
def test_bptt_with_a_loss_matches_finite_differences(sizes, f1, f2, loss, gradient_check):
    case = random_case(41, sizes, f1, f2)
    gradients = case.network.bptt(case.xs, case.s0, ys=case.ys, loss=loss)
    gradient_check.bptt(
        f"rnn_b {sizes} {f1}/{f2}/{loss}", case.network, WEIGHTS, case.xs, case.s0, gradients, total_loss(case.ys, loss)
    )


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("f1", ["identity", "tanh"])
def test_bptt_with_given_dloss_dz2_matches_finite_differences(sizes, f1, gradient_check):
    case = random_case(42, sizes, f1, "softmax")
    gradients = case.network.bptt(case.xs, case.s0, dloss_dz2=case.gs)
    gradient_check.bptt(
        f"rnn_b {sizes} {f1} given g", case.network, WEIGHTS, case.xs, case.s0, gradients, linear_in_z2(case.gs)
    )


@given(
    sizes=st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6)),
    n=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    activations=st.sampled_from(ACTIVATION_CASES),
)
@settings(max_examples=25, deadline=None)
def test_bptt_matches_finite_differences_for_any_size(sizes, n, seed, activations, gradient_check):
    f1, f2, loss = activations
    case = random_case(seed, sizes, f1, f2, n=n)
    gradients = case.network.bptt(case.xs, case.s0, ys=case.ys, loss=loss)
    gradient_check.bptt(
        f"rnn_b {sizes} n={n} seed={seed} {f1}/{f2}/{loss}",
        case.network,
        WEIGHTS,
        case.xs,
        case.s0,
        gradients,
        total_loss(case.ys, loss),
    )


def test_dJ_dx_is_bptt_xs_and_matches_the_linear_closed_form():
    case = random_case(5, (3, 2, 4), "identity", "identity", n=4)
    A, B, C, D = case.network.blocks
    dJ_dx = case.network.dJ_dx(case.xs, case.s0, dloss_dz2=case.gs)
    for t in range(4):
        # dJ/dx_t = (C B + D)^T g_t + sum_{u>t} (C A^(u-t) B)^T g_u
        expected = (C @ B + D).T @ case.gs[t] + sum(
            (C @ np.linalg.matrix_power(A, u - t) @ B).T @ case.gs[u] for u in range(t + 1, 4)
        )
        np.testing.assert_allclose(dJ_dx[t], expected, rtol=1e-12, atol=1e-14)


# -- part (f): the per-step derivative ------------------------------------------------


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(("f1", "f2", "loss"), ACTIVATION_CASES)
def test_dloss_t_dx_t_matches_finite_differences_of_loss_t(sizes, f1, f2, loss, gradient_check):
    case = random_case(51, sizes, f1, f2)
    network = case.network
    trace = network.forward(case.xs, case.s0)
    for index in range(len(case.xs)):

        def loss_t(x_t, index=index):
            xs = case.xs[:index] + [x_t] + case.xs[index + 1 :]
            return loss_value(loss, network.forward(xs, case.s0).p[index], case.ys[index])

        g_t = dloss_dz2(loss, trace.z2[index], case.ys[index], f2)
        gradient_check(
            f"rnn_b {sizes} {f1}/{f2}/{loss} dLoss_{index + 1}/dx_{index + 1}",
            loss_t,
            case.xs[index],
            network.dloss_t_dx_t(trace.s_prev(index + 1), case.xs[index], g_t),
        )


@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize("f1", ["identity", "tanh"])
def test_dloss_t_dx_t_with_given_g_matches_finite_differences(sizes, f1, gradient_check):
    case = random_case(52, sizes, f1, "softmax")
    network = case.network
    trace = network.forward(case.xs, case.s0)
    index = len(case.xs) - 2

    def loss_t(x_t):
        xs = case.xs[:index] + [x_t] + case.xs[index + 1 :]
        return (case.gs[index].T @ network.forward(xs, case.s0).z2[index]).item()

    gradient_check(
        f"rnn_b {sizes} {f1} given g dLoss_t/dx_t",
        loss_t,
        case.xs[index],
        network.dloss_t_dx_t(trace.s_prev(index + 1), case.xs[index], case.gs[index]),
    )


@pytest.mark.parametrize("sizes", SIZES)
def test_dloss_t_dx_t_is_the_closed_form_of_part_f(sizes):
    # we-recur.md: dLoss_t/dx_t = (C B + D)^T g_t with W_ssx = [A | B], W_ox = [C | D].
    case = random_case(53, sizes, "identity", "softmax")
    network = case.network
    s_dim = network.s_dim
    B = network.W_ssx[:, s_dim:]
    C = network.W_ox[:, :s_dim]
    D = network.W_ox[:, s_dim:]
    trace = network.forward(case.xs, case.s0)
    for index, g_t in enumerate(case.gs):
        np.testing.assert_allclose(
            network.dloss_t_dx_t(trace.s_prev(index + 1), case.xs[index], g_t),
            (C @ B + D).T @ g_t,
            rtol=1e-13,
            atol=1e-14,
        )
        # With f1 the identity neither s_{t-1} nor x_t is needed.
        np.testing.assert_allclose(
            network.dloss_t_dx_t(None, None, g_t), (C @ B + D).T @ g_t, rtol=1e-13, atol=1e-14
        )


def test_dloss_t_dx_t_needs_the_state_for_a_nonlinear_f1():
    network = random_case(0, (2, 2, 2), "tanh", "softmax").network
    with pytest.raises(ValueError, match="s_prev and x_t are needed"):
        network.dloss_t_dx_t(None, None, np.ones((2, 1)))


# -- generation (parts (d), (e)) -------------------------------------------------------


def test_next_input_rules():
    p = np.array([[0.2], [0.5], [0.3]])
    assert set(NEXT_INPUT_RULES) == {"output", "one_hot_argmax"}
    assert NEXT_INPUT_RULES["output"] is next_input_is_output
    assert NEXT_INPUT_RULES["one_hot_argmax"] is next_input_one_hot_argmax
    copied = next_input_is_output(p)
    np.testing.assert_allclose(copied, p, rtol=0, atol=0)
    assert copied is not p and copied.dtype == np.float64
    np.testing.assert_allclose(next_input_one_hot_argmax(p), [[0.0], [1.0], [0.0]], rtol=0, atol=0)
    np.testing.assert_allclose(next_input_is_output(p.ravel()), p, rtol=0, atol=0)


def test_one_hot_breaks_ties_at_the_first_maximum():
    np.testing.assert_allclose(next_input_one_hot_argmax(np.array([[0.4], [0.4], [0.2]])), [[1.0], [0.0], [0.0]], rtol=0, atol=0)


def test_generate_feeds_each_output_back_by_default():
    case = random_case(61, (3, 4, 4), "identity", "softmax")
    x1 = case.xs[0]
    generation = case.network.generate(x1, 5)
    assert len(generation.ps) == len(generation.xs) == 5
    np.testing.assert_allclose(generation.xs[0], x1, rtol=0, atol=0)
    for t in range(1, 5):
        np.testing.assert_allclose(generation.xs[t], generation.ps[t - 1], rtol=0, atol=0)  # x_{t+1} = p_t
    # The same inputs through forward give the same outputs.
    for generated, forward in zip(generation.ps, case.network.forward(generation.xs).p):
        np.testing.assert_allclose(generated, forward, rtol=0, atol=0)


def test_generate_with_the_one_hot_rule():
    case = random_case(62, (2, 3, 3), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 4, next_input=NEXT_INPUT_RULES["one_hot_argmax"])
    for t in range(1, 4):
        expected = np.zeros((3, 1))
        expected[np.argmax(generation.ps[t - 1])] = 1.0
        np.testing.assert_allclose(generation.xs[t], expected, rtol=0, atol=0)


def test_generate_uses_s0():
    case = random_case(63, (2, 2, 2), "identity", "softmax")
    with_zero = case.network.generate(case.xs[0], 2)
    with_s0 = case.network.generate(case.xs[0], 2, s0=case.s0)
    np.testing.assert_allclose(with_s0.ps[0], case.network.forward([case.xs[0]], case.s0).p[0], rtol=0, atol=0)
    assert not np.allclose(with_zero.ps[0], with_s0.ps[0], rtol=1e-9, atol=1e-12)


def test_generate_coerces_what_the_rule_returns():
    case = random_case(64, (2, 2, 2), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 3, next_input=lambda p: p.ravel().tolist())
    for t in range(1, 3):
        assert generation.xs[t].shape == (2, 1) and generation.xs[t].dtype == np.float64
        np.testing.assert_allclose(generation.xs[t], generation.ps[t - 1], rtol=0, atol=0)
    integers = case.network.generate(case.xs[0], 2, next_input=lambda p: np.array([1, 0]))
    assert integers.xs[1].dtype == np.float64


def test_a_rule_may_map_between_sizes():
    case = random_case(65, (2, 3, 4), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 3, next_input=lambda p: p[:3])
    np.testing.assert_allclose(generation.xs[2], generation.ps[1][:3], rtol=0, atol=0)


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (lambda p: np.zeros((3, 1)), r"x_2 as 2 real numbers, shape \(2, 1\); got 3 numbers, shape \(3, 1\)"),
        (lambda p: None, "got NoneType"),
        (lambda p: "ab", "got str"),
        (lambda p: np.array([[1j], [0.0]]), "complex"),
        (lambda p: [[1.0], [2.0, 3.0]], "got list"),
    ],
)
def test_generate_rejects_what_is_not_an_input(rule, message):
    case = random_case(66, (2, 2, 2), "identity", "softmax")
    with pytest.raises(ValueError, match=message):
        case.network.generate(case.xs[0], 3, next_input=rule)


def test_exceptions_from_the_rule_propagate_unchanged():
    class StudentError(Exception):
        pass

    raised = StudentError("from the student's code")

    def rule(p_t):
        raise raised

    case = random_case(67, (2, 2, 2), "identity", "softmax")
    with pytest.raises(StudentError) as caught:
        case.network.generate(case.xs[0], 2, next_input=rule)
    assert caught.value is raised


def test_a_rule_that_writes_into_its_argument_cannot_change_the_outputs():
    def vandal(p_t):
        result = p_t.copy()
        p_t[:] = 123.0
        return result

    case = random_case(68, (2, 2, 2), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 3, next_input=vandal)
    assert all(np.all(p < 1.0) for p in generation.ps)


def test_the_default_rule_needs_equal_output_and_input_sizes():
    case = random_case(69, (2, 3, 4), "identity", "softmax")
    with pytest.raises(ValueError, match="p_dim == x_dim"):
        case.network.generate(case.xs[0], 2)


@pytest.mark.parametrize("n", [0, -1, 2.0, True])
def test_generate_needs_a_positive_integer_length(n):
    case = random_case(70, (2, 2, 2), "identity", "softmax")
    with pytest.raises(ValueError, match="positive integer"):
        case.network.generate(case.xs[0], n)


def test_one_step_never_calls_the_rule():
    def rule(p_t):
        raise AssertionError("called")

    case = random_case(71, (2, 2, 2), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 1, next_input=rule)
    assert len(generation.ps) == len(generation.xs) == 1
