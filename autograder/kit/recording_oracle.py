"""Build time only: the oracle that records what the visible checks ask the reference.

:mod:`autograder.kit.build` stages the kit with this module as
``question/checks/oracle.py``, the question's reference as ``question/reference/``
(relative imports reach it, and it is removed before the kit is zipped), and runs :func:`record` in a fresh interpreter: the
rubric's visible checks run against the reference's own answers (through the wire
format, as the sandbox would deliver them), every oracle call they make is recorded,
and :mod:`autograder.kit.replay_oracle` replays them in the kit. For generation, the
trajectories of the reference's own rule and of every other rule are recorded,
whichever rule the check asked for; the reference's rule goes by ``default``, so the
kit does not name it. Of a dict of discrete answers (the (f) key), only the entries a
visible check read are recorded: a hidden item's answer stays out of the kit.
"""

import json
import secrets

import numpy as np

from autograder.kit.sealed import DEFAULT_RULE, call_key, generation_key, network_key, seal
from autograder.sandbox import wire

from ..reference import answer_key as reference_key
from ..reference.rnn_b import NEXT_INPUT_RULES
from ..reference.rnn_b import RNNB as ReferenceRNNB
from ..reference.rnn_b import generate_together as reference_generate_together

SALT = secrets.token_hex(16)
_constants = {}
_calls = {}
_networks = {}


class _Read(dict):
    """A dict answer that remembers which keys the checks read (all, once iterated)."""

    def __init__(self, value):
        super().__init__(value)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def _all(self):
        self.read.update(dict.keys(self))

    def __iter__(self):
        self._all()
        return super().__iter__()

    def keys(self):
        self._all()
        return super().keys()

    def values(self):
        self._all()
        return super().values()

    def items(self):
        self._all()
        return super().items()


def encode(value):
    """``value`` as JSON data: arrays readable, discrete answers (ints, bools, shapes) sealed."""
    if isinstance(value, np.ndarray):
        return {"$array": value.astype(np.float64).ravel().tolist(), "shape": list(value.shape)}
    if isinstance(value, _Read):
        return {"$dict": [[key, encode(item)] for key, item in dict.items(value) if key in value.read]}
    if isinstance(value, dict):
        return {"$dict": [[key, encode(item)] for key, item in value.items()]}
    if isinstance(value, (bool, int, np.bool_, np.integer)) or (
        isinstance(value, (tuple, list)) and all(isinstance(item, (int, np.integer)) for item in value)
    ):
        return {"$sealed": seal(value, SALT)}
    if isinstance(value, (tuple, list)):
        return [encode(item) for item in value]
    if isinstance(value, float):
        return value
    raise TypeError(f"the kit cannot record an answer of type {type(value).__name__}")


class _RecordingAnswerKey:
    def __getattr__(self, name):
        real = getattr(reference_key, name)
        if not callable(real):  # a constant such as PART_F_KEYS, the keys the handout names
            _constants[name] = list(real) if isinstance(real, tuple) else real
            return real

        def answer(*args, **kwargs):
            value = real(*args, **kwargs)
            if isinstance(value, dict):
                value = _Read(value)
            _calls[call_key(name, args, kwargs)] = value  # encoded once the checks are done
            return value

        return answer


class RNNB:
    """The reference RNN-B, recording every generation under every reference rule."""

    def __init__(self, W_ssx, W_ox, f2=None, *, f1=None):
        # An activation the check does not name is the reference's default, and is keyed
        # as not named: the kit's checks then name no activation either.
        named = {key: value for key, value in (("f2", f2), ("f1", f1)) if value is not None}
        self._network = ReferenceRNNB(W_ssx=W_ssx, W_ox=W_ox, **named)
        self._key = network_key(W_ssx, W_ox, f2, f1)

    def generate(self, x1, n, next_input=None, s0=None):
        self._record(x1, n, s0)
        return self._network.generate(x1, n, next_input=next_input, s0=s0)

    def _record(self, x1, n, s0):
        key = generation_key(self._key, x1, n, s0)
        if key not in _networks:
            default = self._network.generate(x1, n, s0=s0)
            _networks[key] = {DEFAULT_RULE: {"ps": encode(default.ps), "xs": encode(default.xs)}}
            for name, rule in NEXT_INPUT_RULES.items():
                run = self._network.generate(x1, n, next_input=rule, s0=s0)
                if not _same_run(run, default):  # the reference's own rule is recorded as the default
                    _networks[key][name] = {"ps": encode(run.ps), "xs": encode(run.xs)}


def _same_run(run, other):
    return all(np.array_equal(a, b) for a, b in zip(run.ps + run.xs, other.ps + other.xs))


def generate_together(networks, x1s, n, next_inputs=None, s0s=None):
    """The reference's ``generate_together``, recording each network as ``RNNB.generate`` does."""
    s0s = [None] * len(networks) if s0s is None else s0s
    for network, x1, s0 in zip(networks, x1s, s0s):
        network._record(x1, n, s0)
    return reference_generate_together([network._network for network in networks], x1s, n, next_inputs, s0s)


answer_key = _RecordingAnswerKey()


class ReferenceStudent:
    """A student whose answers are the reference's, delivered as plain data."""

    def call(self, function, *args, **kwargs):
        return self.call_each(function, [(args, kwargs)])[0]

    def call_each(self, function, calls):
        values = []
        for args, kwargs in calls:
            args, kwargs = _round_trip([list(args), dict(kwargs)])
            values.append(_round_trip(getattr(reference_key, function)(*args, **kwargs)))
        return values


def _round_trip(value):
    blobs = []
    return wire.decode_value(wire.encode_value(value, blobs), blobs)


def record(rubric_path, out_path):
    """Run the visible checks of the kit rubric at ``rubric_path`` against the reference
    and write every answer they asked for to ``out_path``. Exits non-zero, naming the
    checks, if the reference itself does not pass them all."""
    from autograder.kit.selfcheck import KitRubric, run_checks

    rubric = KitRubric.read(rubric_path)
    outcomes = run_checks([rule.check_id for rule in rubric.rules], rubric.seed, ReferenceStudent())
    failed = {check: outcome for check, outcome in outcomes.items() if outcome.label != "passed"}
    if failed:
        details = "\n".join(f"{check}: {o.label}: {o.message}\n{o.internal_error}" for check, o in failed.items())
        raise SystemExit(f"the reference does not pass these visible checks, so they cannot be recorded:\n{details}")
    book = {
        "numpy": np.__version__,
        "salt": SALT,
        "constants": _constants,
        "rules": sorted({name for runs in _networks.values() for name in runs} - {DEFAULT_RULE}),
        "calls": {key: encode(value) for key, value in _calls.items()},
        "networks": _networks,
    }
    with open(out_path, "w", encoding="utf-8") as stream:
        json.dump(book, stream, separators=(",", ":"), sort_keys=True)
