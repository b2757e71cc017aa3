"""Independent verification of Fall 2018 Q7's reference (questions/fall_2018_q7/reference).

Each answer is checked by a route other than the one that computes it: the exam's
published numbers, Jody's W against forward passes on unit inputs, linearity from the
definition, and (c.i) by a concrete witness RNN and a demonstration that Pat's state
groups only ever see their own input entry.
"""

import itertools
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from questions.fall_2018_q7.reference import answers, lookalikes, networks  # noqa: E402

EXAM = {
    "W_sx": np.array([[5.0], [6.0]]),
    "W_ss": np.array([[1.0, 2.0], [3.0, 4.0]]),
    "W_o": np.array([[-3.0, -2.0]]),
    "xs": np.array([[1.0], [-1.0]]),
}
SEEDS = range(40)


def random_network(rng, m, l, v):
    return rng.standard_normal((m, l)), rng.standard_normal((m, m)) / np.sqrt(m), rng.standard_normal((v, m))


def random_sizes(rng):
    return int(rng.integers(1, 6)), int(rng.integers(1, 5)), int(rng.integers(1, 4)), int(rng.integers(1, 9))


# -- (a) ------------------------------------------------------------------------------


def test_exam_states_and_outputs():
    states, outputs = networks.run(**EXAM)
    np.testing.assert_array_equal(states, [[5.0, 6.0], [12.0, 33.0]])  # s_1 = [5, 6], s_2 = [12, 33]
    np.testing.assert_array_equal(outputs, [[-27.0], [-102.0]])
    np.testing.assert_array_equal(answers.forward(**EXAM), [[-27.0], [-102.0]])
    assert answers.integer_outputs(**EXAM) == (-27, -102)
    assert all(type(y) is int for y in answers.integer_outputs(**EXAM))


def test_integer_outputs_refuses_fractions():
    with pytest.raises(ValueError, match="integer"):
        answers.integer_outputs(EXAM["W_sx"] / 7, EXAM["W_ss"], EXAM["W_o"], EXAM["xs"])


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_follows_the_equations_step_by_step(seed):
    rng = np.random.default_rng(seed)
    m, l, v, steps = random_sizes(rng)
    W_sx, W_ss, W_o = random_network(rng, m, l, v)
    xs = rng.standard_normal((steps, l))
    got = answers.forward(W_sx, W_ss, W_o, xs)
    assert got.shape == (steps, v) and got.dtype == np.float64
    state = np.zeros(m)
    for t in range(steps):  # written out per entry, not with the reference's matrix products
        state = np.array([sum(W_sx[i, j] * xs[t, j] for j in range(l)) + sum(W_ss[i, j] * state[j] for j in range(m))
                          for i in range(m)])
        expected = [sum(W_o[i, j] * state[j] for j in range(m)) for i in range(v)]
        np.testing.assert_allclose(got[t], expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_forward_without_activations_is_linear(seed):
    rng = np.random.default_rng(seed)
    m, l, v, steps = random_sizes(rng)
    network = random_network(rng, m, l, v)
    X1, X2 = rng.standard_normal((steps, l)), rng.standard_normal((steps, l))
    a, b = rng.standard_normal(2)
    np.testing.assert_allclose(
        answers.forward(*network, a * X1 + b * X2),
        a * answers.forward(*network, X1) + b * answers.forward(*network, X2),
        rtol=1e-10, atol=1e-10,
    )


def test_run_refuses_shapes_that_do_not_fit():
    with pytest.raises(ValueError, match="shapes do not fit"):
        networks.run(EXAM["W_sx"], EXAM["W_ss"], EXAM["W_o"], np.ones((2, 2)))


# -- (b) ------------------------------------------------------------------------------


def test_jody_is_right_is_a_bool():
    assert answers.jody_is_right() is True


def test_jody_matrix_of_the_exam():
    W = answers.jody_matrix(EXAM["W_sx"], EXAM["W_ss"], EXAM["W_o"], 3)
    # W_o W_sx = -27; W_o W_ss W_sx = [-3, -2] [17; 39] = -129; W_o W_ss^2 W_sx = [-3, -2] [95; 207] = -699
    np.testing.assert_array_equal(W, [[-27, 0, 0], [-129, -27, 0], [-699, -129, -27]])
    np.testing.assert_array_equal(W[:2, :2] @ EXAM["xs"], answers.forward(**EXAM))


@pytest.mark.parametrize("seed", SEEDS)
def test_jody_matrix_columns_are_outputs_of_unit_inputs(seed):
    rng = np.random.default_rng(seed)
    m, n = int(rng.integers(1, 6)), int(rng.integers(1, 9))
    network = random_network(rng, m, 1, 1)
    W = answers.jody_matrix(*network, n)
    assert W.shape == (n, n) and W.dtype == np.float64
    for j in range(n):  # column j of W = the outputs for the input e_j
        np.testing.assert_allclose(W[:, j], answers.forward(*network, np.eye(n)[:, [j]])[:, 0], rtol=1e-12, atol=1e-12)
    X = rng.standard_normal((n, 1))
    np.testing.assert_allclose(W @ X, answers.forward(*network, X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("seed", SEEDS[:10])
def test_lookalikes_are_not_the_answers(seed):
    """A lookalike never explains a right answer, and no two explain the same one."""
    rng = np.random.default_rng(seed)
    network = random_network(rng, 3, 2, 2)
    xs = rng.standard_normal((4, 2))
    right = answers.forward(*network, xs)
    found = lookalikes.forward_lookalikes(*network, xs)
    assert set(found) == {"a.no_recurrence", "a.output_before_update", "a.transposed_recurrence", "a.reversed_time"}
    values = [right, *found.values()]
    for first, second in itertools.combinations(values, 2):
        assert first.shape == second.shape and not np.allclose(first, second)
    small = random_network(rng, 3, 1, 1)
    right = answers.jody_matrix(*small, 4)
    found = lookalikes.jody_matrix_lookalikes(*small, 4)
    for first, second in itertools.combinations([right, *found.values()], 2):
        assert first.shape == second.shape and not np.allclose(first, second)


# -- (c) ------------------------------------------------------------------------------


def test_pat_same_as_rnn_is_a_bool():
    assert answers.pat_same_as_rnn() is False


def test_witness_outputs_one_iff_both_entries_are_one():
    W_sx, W_ss, W_o, f1 = networks.and_witness()
    pairs = list(itertools.product((0.0, 1.0), repeat=2))
    for sequence in itertools.product(pairs, repeat=3):  # every binary sequence of length 3
        xs = np.array(sequence)
        _, outputs = networks.run(W_sx, W_ss, W_o, xs, f1=f1)
        np.testing.assert_array_equal(outputs[:, 0], [float(a and b) for a, b in sequence])
    assert networks.interaction(W_sx, W_ss, W_o, f1) == 1.0


@pytest.mark.parametrize("seed", SEEDS)
def test_pat_state_groups_depend_only_on_their_own_input(seed):
    rng = np.random.default_rng(seed)
    k, l, steps = int(rng.integers(1, 5)), int(rng.integers(2, 5)), int(rng.integers(1, 8))
    W_sx, W_ss = networks.block_separated(
        [rng.standard_normal((k, 1)) for _ in range(l)], [rng.standard_normal((k, k)) / np.sqrt(k) for _ in range(l)]
    )
    W_o = rng.standard_normal((2, k * l))
    xs = rng.standard_normal((steps, l))
    changed = xs.copy()
    changed[:, 1:] = rng.standard_normal((steps, l - 1))  # every entry but x^(1), at every step
    for f1 in (networks.identity, networks.relu, np.tanh):
        states, _ = networks.run(W_sx, W_ss, W_o, xs, f1=f1)
        changed_states, _ = networks.run(W_sx, W_ss, W_o, changed, f1=f1)
        np.testing.assert_array_equal(states[:, :k], changed_states[:, :k])  # s^(1) never changes
        assert not np.allclose(states[:, k:], changed_states[:, k:])


@pytest.mark.parametrize("seed", SEEDS)
def test_pat_outputs_have_no_interaction(seed):
    """With f2 = identity, Pat's output is a sum of one function per input entry, so its
    interaction is 0 whatever k, weights and f1: the witness's 1 is out of its reach."""
    rng = np.random.default_rng(seed)
    k = int(rng.integers(1, 6))
    W_sx, W_ss = networks.block_separated([rng.standard_normal((k, 1)) for _ in range(2)],
                                          [rng.standard_normal((k, k)) for _ in range(2)])
    for f1 in (networks.relu, np.tanh, np.sign):
        assert abs(networks.interaction(W_sx, W_ss, rng.standard_normal((1, 2 * k)), f1)) < 1e-12


def test_block_separated_layout():
    W_sx, W_ss = networks.block_separated([np.ones((2, 1)), 2 * np.ones((2, 1))], [np.eye(2), 3 * np.eye(2)])
    np.testing.assert_array_equal(W_sx, [[1, 0], [1, 0], [0, 2], [0, 2]])
    np.testing.assert_array_equal(W_ss, np.diag([1.0, 1.0, 3.0, 3.0]))


def test_reference_imports_only_numpy_and_the_standard_library():
    folder = REPO / "questions" / "fall_2018_q7" / "reference"
    allowed = set(sys.stdlib_module_names) | {"numpy"}
    for path in folder.glob("*.py"):
        for line in path.read_text().splitlines():
            words = line.split()
            if words[:1] in (["import"], ["from"]) and not words[1].startswith("."):
                assert words[1].split(".")[0] in allowed, (path.name, line)
