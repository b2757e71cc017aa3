"""Regression tests pinning reference.answer_key to the exam's official answers."""

from __future__ import annotations

import inspect
import warnings

import numpy as np
import pytest

from questions.we_recur.reference import answer_key
from questions.we_recur.reference.rnn_a import RNNA
from questions.we_recur.reference.rnn_b import RNNB


def test_grader_facing_signatures_are_stable():
    # The grader calls these by name and position; renaming breaks it.
    expected = {
        "rnn_a_shapes": ["s_dim", "x_dim", "p_dim"],
        "rnn_a_dloss_dx": ["W_ss", "W_sx", "W_o", "x_t", "dloss_dz2"],
        "rnn_b_shapes": ["s_dim", "x_dim", "p_dim"],
        "rnn_b_f2": ["z"],
        "rnn_b_next_input": ["p_t"],
        "rnn_b_dloss_dx_depends_on": ["seed", "trials"],
    }
    for name, parameters in expected.items():
        assert list(inspect.signature(getattr(answer_key, name)).parameters) == parameters, name
    assert answer_key.PART_F_KEYS == ("W_ox", "all_W_ox", "W_ssx", "all_W_ssx")


# -- (a) and (c): shapes --------------------------------------------------------------


def test_part_a_official_shapes_all_2x2():
    assert answer_key.rnn_a_shapes() == {"W_ss": (2, 2), "W_sx": (2, 2), "W_o": (2, 2)}


def test_part_c_official_shapes_both_2x4():
    assert answer_key.rnn_b_shapes() == {"W_ssx": (2, 4), "W_ox": (2, 4)}


def test_shapes_at_other_sizes_are_plain_ints():
    assert answer_key.rnn_a_shapes(3, 4, 5) == {"W_ss": (3, 3), "W_sx": (3, 4), "W_o": (5, 3)}
    assert answer_key.rnn_b_shapes(3, 4, 5) == {"W_ssx": (3, 7), "W_ox": (5, 7)}
    for shapes in (answer_key.rnn_a_shapes(3, 4, 5), answer_key.rnn_b_shapes(3, 4, 5)):
        assert all(type(size) is int for shape in shapes.values() for size in shape)


# -- (b): W_sx^T W_o^T dLoss/dz2_t --------------------------------------------------------


@pytest.mark.parametrize("sizes", [(2, 2, 2), (3, 4, 5)])
def test_part_b_is_W_sx_T_W_o_T_g(sizes):
    s_dim, x_dim, p_dim = sizes
    rng = np.random.default_rng(81)
    W_ss = rng.standard_normal((s_dim, s_dim))
    W_sx = rng.standard_normal((s_dim, x_dim))
    W_o = rng.standard_normal((p_dim, s_dim))
    x_t = rng.standard_normal((x_dim, 1))
    g = rng.standard_normal((p_dim, 1))
    answer = answer_key.rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, g)
    assert answer.shape == (x_dim, 1) and answer.dtype == np.float64
    np.testing.assert_allclose(answer, W_sx.T @ W_o.T @ g, rtol=1e-14, atol=1e-15)
    # Neither W_ss nor x_t enters the answer.
    other = answer_key.rnn_a_dloss_dx(
        rng.standard_normal((s_dim, s_dim)), W_sx, W_o, rng.standard_normal((x_dim, 1)), g
    )
    np.testing.assert_allclose(other, answer, rtol=0, atol=0)


def test_part_b_is_the_derivative_of_loss_t_in_the_linear_network():
    rng = np.random.default_rng(82)
    network = RNNA(rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), rng.standard_normal((2, 2)))
    xs = [rng.standard_normal((2, 1)) for _ in range(3)]
    g = rng.standard_normal((2, 1))
    # Loss_2 = g . z2_2 has dLoss_2/dz2_2 = g; its x_2-derivative is linear, so exact.
    step = 1.0
    basis = np.eye(2)
    by_differences = np.array(
        [
            [
                (
                    g.T
                    @ (
                        network.forward([xs[0], xs[1] + step * basis[:, [i]], xs[2]]).z2[1]
                        - network.forward([xs[0], xs[1], xs[2]]).z2[1]
                    )
                ).item()
                / step
            ]
            for i in range(2)
        ]
    )
    np.testing.assert_allclose(
        answer_key.rnn_a_dloss_dx(network.W_ss, network.W_sx, network.W_o, xs[1], g),
        by_differences,
        rtol=1e-12,
        atol=1e-13,
    )


# -- (d): softmax ------------------------------------------------------------------------


def test_part_d_is_softmax():
    z = np.array([[1.0], [2.0]])
    np.testing.assert_allclose(answer_key.rnn_b_f2(z), np.exp(z) / np.exp(z).sum(), rtol=1e-15, atol=0)
    assert answer_key.rnn_b_f2(np.array([0.5, -0.5, 2.0])).shape == (3,)


def test_part_d_softmax_survives_large_scores():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = answer_key.rnn_b_f2(np.array([[1000.0], [999.0]]))
    assert np.all(np.isfinite(p))
    np.testing.assert_allclose(p.sum(), 1.0, rtol=0, atol=1e-15)


# -- (e): x_2 = p_1 ----------------------------------------------------------------------


def test_part_e_feeds_p_1_back_as_x_2():
    p_1 = np.array([[0.25], [0.75]])
    x_2 = answer_key.rnn_b_next_input(p_1)
    np.testing.assert_allclose(x_2, p_1, rtol=0, atol=0)
    assert x_2.shape == (2, 1) and x_2.dtype == np.float64
    assert x_2 is not p_1
    x_2[0, 0] = 9.0
    assert p_1[0, 0] == 0.25


def test_part_e_rule_in_a_generation_at_exam_size():
    rng = np.random.default_rng(83)
    network = RNNB(rng.standard_normal((2, 4)), rng.standard_normal((2, 4)))
    generation = network.generate(rng.standard_normal((2, 1)), 2, next_input=answer_key.rnn_b_next_input)
    np.testing.assert_allclose(generation.xs[1], generation.ps[0], rtol=0, atol=0)


# -- (f): derived, not typed in ------------------------------------------------------------


def test_part_f_derived_key_is_the_official_answer():
    key = answer_key.rnn_b_dloss_dx_depends_on()
    assert tuple(key) == answer_key.PART_F_KEYS
    assert tuple(key[name] for name in answer_key.PART_F_KEYS) == (True, True, True, False)
    assert all(type(value) is bool for value in key.values())


@pytest.mark.parametrize("seed", [1, 7, 2019])
def test_part_f_key_is_stable_across_seeds_and_trials(seed):
    key = answer_key.rnn_b_dloss_dx_depends_on(seed=seed, trials=2)
    assert key == {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
