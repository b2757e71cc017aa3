"""Tests for autograder.checks.values: the grader's tolerance comparison agrees with
``np.allclose`` on every finite float64 input, including at the edge of the tolerance,
judges narrower floats at their precision, and the readings a TA accepts are read."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.checks import CheckFailed, Feedback
from autograder.checks.values import ATOL, RTOL, close, column, items_in_order, real_array, shape_pair, truth

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)
shapes = hnp.array_shapes(min_dims=1, max_dims=2, max_side=5)


@settings(max_examples=300, deadline=None)
@given(hnp.arrays(np.float64, shapes, elements=finite), st.data())
def test_close_agrees_with_allclose(expected, data):
    scale = data.draw(st.sampled_from([0.0, 1e-12, 1e-9, 1e-7, 1e-6, 1e-3]))
    noise = data.draw(hnp.arrays(np.float64, expected.shape, elements=st.floats(-1, 1)))
    actual = expected + noise * (scale * np.abs(expected) + scale)
    assert close(actual, expected) == bool(np.allclose(actual, expected, rtol=RTOL, atol=ATOL))


def test_close_at_the_edge_of_the_tolerance():
    expected = np.array([[1.0], [0.0]])
    inside = expected + np.array([[0.9 * RTOL], [0.9 * ATOL]])
    outside = expected + np.array([[0.0], [1.1 * ATOL]])
    assert close(inside, expected)
    assert not close(outside, expected)


def test_close_needs_the_same_shape():
    assert not close(np.zeros((2, 1)), np.zeros((1, 2)))
    assert not close(np.zeros((2, 1)), np.zeros((2,)))


# -- readings a TA accepts ----------------------------------------------------------------------

@pytest.mark.parametrize("value, reading", [
    (True, True), (False, False), (1, True), (0, False), ("True", True), ("false", False), (" T ", True),
    ("F", False), ("yes", True), ("No", False), (np.array(True), True), (np.array(0), False),
])
def test_truth_readings(value, reading):
    notes = Feedback()
    assert truth(value, what="x", feedback=notes) is reading
    assert bool(notes.notes) == (type(value) is not bool), "every reading but a bool is noted"


@pytest.mark.parametrize("value", ["maybe", "", "TF", 2, -1, 0.5, None, [True], "Truee"])
def test_ambiguous_truths_fail_quoting_the_value(value):
    with pytest.raises(CheckFailed, match="does not read as either") as failed:
        truth(value, what="x", feedback=Feedback())
    if isinstance(value, str):
        assert repr(value[:40]) in str(failed.value)


@pytest.mark.parametrize("text, pair", [
    ("3x5", (3, 5)), ("3 x 5", (3, 5)), ("3×5", (3, 5)), ("(3, 5)", (3, 5)), ("[3,5]", (3, 5)), ("3 by 5", (3, 5)),
    (" 12X1 ", (12, 1)),
])
def test_shape_text_readings(text, pair):
    notes = Feedback()
    assert shape_pair(text, what="s", feedback=notes) == pair
    assert notes.notes


@pytest.mark.parametrize("text", ["3x", "two by two", "3x5x1", "(3, )", "-3x5", "3.5x2"])
def test_ambiguous_shape_texts_fail(text):
    with pytest.raises(CheckFailed, match="does not read as one"):
        shape_pair(text, what="s", feedback=Feedback())


def test_a_list_in_statement_order_is_read_as_the_dict():
    notes = Feedback()
    assert items_in_order([True, "F", 1, 0], ("i", "ii", "iii", "iv"), what="f", feedback=notes) == {
        "i": True, "ii": "F", "iii": 1, "iv": 0}
    assert "statement order" in notes.notes[0]
    with pytest.raises(CheckFailed):
        items_in_order([True, False], ("i", "ii", "iii", "iv"), what="f", feedback=notes)


def test_a_scalar_is_described_as_a_scalar_not_an_array():
    with pytest.raises(CheckFailed) as failed:
        column(3, 2, what="f", feedback=Feedback())
    assert "shape ()" not in str(failed.value) and "single int" in str(failed.value)


def expected_b(rng):
    W_sx, W_o, g = rng.standard_normal((2, 2)), rng.standard_normal((2, 2)), rng.standard_normal((2, 1))
    return W_sx, W_o, g, W_sx.T @ W_o.T @ g


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
def test_a_right_answer_in_a_narrower_float_passes_at_its_precision(dtype):
    rng = np.random.default_rng(0)
    for _ in range(2000):
        W_sx, W_o, g, expected = expected_b(rng)
        answer = W_sx.T.astype(dtype) @ (W_o.T.astype(dtype) @ g.astype(dtype))
        returned = real_array(answer, what="b")
        assert returned.precision == np.dtype(dtype).name
        assert close(returned, expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_a_wrong_answer_fails_at_every_precision(dtype):
    """As the checks judge it: a wrong answer fails when it misses on any of 25 draws (at
    float16 a single draw of a wrong product can land within the tolerance)."""
    rng = np.random.default_rng(1)
    wrong_answers = (
        lambda W_sx, W_o, g: W_sx @ W_o @ g,
        lambda W_sx, W_o, g: -(W_sx.T @ W_o.T @ g),
        lambda W_sx, W_o, g: W_o.T @ W_sx.T @ g,
    )
    for wrong in wrong_answers:
        for _ in range(40):
            draws = [expected_b(rng) for _ in range(25)]
            assert not all(
                close(real_array(wrong(W_sx, W_o, g).astype(dtype), what="b"), expected)
                for W_sx, W_o, g, expected in draws
            )
