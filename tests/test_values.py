"""Tests for autograder.checks.values.close: the grader's tolerance comparison agrees
with ``np.allclose`` on every finite input, including at the edge of the tolerance."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.checks.values import ATOL, RTOL, close

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
