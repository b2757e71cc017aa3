"""The grader's memory of the reference's answers (autograder/remembered.py) and
``checks.call_all``: what is remembered is what a fresh call gives, and a check that
calls together meets a failure where its loop would."""

import types

import numpy as np
import pytest

from autograder.checks import call_all
from autograder.remembered import RememberedAnswers, computed_once, key_of
from autograder.sandbox.errors import StudentRaised


def counting_module(cost_seconds=0.0):
    """A stand-in answers module whose functions count their calls."""
    calls = []

    def slow_sum(a, b=0.0):
        calls.append((a, b))
        if cost_seconds:
            import time

            time.sleep(cost_seconds)
        return {"total": np.asarray(a) + b, "parts": (np.asarray(a), [b])}

    def fails(x):
        calls.append(x)
        raise ValueError("undefined here")

    module = types.SimpleNamespace(slow_sum=slow_sum, fails=fails, KEYS=("i", "ii"), calls=calls)
    return module


def test_a_repeated_question_is_answered_from_memory_as_a_copy():
    module = counting_module(cost_seconds=0.001)
    answers = RememberedAnswers(module)
    first = answers.slow_sum(np.array([1.0, 2.0]), b=0.5)
    first["total"][0] = 99.0  # the caller's own copy
    first["parts"][1].append("changed")
    again = answers.slow_sum(np.array([1.0, 2.0]), b=0.5)
    assert len(module.calls) == 1
    assert again["total"].tolist() == [1.5, 2.5] and again["parts"][1] == [0.5]
    assert answers.KEYS == ("i", "ii")  # constants pass through


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (0.0, -0.0),  # equal as numbers, different questions (1/x)
        (np.array([1.0, 2.0]), np.array([[1.0, 2.0]])),  # same bytes, another shape
        (np.array([1, 2], dtype=np.int64), np.array([1.0, 2.0]).view(np.int64)[:0]),
        (np.array([1.0, 2.0]), np.array([1.0, 2.0], dtype=np.float32)),
        ((1, 2), [1, 2]),
        (True, 1),
        (np.float64(1.0), 1.0),
    ],
)
def test_different_questions_have_different_keys(one, other):
    assert key_of(one) != key_of(other)


def test_equal_questions_share_a_key():
    assert key_of((np.array([[1.0], [2.0]]), {"b": 2, "a": [1.5]})) == key_of(
        (np.array([[1.0], [2.0]]), {"a": [1.5], "b": 2})
    )


def test_unknown_arguments_and_failures_are_computed_every_time():
    module = counting_module(cost_seconds=0.001)
    module.describe = lambda value: module.calls.append(value) or type(value).__name__
    answers = RememberedAnswers(module)

    class Opaque:
        pass

    assert answers.describe(Opaque()) == answers.describe(Opaque()) == "Opaque"
    assert len(module.calls) == 2
    for _ in range(2):
        with pytest.raises(ValueError):
            answers.fails(3.0)
    assert len(module.calls) == 4
    assert not answers._known


def test_a_function_cheaper_than_its_key_is_not_remembered():
    module = counting_module(cost_seconds=0.0)
    answers = RememberedAnswers(module)
    for value in range(20):
        answers.slow_sum(float(value))
    assert len(answers._known) <= 8  # past its trial calls, nothing more is kept
    assert answers.slow_sum(3.0)["total"] == 3.0


def test_the_memory_is_bounded():
    module = counting_module(cost_seconds=0.0005)
    answers = RememberedAnswers(module, max_entries=4)
    for value in range(10):
        answers.slow_sum(float(value))
    assert len(answers._known) <= 4


class Student:
    """A student whose function raises for one argument; counts the exchanges."""

    def __init__(self, bad):
        self.bad = bad
        self.exchanges = 0

    def call(self, function, *args, **kwargs):
        return self.call_each(function, [(args, kwargs)])[0]

    def call_each(self, function, calls):
        self.exchanges += 1
        values = []
        for args, _ in calls:
            if args[0] == self.bad:
                raise StudentRaised(f"raised on {args[0]}")
            values.append(args[0] * 2)
        return values


def test_call_all_is_one_exchange_when_every_call_succeeds():
    student = Student(bad=None)
    assert list(call_all(student, "f", [((n,), {}) for n in range(5)])) == [0, 2, 4, 6, 8]
    assert student.exchanges == 1


def test_call_all_meets_a_failure_where_the_loop_would():
    student = Student(bad=2)
    returned = call_all(student, "f", [((n,), {}) for n in range(4)])
    assert next(returned) == 0 and next(returned) == 2
    with pytest.raises(StudentRaised, match="raised on 2"):
        next(returned)
    assert student.exchanges == 1 + 3  # the batch, then one call at a time up to the failure


def test_computed_once_per_answers_object_and_arguments():
    made = []
    one, other = object(), object()

    def compute():
        made.append(1)
        return len(made)

    assert computed_once(one, (np.array([1.0]),), compute) == 1
    assert computed_once(one, (np.array([1.0]),), compute) == 1
    assert computed_once(one, (np.array([2.0]),), compute) == 2
    assert computed_once(other, (np.array([1.0]),), compute) == 3  # another object: the kit's, say
