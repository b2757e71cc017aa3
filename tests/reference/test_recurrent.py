"""Tests for reference.recurrent: what both networks share, run on RNN-A and RNN-B alike.

The central finite-difference checks live here: back-propagation through time (every
weight, every input x_t with its future terms, and s_0) and each network's per-step
``dloss_t_dx_t`` (parts (b) and (f)), for several sizes including non-square ones, linear
and nonlinear activations, and both losses.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from questions.we_recur.reference.losses import dloss_dz2, loss_value
from questions.we_recur.reference.rnn_a import RNNA
from questions.we_recur.reference.rnn_b import RNNB

KINDS = ("rnn_a", "rnn_b")
SIZES = [(2, 2, 2), (3, 4, 5), (1, 3, 2), (5, 2, 1)]
# (f1, f2, loss): linear; the exam's RNN-B (no f1, softmax) with both losses; smooth
# nonlinear f1 and f2. For RNN-B a nonlinear f1 exists only to test generality.
ACTIVATION_CASES = [
    ("identity", "identity", "squared"),
    ("identity", "softmax", "nll"),
    ("identity", "softmax", "squared"),
    ("tanh", "sigmoid", "squared"),
    ("sigmoid", "softmax", "nll"),
    ("tanh", "softmax", "squared"),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(("f1", "f2", "loss"), ACTIVATION_CASES)
def test_bptt_with_a_loss_matches_finite_differences(kind, sizes, f1, f2, loss, make_case, gradient_check):
    case = make_case(kind, 21, sizes, f1, f2)
    gradient_check.bptt(
        f"{kind} {sizes} {f1}/{f2}/{loss}", case.network, case.xs, case.s0, ys=case.ys, loss=loss
    )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(("f1", "f2"), [("identity", "identity"), ("tanh", "softmax")])
def test_bptt_with_given_dloss_dz2_matches_finite_differences(kind, sizes, f1, f2, make_case, gradient_check):
    case = make_case(kind, 22, sizes, f1, f2)
    gradient_check.bptt(f"{kind} {sizes} {f1}/{f2} given g", case.network, case.xs, case.s0, dloss_dz2=case.gs)


@given(
    kind=st.sampled_from(KINDS),
    sizes=st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6)),
    n=st.integers(1, 4),
    seed=st.integers(0, 2**32 - 1),
    activations=st.sampled_from(ACTIVATION_CASES + [("sigmoid", "tanh", "squared")]),
)
@settings(max_examples=50, deadline=None)
def test_bptt_matches_finite_differences_for_any_size(kind, sizes, n, seed, activations, make_case, gradient_check):
    f1, f2, loss = activations
    case = make_case(kind, seed, sizes, f1, f2, n=n)
    label = f"{kind} {sizes} n={n} seed={seed} {f1}/{f2}/{loss}"
    gradient_check.bptt(label, case.network, case.xs, case.s0, ys=case.ys, loss=loss)


def per_step_derivative(network, trace, xs, index, g_t):
    """``network.dloss_t_dx_t`` at step ``index + 1``, given what each network's signature asks for."""
    if isinstance(network, RNNA):
        return network.dloss_t_dx_t(trace.z1[index], g_t)
    return network.dloss_t_dx_t(trace.s_prev(index + 1), xs[index], g_t)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(("f1", "f2", "loss"), ACTIVATION_CASES)
def test_dloss_t_dx_t_matches_finite_differences_of_loss_t(kind, sizes, f1, f2, loss, make_case, gradient_check):
    # g_t is computed from the loss at the point; Loss_t alone is differentiated.
    case = make_case(kind, 31, sizes, f1, f2)
    trace = case.network.forward(case.xs, case.s0)
    for index in range(len(case.xs)):

        def loss_t(x_t, index=index):
            xs = case.xs[:index] + [x_t] + case.xs[index + 1 :]
            return loss_value(loss, case.network.forward(xs, case.s0).p[index], case.ys[index])

        g_t = dloss_dz2(loss, trace.z2[index], case.ys[index], f2)
        gradient_check(
            f"{kind} {sizes} {f1}/{f2}/{loss} dLoss_{index + 1}/dx_{index + 1}",
            loss_t,
            case.xs[index],
            per_step_derivative(case.network, trace, case.xs, index, g_t),
        )


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("sizes", SIZES)
@pytest.mark.parametrize(("f1", "f2"), [("identity", "softmax"), ("tanh", "identity")])
def test_dloss_t_dx_t_with_given_g_matches_finite_differences(kind, sizes, f1, f2, make_case, gradient_check):
    # The exam's reading: g_t is given and held fixed, so Loss_t acts as g_t . z2_t.
    case = make_case(kind, 32, sizes, f1, f2)
    trace = case.network.forward(case.xs, case.s0)
    for index in range(len(case.xs)):

        def loss_t(x_t, index=index):
            xs = case.xs[:index] + [x_t] + case.xs[index + 1 :]
            return (case.gs[index].T @ case.network.forward(xs, case.s0).z2[index]).item()

        gradient_check(
            f"{kind} {sizes} {f1}/{f2} given g dLoss_{index + 1}/dx_{index + 1}",
            loss_t,
            case.xs[index],
            per_step_derivative(case.network, trace, case.xs, index, case.gs[index]),
        )


@pytest.mark.parametrize("kind", KINDS)
def test_dJ_dx_is_bptt_xs(kind, make_case):
    case = make_case(kind, 23, (3, 4, 5), "tanh", "softmax")
    from_bptt = case.network.bptt(case.xs, case.s0, ys=case.ys, loss="nll").xs
    for a, b in zip(case.network.dJ_dx(case.xs, case.s0, ys=case.ys, loss="nll"), from_bptt):
        np.testing.assert_allclose(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_gradients_have_the_shapes_of_what_they_differentiate(kind, make_case):
    case = make_case(kind, 24, (3, 4, 5), "tanh", "softmax")
    gradients = case.network.bptt(case.xs, case.s0, dloss_dz2=case.gs)
    for name in type(case.network).weight_shapes(3, 4, 5):
        assert getattr(gradients, name).shape == getattr(case.network, name).shape
    assert [dx.shape for dx in gradients.xs] == [(4, 1)] * len(case.xs)
    assert gradients.s0.shape == (3, 1)


@pytest.mark.parametrize("kind", KINDS)
def test_total_loss_sums_the_steps(kind, make_case):
    case = make_case(kind, 25, (2, 3, 4), "tanh", "softmax")
    outputs = case.network.forward(case.xs, case.s0).p
    expected = sum(loss_value("nll", p, y) for p, y in zip(outputs, case.ys))
    assert case.network.total_loss(case.xs, case.ys, "nll", case.s0) == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize("kind", KINDS)
def test_forward_accepts_a_stacked_array_of_inputs(kind, make_case):
    case = make_case(kind, 26, (2, 3, 2), "tanh", "softmax", n=3)
    from_list = case.network.forward(case.xs, case.s0)
    from_array = case.network.forward(np.stack(case.xs), case.s0)
    for a, b in zip(from_list.p, from_array.p):
        np.testing.assert_allclose(a, b, rtol=0, atol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_forward_defaults_to_a_zero_initial_state(kind, make_case):
    case = make_case(kind, 27, (2, 3, 2), "tanh", "softmax", n=2)
    trace = case.network.forward(case.xs)
    np.testing.assert_allclose(trace.s0, np.zeros((2, 1)), rtol=0, atol=0)
    np.testing.assert_allclose(trace.s_prev(1), np.zeros((2, 1)), rtol=0, atol=0)
    np.testing.assert_allclose(trace.s_prev(2), trace.s[0], rtol=0, atol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_forward_rejects_flat_inputs_and_a_wrong_state(kind, make_case):
    network = make_case(kind, 28, (2, 3, 2)).network
    with pytest.raises(ValueError, match=r"xs\[0\] must have shape \(3, 1\); got \(3,\)"):
        network.forward([np.zeros(3)])
    with pytest.raises(ValueError, match=r"s0 must have shape \(2, 1\)"):
        network.forward([np.zeros((3, 1))], s0=np.zeros((3, 1)))


@pytest.mark.parametrize("kind", KINDS)
def test_bptt_needs_exactly_one_source_of_dloss_dz2(kind, make_case):
    case = make_case(kind, 29, (2, 2, 2))
    with pytest.raises(ValueError, match="not both"):
        case.network.bptt(case.xs, dloss_dz2=case.gs, ys=case.ys, loss="squared")
    with pytest.raises(ValueError, match="either"):
        case.network.bptt(case.xs, ys=case.ys)
    with pytest.raises(ValueError, match="one target per time step"):
        case.network.bptt(case.xs, ys=case.ys[:2], loss="squared")


def test_nll_through_bptt_needs_a_softmax_output(make_case):
    case = make_case("rnn_a", 30, (2, 2, 2), "identity", "identity")
    with pytest.raises(ValueError, match="softmax"):
        case.network.bptt(case.xs, ys=case.ys, loss="nll")


@pytest.mark.parametrize("network_class", [RNNA, RNNB])
@pytest.mark.parametrize("sizes", [(0, 2, 2), (2, -1, 2), (2, 2, 1.5), (True, 2, 2)])
def test_weight_shapes_need_positive_integer_sizes(network_class, sizes):
    with pytest.raises(ValueError, match="must be a positive integer"):
        network_class.weight_shapes(*sizes)
