"""Build time only: record what the visible checks ask of the question's ``answers``.

:mod:`autograder.kit.build` stages the kit, with the question's reference beside its
checks (``question/reference/``, removed before the kit is zipped), and runs
:func:`record` in a fresh interpreter: the rubric's visible checks run against the
reference's own answers (through the wire format, as the sandbox would deliver them),
with an ``answers`` fixture that records every call it answers, keyed by the
function's name and a fingerprint of its arguments
(:func:`~autograder.kit.sealed.call_key`), and every constant the checks read.
:mod:`autograder.kit.replay` replays them in the kit. Nothing here knows a question:
any question's ``reference/answers.py`` is recorded alike.

Discrete answers (ints, bools, tuples of ints such as shapes) are sealed. Of a dict
answer, only the entries a visible check read are recorded: a hidden item's answer
stays out of the kit.

The reference student answers each call of the student's function ``name`` with
``answers.name`` when the question's answers define it, else with the question's
example solution's ``name`` (``example/<module>``, staff code, run here).
"""

import importlib.util
import json
import secrets
from pathlib import Path

import numpy as np

from autograder.kit.sealed import call_key, seal
from autograder.labels import Label
from autograder.sandbox import wire

SALT = secrets.token_hex(16)


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
        isinstance(value, (tuple, list)) and value and all(isinstance(item, (int, np.integer)) for item in value)
    ):
        return {"$sealed": seal(value, SALT)}
    if isinstance(value, (tuple, list)):
        return {"$tuple" if isinstance(value, tuple) else "$list": [encode(item) for item in value]}
    if isinstance(value, (float, np.floating)):
        return float(value)
    if isinstance(value, str) or value is None:
        return value
    raise TypeError(f"the kit cannot record an answer of type {type(value).__name__}")


class RecordingAnswers:
    """The question's answers module, recording each call and each constant read."""

    def __init__(self, module):
        self._module = module
        self.constants = {}
        self.calls = {}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        real = getattr(self._module, name)
        if not callable(real):  # a constant, such as the keys a dict answer has
            self.constants[name] = list(real) if isinstance(real, tuple) else real
            return real

        def answer(*args, **kwargs):
            value = real(*args, **kwargs)
            if isinstance(value, dict):
                value = _Read(value)
            self.calls[call_key(name, args, kwargs)] = value  # encoded once the checks are done
            return value

        return answer


class ReferenceStudent:
    """A student whose answers are the reference's (or the example's), delivered as plain data."""

    def __init__(self, *sources):
        self._sources = sources

    def call(self, function, *args, **kwargs):
        return self.call_each(function, [(args, kwargs)])[0]

    def call_each(self, function, calls):
        answer = next((getattr(source, function) for source in self._sources if hasattr(source, function)), None)
        if answer is None:
            raise LookupError(f"neither the question's answers nor its example solution define {function!r}")
        values = []
        for args, kwargs in calls:
            args, kwargs = _round_trip([list(args), dict(kwargs)])
            values.append(_round_trip(answer(*args, **kwargs)))
        return values


def _round_trip(value):
    blobs = []
    return wire.decode_value(wire.encode_value(value, blobs), blobs)


def _example(path):
    """The question's example solution at ``path`` as a module (None: there is none)."""
    if path is None or not Path(path).is_file():
        return None
    spec = importlib.util.spec_from_file_location("_kit_example_solution", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def record(rubric_path, out_path, answers_module, example_path=None):
    """Run the visible checks of the kit rubric at ``rubric_path`` against the reference
    (the module named ``answers_module``, such as ``question.reference.answers``) and
    write every answer they asked for to ``out_path``. Exits non-zero, naming the checks,
    if the reference itself does not pass them all."""
    from autograder.kit.selfcheck import KitRubric, run_checks

    module = importlib.import_module(answers_module)
    rubric = KitRubric.read(rubric_path)
    answers = RecordingAnswers(module)
    student = ReferenceStudent(*(source for source in (module, _example(example_path)) if source is not None))
    outcomes = run_checks([rule.check_id for rule in rubric.rules], rubric.seed, student, answers)
    failed = {check: outcome for check, outcome in outcomes.items() if outcome.label != Label.PASSED}
    if failed:
        details = "\n".join(f"{check}: {o.label}: {o.message}\n{o.internal_error}" for check, o in failed.items())
        raise SystemExit(f"the reference does not pass these visible checks, so they cannot be recorded:\n{details}")
    book = {
        "numpy": np.__version__,
        "salt": SALT,
        "constants": answers.constants,
        "calls": {key: encode(value) for key, value in answers.calls.items()},
    }
    with open(out_path, "w", encoding="utf-8") as stream:
        json.dump(book, stream, separators=(",", ":"), sort_keys=True)
