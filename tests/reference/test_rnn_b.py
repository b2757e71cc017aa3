"""Tests for reference.rnn_b: RNN-B's construction, equations, part (f)'s per-step
derivative in closed form, and one-to-many generation. Finite-difference checks of BPTT
and of the per-step derivative: test_recurrent.py."""

from __future__ import annotations

import re

import numpy as np
import pytest

from questions.we_recur.reference.activations import softmax
from questions.we_recur.reference.rnn_b import (
    NEXT_INPUT_RULES,
    RNNB,
    generate_together,
    next_input_is_output,
    next_input_one_hot_argmax,
)

SIZES = [(2, 2, 2), (3, 4, 5), (1, 3, 2), (5, 2, 1)]


# -- construction ---------------------------------------------------------------------


def test_weight_shapes_stack_state_and_input():
    shapes = RNNB.weight_shapes(3, 4, 5)
    assert shapes == {"W_ssx": (3, 7), "W_ox": (5, 7)}
    assert all(type(size) is int for shape in shapes.values() for size in shape)


def test_sizes_are_inferred_from_the_weights(make_case):
    network = make_case("rnn_b", 0, (3, 4, 5), "identity", "softmax").network
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


def test_forward_follows_the_exam_equations(make_case):
    case = make_case("rnn_b", 1, (3, 4, 5), "identity", "softmax", n=3)
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


def test_z2_in_block_form(make_case):
    # z2_t = C A s_{t-1} + (C B + D) x_t, the identity behind part (f).
    case = make_case("rnn_b", 2, (3, 4, 5), "identity", "identity", n=2)
    A, B, C, D = case.network.blocks
    trace = case.network.forward(case.xs, case.s0)
    np.testing.assert_allclose(
        trace.z2[1], C @ A @ trace.s[0] + (C @ B + D) @ case.xs[1], rtol=1e-13, atol=1e-14
    )


# -- dJ/dx_t and part (f) -------------------------------------------------------------


def test_dJ_dx_matches_the_linear_closed_form(make_case):
    case = make_case("rnn_b", 5, (3, 2, 4), "identity", "identity", n=4)
    A, B, C, D = case.network.blocks
    dJ_dx = case.network.dJ_dx(case.xs, case.s0, dloss_dz2=case.gs)
    for t in range(4):
        # dJ/dx_t = (C B + D)^T g_t + sum_{u>t} (C A^(u-t) B)^T g_u
        expected = (C @ B + D).T @ case.gs[t] + sum(
            (C @ np.linalg.matrix_power(A, u - t) @ B).T @ case.gs[u] for u in range(t + 1, 4)
        )
        np.testing.assert_allclose(dJ_dx[t], expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("sizes", SIZES)
def test_dloss_t_dx_t_is_the_closed_form_of_part_f(sizes, make_case):
    # we-recur.md: dLoss_t/dx_t = (C B + D)^T g_t with W_ssx = [A | B], W_ox = [C | D].
    case = make_case("rnn_b", 53, sizes, "identity", "softmax")
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


def test_dloss_t_dx_t_needs_the_state_for_a_nonlinear_f1(make_case):
    network = make_case("rnn_b", 0, (2, 2, 2), "tanh", "softmax").network
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
    tied = np.array([[0.4], [0.4], [0.2]])
    np.testing.assert_allclose(next_input_one_hot_argmax(tied), [[1.0], [0.0], [0.0]], rtol=0, atol=0)


def test_generate_feeds_each_output_back_by_default(make_case):
    case = make_case("rnn_b", 61, (3, 4, 4), "identity", "softmax")
    x1 = case.xs[0]
    generation = case.network.generate(x1, 5)
    assert len(generation.ps) == len(generation.xs) == 5
    np.testing.assert_allclose(generation.xs[0], x1, rtol=0, atol=0)
    for t in range(1, 5):
        np.testing.assert_allclose(generation.xs[t], generation.ps[t - 1], rtol=0, atol=0)  # x_{t+1} = p_t
    # The same inputs through forward give the same outputs.
    for generated, forward in zip(generation.ps, case.network.forward(generation.xs).p):
        np.testing.assert_allclose(generated, forward, rtol=0, atol=0)


def test_generate_with_the_one_hot_rule(make_case):
    case = make_case("rnn_b", 62, (2, 3, 3), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 4, next_input=NEXT_INPUT_RULES["one_hot_argmax"])
    for t in range(1, 4):
        expected = np.zeros((3, 1))
        expected[np.argmax(generation.ps[t - 1])] = 1.0
        np.testing.assert_allclose(generation.xs[t], expected, rtol=0, atol=0)


def test_generate_uses_s0(make_case):
    case = make_case("rnn_b", 63, (2, 2, 2), "identity", "softmax")
    with_zero = case.network.generate(case.xs[0], 2)
    with_s0 = case.network.generate(case.xs[0], 2, s0=case.s0)
    np.testing.assert_allclose(with_s0.ps[0], case.network.forward([case.xs[0]], case.s0).p[0], rtol=0, atol=0)
    assert not np.allclose(with_zero.ps[0], with_s0.ps[0], rtol=1e-9, atol=1e-12)


def test_generate_coerces_what_the_rule_returns(make_case):
    case = make_case("rnn_b", 64, (2, 2, 2), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 3, next_input=lambda p: p.ravel().tolist())
    for t in range(1, 3):
        assert generation.xs[t].shape == (2, 1) and generation.xs[t].dtype == np.float64
        np.testing.assert_allclose(generation.xs[t], generation.ps[t - 1], rtol=0, atol=0)
    integers = case.network.generate(case.xs[0], 2, next_input=lambda p: np.array([1, 0]))
    assert integers.xs[1].dtype == np.float64


def test_a_rule_may_map_between_sizes(make_case):
    case = make_case("rnn_b", 65, (2, 3, 4), "identity", "softmax")
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
def test_generate_rejects_what_is_not_an_input(rule, message, make_case):
    case = make_case("rnn_b", 66, (2, 2, 2), "identity", "softmax")
    with pytest.raises(ValueError, match=message):
        case.network.generate(case.xs[0], 3, next_input=rule)


def test_exceptions_from_the_rule_propagate_unchanged(make_case):
    class StudentError(Exception):
        pass

    raised = StudentError("from the student's code")

    def rule(p_t):
        raise raised

    case = make_case("rnn_b", 67, (2, 2, 2), "identity", "softmax")
    with pytest.raises(StudentError) as caught:
        case.network.generate(case.xs[0], 2, next_input=rule)
    assert caught.value is raised


def test_a_rule_that_writes_into_its_argument_cannot_change_the_outputs(make_case):
    def vandal(p_t):
        result = p_t.copy()
        p_t[:] = 123.0
        return result

    case = make_case("rnn_b", 68, (2, 2, 2), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 3, next_input=vandal)
    assert all(np.all(p < 1.0) for p in generation.ps)


def test_the_default_rule_needs_equal_output_and_input_sizes(make_case):
    case = make_case("rnn_b", 69, (2, 3, 4), "identity", "softmax")
    with pytest.raises(ValueError, match="p_dim == x_dim"):
        case.network.generate(case.xs[0], 2)


@pytest.mark.parametrize("n", [0, -1, 2.0, True])
def test_generate_needs_a_positive_integer_length(n, make_case):
    case = make_case("rnn_b", 70, (2, 2, 2), "identity", "softmax")
    with pytest.raises(ValueError, match="positive integer"):
        case.network.generate(case.xs[0], n)


def test_one_step_never_calls_the_rule(make_case):
    def rule(p_t):
        raise AssertionError("called")

    case = make_case("rnn_b", 71, (2, 2, 2), "identity", "softmax")
    generation = case.network.generate(case.xs[0], 1, next_input=rule)
    assert len(generation.ps) == len(generation.xs) == 1


# -- several generations in lockstep ----------------------------------------------------


def test_generate_together_gives_each_network_its_own_generation(make_case):
    cases = [make_case("rnn_b", seed, sizes, "identity", "softmax") for seed, sizes in ((72, (2, 3, 3)), (73, (4, 2, 2)))]
    networks = [case.network for case in cases]
    x1s = [case.xs[0] for case in cases]
    one_hot = NEXT_INPUT_RULES["one_hot_argmax"]
    generations = generate_together(networks, x1s, 4, next_inputs=lambda ps: [one_hot(p) for p in ps])
    for network, x1, generation in zip(networks, x1s, generations):
        np.testing.assert_allclose(generation.xs[0], x1, rtol=0, atol=0)
        for t in range(1, 4):  # x_{t+1} is the rule applied to this network's own p_t
            np.testing.assert_allclose(generation.xs[t], one_hot(generation.ps[t - 1]), rtol=0, atol=0)
        for generated, forward in zip(generation.ps, network.forward(generation.xs).p):
            np.testing.assert_allclose(generated, forward, rtol=0, atol=0)
        alone = network.generate(x1, 4, next_input=one_hot)
        assert all(np.array_equal(a, b) for a, b in zip(alone.ps + alone.xs, generation.ps + generation.xs))


def test_generate_together_calls_the_rule_once_per_step_with_every_output_in_order(make_case):
    cases = [make_case("rnn_b", seed, (2, 2, 2), "identity", "softmax") for seed in (74, 75, 76)]
    seen = []

    def rule(ps):
        seen.append([p.copy() for p in ps])
        return ps

    generations = generate_together([c.network for c in cases], [c.xs[0] for c in cases], 5, next_inputs=rule)
    assert len(seen) == 4 and all(len(outputs) == 3 for outputs in seen)
    for t, outputs in enumerate(seen):
        for index, generation in enumerate(generations):
            np.testing.assert_allclose(outputs[index], generation.ps[t], rtol=0, atol=0)


def test_generate_together_uses_each_s0_and_the_default_rule(make_case):
    cases = [make_case("rnn_b", seed, (2, 2, 2), "identity", "softmax") for seed in (77, 78)]
    generations = generate_together([c.network for c in cases], [c.xs[0] for c in cases], 3, s0s=[cases[0].s0, None])
    np.testing.assert_allclose(generations[0].ps, cases[0].network.generate(cases[0].xs[0], 3, s0=cases[0].s0).ps)
    np.testing.assert_allclose(generations[1].ps, cases[1].network.generate(cases[1].xs[0], 3).ps)
    for t in range(1, 3):
        np.testing.assert_allclose(generations[1].xs[t], generations[1].ps[t - 1], rtol=0, atol=0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"x1s_count": 1}, "one entry per generation; got 2, 1, 2"),
        ({"rule": lambda ps: ps[:1]}, "must return 2 inputs, one per generation; got 1"),
        ({"n": 0}, "positive integer"),
    ],
)
def test_generate_together_rejects_mismatched_lists(arguments, message, make_case):
    cases = [make_case("rnn_b", seed, (2, 2, 2), "identity", "softmax") for seed in (79, 80)]
    x1s = [c.xs[0] for c in cases][: arguments.get("x1s_count", 2)]
    with pytest.raises(ValueError, match=re.escape(message)):
        generate_together([c.network for c in cases], x1s, arguments.get("n", 3), next_inputs=arguments.get("rule"))
