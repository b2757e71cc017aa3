"""The student kit's ``answers``: the reference's answers recorded at build time, replayed.

``_selfcheck/answers.json`` holds what :mod:`autograder.kit.recording` recorded by
running the rubric's visible checks against the question's ``reference/answers.py``.
:func:`load` gives an object with the same names: ``answers.f(*args)`` returns the
answer recorded for exactly these arguments (discrete answers come back sealed,
:class:`~autograder.kit.sealed.Sealed`; arrays as arrays), and constants read as they
were. Arguments the recording never saw (a numpy whose random numbers differ, a
student's rule that leads generation elsewhere) raise
:class:`~autograder.checks.NoAnswer`, which the self-check reports, or which a check
that expects it (a generation off every recorded path) treats as the end of the road;
it never passes a check by mistake.
"""

import json

import numpy as np

from autograder.checks import NoAnswer
from autograder.kit.sealed import Sealed, call_key


class RecordedAnswers:
    """The recorded answers of one kit: its constants, and its functions by name."""

    def __init__(self, book):
        self._book = book
        for name, value in book["constants"].items():
            setattr(self, name, tuple(value) if isinstance(value, list) else value)

    def __getattr__(self, function):
        if function.startswith("_"):
            raise AttributeError(function)

        def answer(*args, **kwargs):
            recorded = self._book["calls"].get(call_key(function, args, kwargs))
            if recorded is None:
                raise self._miss(f"`{function}` on these inputs")
            return self._decode(recorded)

        answer.__name__ = function
        return answer

    def _miss(self, what):
        return NoAnswer(
            f"the self-check has no recorded answer for {what}. It was built with numpy {self._book['numpy']}; this "
            f"is numpy {np.__version__}, whose random numbers may differ. Install numpy {self._book['numpy']}, or ask "
            "your course staff for a kit built for your numpy."
        )

    def _decode(self, value):
        if isinstance(value, dict):
            if "$array" in value:
                return np.array(value["$array"], dtype=np.float64).reshape(value["shape"])
            if "$sealed" in value:
                return Sealed(value["$sealed"], self._book["salt"])
            if "$dict" in value:
                return {key: self._decode(item) for key, item in value["$dict"]}
            if "$tuple" in value:
                return tuple(self._decode(item) for item in value["$tuple"])
            if "$list" in value:
                return [self._decode(item) for item in value["$list"]]
        return value


def load(path):
    """The :class:`RecordedAnswers` of the book at ``path``."""
    with open(path, encoding="utf-8") as stream:
        return RecordedAnswers(json.load(stream))
