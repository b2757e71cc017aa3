"""Tests for reference.dependence: part (f) derived by perturbing RNN-B's weights."""

from __future__ import annotations

import numpy as np
import pytest

from questions.we_recur.reference.dependence import DependenceSetting, derive_dependence, measure_dependence

EXAM_ANSWER = {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": False}
EVERYTHING = {"W_ox": True, "all_W_ox": True, "W_ssx": True, "all_W_ssx": True}
# Each removes one of the three assumptions behind f.iv = FALSE (see we-recur.md).
THREE_CONDITIONS = {
    "nonlinear f1": {"f1": "tanh"},
    "g_t from a real loss": {"g_from_loss": True},
    "future losses included": {"include_future": True},
}


@pytest.mark.parametrize("sizes", [(2, 2, 2), (3, 4, 5), (1, 1, 1), (4, 2, 3)])
def test_exam_setting_uses_exactly_the_input_columns_of_W_ssx_and_all_of_W_ox(sizes):
    s_dim, x_dim, p_dim = sizes
    report = measure_dependence(DependenceSetting(sizes=sizes))
    expected_W_ssx = np.zeros((s_dim, s_dim + x_dim), dtype=bool)
    expected_W_ssx[:, s_dim:] = True  # the block B = W_ssx[:, s_dim:]
    np.testing.assert_array_equal(report.W_ssx_entries, expected_W_ssx)
    np.testing.assert_array_equal(report.W_ox_entries, np.ones((p_dim, s_dim + x_dim), dtype=bool))
    assert report.statements() == EXAM_ANSWER


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_exam_answer_does_not_depend_on_the_seed(seed):
    assert derive_dependence(seed=seed) == EXAM_ANSWER


@pytest.mark.parametrize("condition", THREE_CONDITIONS)
@pytest.mark.parametrize("sizes", [(2, 2, 2), (3, 4, 5)])
def test_each_of_the_three_conditions_makes_f_iv_true(condition, sizes):
    statements = derive_dependence(sizes=sizes, **THREE_CONDITIONS[condition])
    assert statements == EVERYTHING


@pytest.mark.parametrize("loss", ["squared", "nll"])
def test_g_from_either_loss_brings_in_the_state_columns(loss):
    report = measure_dependence(DependenceSetting(g_from_loss=True, loss=loss))
    assert report.W_ssx_entries.all()


def test_statements_are_plain_bools():
    assert all(type(value) is bool for value in derive_dependence().values())


def test_a_first_step_or_a_last_step_is_refused():
    # At t = 1 with s_0 = 0 the state columns could not matter for a trivial reason, and
    # at t = n there is no future loss to include.
    with pytest.raises(ValueError, match="1 < t < n"):
        measure_dependence(DependenceSetting(t=1))
    with pytest.raises(ValueError, match="1 < t < n"):
        measure_dependence(DependenceSetting(t=3, n=3))


def test_zero_trials_are_refused():
    with pytest.raises(ValueError, match="trials must be at least 1"):
        derive_dependence(trials=0)
