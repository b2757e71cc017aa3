"""Fingerprints of inputs and sealed answers, shared by the recording and the replay.

A fingerprint names a call's exact inputs: a SHA-256 of a canonical text in which
arrays give their shape and their values to 12 significant digits (so that a last-bit
difference between two machines' random draws cannot break a lookup). A sealed answer
keeps only a salted SHA-256 of a discrete value (a shape, a bool) and compares equal to
whatever has the same canonical text: the kit can check an answer without holding it
in readable form. This hides nothing from someone who tries every candidate, which the
self-check itself also allows; it keeps answers out of plain sight.

Standard library and numpy only: shipped in the student kit.
"""

import hashlib

import numpy as np


def canonical(value):
    """A text that two equal inputs share: ``(2, 3)`` and ``[2, 3]`` read the same."""
    if isinstance(value, (bool, np.bool_)):
        return "T" if value else "F"
    if isinstance(value, (int, np.integer)):
        return f"i{int(value)}"
    if isinstance(value, (float, np.floating)):
        return f"f{float(value):.12g}"
    if isinstance(value, str):
        return "s" + repr(value)
    if value is None:
        return "N"
    if isinstance(value, np.ndarray):
        numbers = ",".join(f"{float(v):.12g}" for v in np.asarray(value, dtype=np.float64).ravel())
        return f"a{list(value.shape)}[{numbers}]"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{canonical(k)}:{canonical(v)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    raise TypeError(f"no canonical form for {type(value).__name__}")


def fingerprint(value):
    return hashlib.sha256(canonical(value).encode()).hexdigest()


def seal(value, salt):
    return hashlib.sha256((salt + canonical(value)).encode()).hexdigest()


class Sealed:
    """A discrete answer known only by its salted digest; ``==`` seals the other side."""

    __slots__ = ("digest", "salt")
    __hash__ = None

    def __init__(self, digest, salt):
        self.digest = digest
        self.salt = salt

    def __eq__(self, other):
        if isinstance(other, Sealed):
            return self.digest == other.digest
        try:
            return seal(other, self.salt) == self.digest
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __repr__(self):
        return "<sealed answer>"


# -- the key both sides use ----------------------------------------------------------------


def call_key(function, args, kwargs):
    """The key of ``answers.function(*args, **kwargs)``."""
    return fingerprint([function, list(args), dict(kwargs)])
