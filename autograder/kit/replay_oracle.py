"""The student kit's oracle: answers recorded from the reference, replayed.

Shipped as ``autograder/checks/oracle.py`` in the kit, beside ``oracle_answers.json``,
which :mod:`autograder.kit.recording_oracle` wrote by running the rubric's visible
checks against the reference implementation. It offers what the checks import from the
grader's oracle:

``answer_key``
    ``answer_key.rnn_a_dloss_dx(...)`` and the others return the answer recorded for
    exactly these inputs; shapes and booleans come back sealed
    (:class:`~autograder.kit.sealed.Sealed`), arrays as arrays.
``RNNB`` and ``NEXT_INPUT_RULES``
    generation with the recorded reference trajectories of the exam's rule and the
    one-hot rule. With the student's rule, each step gives the recorded ``p_t``; as
    soon as the student's ``x_{t+1}`` leaves both trajectories the generation is cut
    short as diverged, so the check reaches the verdict Gradescope reaches ("did not
    reproduce"). Unlike Gradescope, the student's rule is then not called for the
    remaining steps.

Inputs the recording never saw (a numpy whose random numbers differ) raise
:class:`OracleMiss`, which the self-check reports; it never passes a check by mistake.
"""

import json
from pathlib import Path

import numpy as np

from autograder.checks.values import close
from autograder.kit.sealed import Sealed, call_key, generation_key, network_key

ANSWERS = Path(__file__).with_name("oracle_answers.json")


class OracleMiss(RuntimeError):
    """No answer was recorded for these inputs."""


def _load():
    with open(ANSWERS, encoding="utf-8") as stream:
        return json.load(stream)


_BOOK = _load()


def _miss(what):
    return OracleMiss(
        f"the self-check has no recorded answer for {what}. It was built with numpy {_BOOK['numpy']}; this is "
        f"numpy {np.__version__}, whose random numbers may differ. Install numpy {_BOOK['numpy']}, or ask your "
        "course staff for a kit built for your numpy."
    )


def _decode(value):
    if isinstance(value, dict):
        if "$array" in value:
            return np.array(value["$array"], dtype=np.float64).reshape(value["shape"])
        if "$sealed" in value:
            return Sealed(value["$sealed"], _BOOK["salt"])
        if "$dict" in value:
            return {key: _decode(item) for key, item in value["$dict"]}
    if isinstance(value, list):
        return [_decode(item) for item in value]
    return value


class _AnswerKey:
    """The recorded ``reference.answer_key``: its constants, and its functions by name."""

    def __init__(self, constants):
        for name, value in constants.items():
            setattr(self, name, tuple(value) if isinstance(value, list) else value)

    def __getattr__(self, function):
        if function.startswith("_"):
            raise AttributeError(function)

        def answer(*args, **kwargs):
            recorded = _BOOK["calls"].get(call_key(function, args, kwargs))
            if recorded is None:
                raise _miss(f"`{function}` on these inputs")
            return _decode(recorded)

        answer.__name__ = function
        return answer


class Generation:
    """What one-to-many generation produced: outputs ``ps`` and inputs ``xs``, ``(dim, 1)`` each."""

    def __init__(self, ps, xs):
        self.ps = ps
        self.xs = xs


class _RecordedRule:
    """Stands for one of the reference's next-input rules; its trajectory is recorded."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<recorded rule {self.name}>"


class RNNB:
    """An RNN-B known by its recorded generations (same constructor as the reference's)."""

    def __init__(self, W_ssx, W_ox, f2="softmax", *, f1="identity"):
        self._key = network_key(W_ssx, W_ox, f2, f1)

    def generate(self, x1, n, next_input=None, s0=None):
        """``n`` steps from ``x1``; ``next_input`` is a recorded rule or the student's."""
        recorded = _BOOK["networks"].get(generation_key(self._key, x1, n, s0))
        if recorded is None:
            raise _miss("this network")
        trajectories = {name: (_decode(run["ps"]), _decode(run["xs"])) for name, run in recorded.items()}
        if isinstance(next_input, _RecordedRule):
            return Generation(*trajectories[next_input.name])
        return _replay(trajectories.values(), x1, n, next_input)


def _replay(trajectories, x1, n, next_input):
    """Generate with the student's rule along the recorded trajectories it follows."""
    following = list(trajectories)
    x = np.asarray(x1, dtype=np.float64).reshape(-1, 1)
    ps, xs = [], []
    for t in range(n):
        xs.append(x)
        following = [(rec_ps, rec_xs) for rec_ps, rec_xs in following if close(x, rec_xs[t])]
        if not following:  # diverged: no recorded p_t exists for this input
            nothing = np.full_like(x, np.nan)
            return Generation(ps + [nothing] * (n - len(ps)), xs + [nothing] * (n - len(xs)))
        p = following[0][0][t]
        ps.append(p)
        if t + 1 < n:
            x = np.asarray(next_input(p.copy()), dtype=np.float64).reshape(-1, 1)
    return Generation(ps, xs)


answer_key = _AnswerKey(_BOOK["constants"])
NEXT_INPUT_RULES = {name: _RecordedRule(name) for name in _BOOK["rules"]}

__all__ = ["NEXT_INPUT_RULES", "RNNB", "answer_key"]
