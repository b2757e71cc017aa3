"""The student kit's oracle: answers recorded from the reference, replayed.

Shipped as ``question/checks/oracle.py`` in the kit, beside ``oracle_answers.json``,
which :mod:`autograder.kit.recording_oracle` wrote by running the rubric's visible
checks against the reference implementation. It offers what the checks import from the
grader's oracle:

``answer_key``
    ``answer_key.rnn_a_dloss_dx(...)`` and the others return the answer recorded for
    exactly these inputs; shapes and booleans come back sealed
    (:class:`~autograder.kit.sealed.Sealed`), arrays as arrays.
``RNNB``, ``generate_together`` and ``NEXT_INPUT_RULES``
    generation with the recorded reference trajectories of the reference's own rule
    and the one-hot rule. With the student's rule, each step gives the recorded ``p_t``; as
    soon as the student's ``x_{t+1}`` leaves both trajectories the generation is cut
    short as diverged, so the check reaches the verdict Gradescope reaches ("did not
    reproduce"). Unlike Gradescope, the student's rule is then not called for the
    remaining steps of that generation.

Inputs the recording never saw (a numpy whose random numbers differ) raise
:class:`OracleMiss`, which the self-check reports; it never passes a check by mistake.
"""

import json
from pathlib import Path

import numpy as np

from autograder.checks.values import close
from autograder.kit.sealed import DEFAULT_RULE, Sealed, call_key, generation_key, network_key

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

    def __init__(self, W_ssx, W_ox, f2=None, *, f1=None):
        self._key = network_key(W_ssx, W_ox, f2, f1)

    def generate(self, x1, n, next_input=None, s0=None):
        """``n`` steps from ``x1``; ``next_input`` is a recorded rule or the student's."""
        rule = next_input if next_input is None or isinstance(next_input, _RecordedRule) else (
            lambda ps: [next_input(ps[0])]
        )
        (generation,) = generate_together([self], [x1], n, next_inputs=rule, s0s=[s0])
        return generation

    def _trajectories(self, x1, n, s0):
        """The recorded ``{rule name: (ps, xs)}`` of this network from ``x1``."""
        recorded = _BOOK["networks"].get(generation_key(self._key, x1, n, s0))
        if recorded is None:
            raise _miss("this network")
        return {name: (_decode(run["ps"]), _decode(run["xs"])) for name, run in recorded.items()}


def generate_together(networks, x1s, n, next_inputs=None, s0s=None):
    """The reference's ``generate_together``, replayed: ``next_inputs`` is a recorded rule
    (or None, the exam's rule) or the student's rule over a list of outputs. A generation
    whose input leaves every recorded trajectory ends there, as diverged (NaN from then
    on), so the check reaches Gradescope's verdict ("did not reproduce"); unlike
    Gradescope, the student's rule is then sent the outputs of the other generations only.
    """
    s0s = [None] * len(networks) if s0s is None else s0s
    recorded = [network._trajectories(x1, n, s0) for network, x1, s0 in zip(networks, x1s, s0s)]
    if next_inputs is None or isinstance(next_inputs, _RecordedRule):
        name = DEFAULT_RULE if next_inputs is None else next_inputs.name
        return [Generation(*trajectories[name]) for trajectories in recorded]
    runs = [_Replay(trajectories.values(), x1) for trajectories, x1 in zip(recorded, x1s)]
    for t in range(n):
        for run in runs:
            run.step(t)
        live = [run for run in runs if not run.diverged]
        if t + 1 < n and live:
            for run, x in zip(live, next_inputs([run.ps[-1].copy() for run in live])):
                run.x = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    return [run.generation(n) for run in runs]


class _Replay:
    """One generation with the student's rule, along the recorded trajectories it follows."""

    def __init__(self, trajectories, x1):
        self.following = list(trajectories)
        self.x = np.asarray(x1, dtype=np.float64).reshape(-1, 1)
        self.ps, self.xs = [], []
        self.diverged = False

    def step(self, t):
        if self.diverged:
            return
        self.xs.append(self.x)
        self.following = [(ps, xs) for ps, xs in self.following if close(self.x, xs[t])]
        if not self.following:  # no recorded p_t exists for this input
            self.diverged = True
            return
        self.ps.append(self.following[0][0][t])

    def generation(self, n):
        nothing = np.full_like(self.x, np.nan)
        return Generation(self.ps + [nothing] * (n - len(self.ps)), self.xs + [nothing] * (n - len(self.xs)))


answer_key = _AnswerKey(_BOOK["constants"])
NEXT_INPUT_RULES = {name: _RecordedRule(name) for name in _BOOK["rules"]}

__all__ = ["NEXT_INPUT_RULES", "RNNB", "answer_key", "generate_together"]
