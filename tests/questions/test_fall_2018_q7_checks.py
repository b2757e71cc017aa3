"""Unit tests of Fall 2018 Q7's check helpers: what a reader accepts, notes and refuses,
and that its messages name shapes, never values."""

import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import CheckFailed, Feedback

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from questions.fall_2018_q7.checks import check_q7_a, check_q7_b  # noqa: E402


def test_outputs_as_asked_pass_without_a_note():
    notes = Feedback()
    got = check_q7_a.outputs(np.ones((4, 2)), 4, 2, what="`forward`", feedback=notes)
    assert got.shape == (4, 2) and notes.notes == []


@pytest.mark.parametrize("value", [np.ones((4, 2, 1)), [[[1.0], [1.0]]] * 4])
def test_a_stack_of_columns_is_read_with_a_note(value):
    notes = Feedback()
    assert check_q7_a.outputs(value, 4, 2, what="`forward`", feedback=notes).shape == (4, 2)
    assert len(notes.notes) == 1 and "(T, v)" in notes.notes[0]


def test_a_flat_vector_is_read_only_for_one_output():
    notes = Feedback()
    assert check_q7_a.outputs(np.ones(3), 3, 1, what="`forward`", feedback=notes).shape == (3, 1)
    with pytest.raises(CheckFailed, match=r"expected an array of shape \(T, v\) = \(3, 2\)"):
        check_q7_a.outputs(np.ones(6), 3, 2, what="`forward`", feedback=Feedback())


def test_a_transposed_layout_fails_naming_the_shape():
    with pytest.raises(CheckFailed) as failed:
        check_q7_a.outputs(np.full((2, 5), 7.25), 5, 2, what="`forward`", feedback=Feedback())
    assert "(5, 2)" in str(failed.value) and "7.25" not in str(failed.value)


def test_float32_outputs_are_noted():
    notes = Feedback()
    check_q7_a.outputs(np.ones((2, 1), dtype=np.float32), 2, 1, what="`forward`", feedback=notes)
    assert any("float32" in note for note in notes.notes)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([[-27.0], [-102.0]], (-27, -102)), ([[-27.0000000001], [-102.0]], (-27, -102)), ([[-27.01], [-102.0]], None)],
)
def test_as_integers(values, expected):
    assert check_q7_a.as_integers(np.array(values)) == expected


def test_a_square_matrix_of_the_wrong_size_fails_naming_both_shapes():
    with pytest.raises(CheckFailed, match=r"shape \(3, 3\).*for n = 5; expected an array of shape \(5, 5\)"):
        check_q7_b.square(np.zeros((3, 3)), 5, feedback=Feedback())


def test_recognised_mistakes_are_the_reference_lookalikes():
    """Every mistake a check can name is one the reference computes, and the other way round."""
    from questions.fall_2018_q7.reference import lookalikes

    rng = np.random.default_rng(0)
    forward_keys = lookalikes.forward_lookalikes(*check_q7_a.draw(rng, 2, 1, 1, 3))
    assert set(forward_keys) == set(check_q7_a.MISTAKES)
    matrix_keys = lookalikes.jody_matrix_lookalikes(*check_q7_b.draw(rng, 3))
    assert set(matrix_keys) == set(check_q7_b.MISTAKES)
