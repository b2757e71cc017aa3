"""A question's reference answers, remembered across the submissions of one grader.

A batch grades every submission with the same scoring seed, so each check draws the
same inputs for every student and asks the reference the same questions: a generation
of part (e) of We Recur! asks for hundreds of steps, about a fifth of the grader's CPU
for a submission. :class:`RememberedAnswers` answers a question it was asked before
from memory: the same value, as a copy, so no check can change what the next one reads.

What makes this safe is the contract of ``reference/answers.py`` (README, "Adding a
question"): its functions are pure, their result depends on their arguments only.
An argument is known by its exact value (an array by dtype, shape and bytes, a float
by its bits: ``0.0`` and ``-0.0`` are different questions); a call with an argument
of another type (a student's object, say) is computed every time, as is one that
raised. Whatever is remembered, a check sees the value a fresh call would give.
"""

import time

import numpy as np

#: Answers kept per grader process; past this the memory starts again (a batch asks the
#: same few thousand questions of every submission).
MAX_ENTRIES = 50_000
#: A function whose answers take less than this on average (seconds, over its first
#: ``TRIAL_CALLS`` calls) is not worth remembering: making the key would cost as much.
WORTH_SECONDS = 20e-6
TRIAL_CALLS = 8


class _Unknown(Exception):
    """An argument that cannot be told apart by value: its call is not remembered."""


def key_of(value):
    """A hashable key equal for two values exactly when they are the same question."""
    kind = type(value)
    if kind is np.ndarray:
        dtype = value.dtype
        if dtype.hasobject:
            raise _Unknown
        return (dtype, value.shape, value.tobytes())
    if kind is float:
        return ("f", value.hex())
    if kind in (int, bool, str, bytes, type(None)):
        return (kind.__name__, value)
    if kind is tuple or kind is list:
        return (kind is tuple, *[key_of(item) for item in value])
    if kind is dict:
        return ("d", *sorted((key_of(k), key_of(v)) for k, v in value.items()))
    if isinstance(value, np.generic) and not isinstance(value, np.object_):
        return ("g", value.dtype.str, value.tobytes())
    raise _Unknown


def fresh(value):
    """A copy of an answer that shares nothing mutable with ``value``."""
    kind = type(value)
    if kind is np.ndarray:
        return value.copy()
    if kind is tuple:
        return tuple(fresh(item) for item in value)
    if kind is list:
        return [fresh(item) for item in value]
    if kind is dict:
        return {name: fresh(item) for name, item in value.items()}
    if kind in (float, int, bool, str, bytes, type(None)) or isinstance(value, np.generic):
        return value
    raise _Unknown


class RememberedAnswers:
    """``module`` (a question's answers), with each function's answers remembered."""

    def __init__(self, module, max_entries=MAX_ENTRIES):
        self._module = module
        self._max_entries = max_entries
        self._known = {}

    def __getattr__(self, name):
        value = getattr(self._module, name)
        if name.startswith("_") or isinstance(value, type) or not callable(value):
            return value
        remembered = self._remembering(name, value)
        setattr(self, name, remembered)  # found here from now on, without __getattr__
        return remembered

    def _remembering(self, name, function):
        known = self._known
        trial = {"calls": 0, "seconds": 0.0}

        def answer(*args, **kwargs):
            if trial["calls"] >= TRIAL_CALLS and trial["seconds"] < WORTH_SECONDS * TRIAL_CALLS:
                return function(*args, **kwargs)  # cheaper to compute than to look up
            try:
                key = (name, key_of(args), key_of(kwargs) if kwargs else None)
            except _Unknown:
                return function(*args, **kwargs)
            if key in known:
                return fresh(known[key])
            started = time.perf_counter()
            value = function(*args, **kwargs)
            if trial["calls"] < TRIAL_CALLS:
                trial["calls"] += 1
                trial["seconds"] += time.perf_counter() - started
            try:
                kept = fresh(value)
            except _Unknown:  # an answer of a type that cannot be copied safely: not kept
                return value
            if len(known) >= self._max_entries:
                known.clear()
            known[key] = kept
            return value

        answer.__name__ = name
        answer.__doc__ = function.__doc__
        answer.__wrapped__ = function
        return answer


#: (id of an answers object, key of the arguments) -> (that object, the value), for
#: :func:`computed_once`. The object is kept in its entry, so its id is not reused meanwhile.
_COMPUTED = {}
MAX_COMPUTED = 64


def computed_once(answers, arguments, compute):
    """``compute()``, remembered per ``answers`` object and the exact value of
    ``arguments`` (what ``compute`` depends on besides ``answers``): for what a check
    derives from the reference alone, the same for every submission graded with one
    seed. The value is shared, not copied: make its arrays read-only."""
    key = (id(answers), key_of(arguments))
    known = _COMPUTED.get(key)
    if known is None:
        if len(_COMPUTED) >= MAX_COMPUTED:
            _COMPUTED.clear()
        known = _COMPUTED[key] = (answers, compute())
    return known[1]
