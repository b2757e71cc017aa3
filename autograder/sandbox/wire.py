"""The wire format between the grader and the worker that runs student code.

This file is shared by both sides and must stay self-contained (stdlib and numpy
only): the worker loads it from a copy outside the grader's source tree.

A frame is::

    b"AGW1" | header length (u32, big-endian) | blob count (u32) | header (UTF-8 JSON)
            | for each blob: length (u64) | raw bytes

The header is one JSON object. Values inside it are *plain data*: ``None``, bools,
ints, floats (``NaN``/``Infinity`` allowed), strings and lists, plus three tagged
forms that JSON lacks::

    {"$dict": [[key, value], ...]}                       a dict with string keys
    {"$array": i, "dtype": "<f8", "shape": [2, 1]}       an ndarray stored as blob i
    {"$unsupported": "TypeName", "repr": "..."}          a value the sender could not encode

Before the worker encodes what a student's function returned, :func:`plain` turns the
forms a reasonable student returns (an ``np.matrix``, an ``OrderedDict``, a namedtuple,
numpy scalars) into these types, so that the grader judges the answer, not its type.

Arrays travel as raw bytes of an allow-listed numeric dtype and are rebuilt with
``np.frombuffer``; nothing is ever unpickled. The reader enforces every size cap
before it allocates, so a hostile peer cannot make the grader read without bound.
"""

import collections
import collections.abc
import itertools
import json
import os
import re
import select
import struct
import sys
import time

import numpy as np

MAGIC = b"AGW1"
_PREFIX = struct.Struct(">4sII")
_BLOB_LEN = struct.Struct(">Q")

#: numpy dtypes that may cross the wire (booleans, integers, reals, complex).
ALLOWED_DTYPES = frozenset(
    np.dtype(code).str
    for code in ("?", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8", "c8", "c16")
)
MAX_HEADER_BYTES = 4 * 1024 * 1024
MAX_BLOBS = 256
MAX_DEPTH = 24
#: A frame header holds a value (MAX_DEPTH) inside a few levels of its own.
MAX_HEADER_DEPTH = MAX_DEPTH + 8
MAX_ITEMS = 100_000
MAX_STRING_CHARS = 100_000


class WireError(Exception):
    """The peer sent something that is not a valid frame, or exceeded a cap."""


class TooLarge(WireError):
    """A frame is larger than the receiver accepts."""


class PeerClosed(WireError):
    """The peer closed its end before a whole frame arrived."""


class FrameTimeout(WireError):
    """No whole frame arrived before the deadline."""


# -- a student's value as plain data (in the worker) -----------------------------------------

#: Characters of a value's repr that a refusal quotes.
MAX_REPR_CHARS = 80


def plain(value, *, depth=0):
    """``value`` with every form a reasonable student returns turned into plain data.

    Run by the worker, on values from student code, where calling the value's own
    methods costs nothing that running the student's code did not already risk:
    ndarray subclasses (``np.matrix``, masked arrays: masked entries become NaN) become
    arrays, any mapping becomes a dict, tuples (namedtuples too) and other sequences of
    the builtin kinds become lists, subclasses of int, float and str become those
    types, numpy scalars become Python numbers (floats narrower than float64 become
    0-d arrays, so that their precision is known), and a list whose items are arrays
    becomes one array when they stack. What is left is encoded as it is and, where
    :func:`encode_value` cannot encode it, refused with its type and repr.
    """
    if depth > MAX_DEPTH:
        return value
    kind = type(value)
    if value is None or kind in (bool, int, float, str):
        return value
    if isinstance(value, np.ndarray):
        # numpy.ma is looked up, never imported: where the student made no masked array it
        # may not be loaded, and under the file-system border it might not load at all.
        masked = sys.modules.get("numpy.ma")
        if masked is not None and isinstance(value, masked.MaskedArray):
            value = masked.filled(value.astype(np.float64), np.nan) if masked.is_masked(value) else masked.getdata(value)
        return np.asarray(value)
    if isinstance(value, np.generic):
        if isinstance(value, np.floating) and value.dtype.itemsize < 8:
            return np.asarray(value)
        return value.item() if not isinstance(value, np.complexfloating) else np.asarray(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, collections.abc.Mapping):
        return {plain(key, depth=depth + 1): plain(item, depth=depth + 1) for key, item in value.items()}
    if isinstance(value, (list, tuple, range, collections.deque)):
        items = [plain(item, depth=depth + 1) for item in value]
        if items and any(isinstance(item, np.ndarray) for item in items):
            try:
                stacked = np.array(items)
            except (TypeError, ValueError):  # ragged: left as a list
                return items
            if stacked.dtype.str in ALLOWED_DTYPES:
                return stacked
        return items
    return value


def short_repr(value):
    """At most :data:`MAX_REPR_CHARS` of ``repr(value)``; never raises."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001  a student's __repr__
        return f"<a {type(value).__name__} whose repr failed>"
    text = str(text)
    return text if len(text) <= MAX_REPR_CHARS else text[: MAX_REPR_CHARS - 3] + "..."


# -- plain data <-> JSON-able structure --------------------------------------------------


def encode_value(value, blobs, *, depth=0, budget=None):
    """Turn ``value`` into a JSON-able structure, appending array bytes to ``blobs``.

    Used by both sides. Exact types are tested (never ``isinstance`` on user classes)
    so that a subclass with hostile dunder methods is reported as unsupported rather
    than trusted. ``budget`` is a one-item list counting the items left.
    """
    return _encode(value, blobs, depth, [MAX_ITEMS] if budget is None else budget)


def _encode(value, blobs, depth, budget):
    # The hot path of every exchange, on both sides: the common types are tested first.
    budget[0] -= 1
    if budget[0] < 0 or depth > MAX_DEPTH:
        return {"$unsupported": "a structure too large or too deeply nested"}
    kind = type(value)
    if kind is float or value is None or kind is bool:
        return value
    if kind is np.ndarray:
        return _encode_array(value, blobs)
    if kind is list or kind is tuple:
        return [_encode(item, blobs, depth + 1, budget) for item in value]
    if kind is int:
        return value if abs(value) < 2**63 else float(value)
    if kind is str:
        return value if len(value) <= MAX_STRING_CHARS else {"$unsupported": "a string too long"}
    if kind is dict:
        pairs = []
        for key, item in value.items():
            if type(key) is not str:
                return {"$unsupported": "a dict whose keys are not all strings"}
            pairs.append([key, _encode(item, blobs, depth + 1, budget)])
        return {"$dict": pairs}
    if isinstance(value, np.generic) and kind.__module__ == "numpy":
        if isinstance(value, np.complexfloating):
            return _encode_array(np.asarray(value), blobs)
        return _encode(value.item(), blobs, depth, budget)
    return {"$unsupported": kind.__name__, "repr": short_repr(value)}


def _encode_array(array, blobs):
    dtype = array.dtype
    if dtype not in _DTYPE_NAMES:
        if dtype == object:
            try:
                array = np.array(array.tolist(), dtype=np.float64)
            except (TypeError, ValueError):
                return {"$unsupported": "an array of objects"}
            dtype = array.dtype
        else:
            return {"$unsupported": f"an array of dtype {dtype}"}
    blobs.append(array.tobytes(order="C"))  # C order whatever the layout, 0-d arrays included
    return {"$array": len(blobs) - 1, "dtype": _DTYPE_NAMES[dtype], "shape": list(array.shape)}


#: The allowed dtypes by their ``str`` (``"<f8"``), and that name by dtype.
_DTYPES = {name: np.dtype(name) for name in ALLOWED_DTYPES}
_DTYPE_NAMES = {dtype: name for name, dtype in _DTYPES.items()}


class Unsupported:
    """Stands for a value the sender could not put on the wire; ``what`` names it and
    ``shown`` is the start of its repr (empty when there was none)."""

    __slots__ = ("what", "shown")

    def __init__(self, what, shown=""):
        self.what = str(what)[:200]
        self.shown = str(shown)[:MAX_REPR_CHARS]

    def __repr__(self):
        return f"<unsupported {self.what}>"


def decode_value(data, blobs, *, depth=0):
    """Rebuild a value from :func:`encode_value`'s structure. Raises WireError."""
    if depth > MAX_DEPTH + 1:
        raise WireError("value nested too deeply")
    kind = type(data)
    if kind is float or data is None or kind in (bool, int, str):
        return data
    if kind is list:
        return [decode_value(item, blobs, depth=depth + 1) for item in data]
    if kind is dict:
        size = len(data)
        if size == 3 and "$array" in data and "dtype" in data and "shape" in data:
            return _decode_array(data, blobs)
        if size == 1 and type(data.get("$dict")) is list:
            result = {}
            for pair in data["$dict"]:
                if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not str:
                    raise WireError("malformed $dict entry")
                result[pair[0]] = decode_value(pair[1], blobs, depth=depth + 1)
            return result
        if size == 1 and "$unsupported" in data:
            return Unsupported(data["$unsupported"])
        if size == 2 and "$unsupported" in data and "repr" in data:
            return Unsupported(data["$unsupported"], data["repr"])
    raise WireError(f"unexpected {kind.__name__} in a value")


def copy_value(value):
    """A copy of a value :func:`decode_value` made that shares nothing mutable with it
    (its lists, dicts and arrays are new; numbers, strings and :class:`Unsupported`
    markers are not changed by anyone, so they are shared)."""
    kind = type(value)
    if kind is list:
        return [copy_value(item) for item in value]
    if kind is np.ndarray:
        return value.copy()
    if kind is dict:
        return {key: copy_value(item) for key, item in value.items()}
    return value


def _decode_array(data, blobs):
    index, name, shape = data["$array"], data["dtype"], data["shape"]
    if type(index) is not int or not 0 <= index < len(blobs):
        raise WireError("array refers to a missing blob")
    dtype = _DTYPES.get(name) if type(name) is str else None
    if dtype is None:
        raise WireError(f"array dtype {name!r} is not allowed")
    if type(shape) is not list or len(shape) > 32:
        raise WireError("array shape is malformed")
    count = 1
    for n in shape:
        if type(n) is not int or n < 0:
            raise WireError("array shape is malformed")
        count *= n
    if count * dtype.itemsize != len(blobs[index]):
        raise WireError("array bytes do not match its shape")
    return np.frombuffer(blobs[index], dtype=dtype).reshape(shape).copy()


#: A JSON string, escapes included: brackets inside one do not nest.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
#: Of what remains, the brackets are kept: opening ones become 1, closing ones -1 (as signed bytes).
_BRACKETS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")
_NOT_BRACKETS = bytes(sorted(set(range(256)) - set(b"[{]}")))
_NOT_BRACKETS_OR_QUOTES = bytes(sorted(set(range(256)) - set(b'[{]}"')))


def json_depth(text):
    """How deep arrays and objects nest in the JSON ``text``, found without recursion
    (json's parser recurses, and a deep enough file crashes it): strings are dropped,
    then everything but brackets, and the depth is the highest running sum of the
    brackets left, +1 per opening and -1 per closing one."""
    if "\\" not in text:
        # No escapes, so every quote opens or closes a string: of the quotes and brackets
        # alone, the pieces between an odd quote and the next lie inside strings.
        quoted = text.encode("utf-8", "surrogatepass").translate(None, _NOT_BRACKETS_OR_QUOTES)
        brackets = b"".join(quoted.split(b'"')[::2]).translate(_BRACKETS)
    else:
        structure = _JSON_STRING.sub("", text).encode("ascii", "replace")  # outside its strings, JSON is ASCII
        brackets = structure.translate(_BRACKETS, _NOT_BRACKETS)
    return max(itertools.accumulate(memoryview(brackets).cast("b")), default=0)


# -- frames --------------------------------------------------------------------------


def pack(message, blobs=()):
    """One frame for ``message`` (already encoded) and its ``blobs``."""
    header = json.dumps(message, separators=(",", ":")).encode("utf-8")
    parts = [_PREFIX.pack(MAGIC, len(header), len(blobs)), header]
    for blob in blobs:
        parts.append(_BLOB_LEN.pack(len(blob)))
        parts.append(blob)
    return b"".join(parts)


def write_frame(fd, message, blobs=()):
    """Write a whole frame to the file descriptor ``fd``."""
    view = memoryview(pack(message, blobs))
    while view:
        written = os.write(fd, view)
        view = view[written:]


class FrameReader:
    """Reads frames from a file descriptor with a deadline and a size cap.

    ``max_blob_bytes`` bounds the sum of a frame's blobs. Reading stops at the first
    byte that breaks the format, so a stream that went wrong is never resynchronised:
    the caller discards the peer. Bytes are read in large chunks into a buffer, so a
    small frame costs one system call, not one per field.
    """

    def __init__(self, fd, *, max_blob_bytes):
        self.fd = fd
        self.max_blob_bytes = max_blob_bytes
        self._buffer = bytearray()
        #: The JSON text of the last frame's header, as it arrived.
        self.header_text = ""
        #: The size of the last frame's header and arrays, in bytes.
        self.frame_bytes = 0

    def read(self, deadline=None):
        """The next ``(message, blobs)``; ``deadline`` is a ``time.monotonic()`` value."""
        magic, header_len, blob_count = _PREFIX.unpack(self._exactly(_PREFIX.size, deadline))
        if magic != MAGIC:
            raise WireError("frame does not start with the protocol's magic bytes")
        if header_len > MAX_HEADER_BYTES or blob_count > MAX_BLOBS:
            raise TooLarge(f"frame header of {header_len} bytes with {blob_count} arrays")
        try:
            self.header_text = self._exactly(header_len, deadline).decode("utf-8")
            # Refused before json's parser recurses into it: no value nests this deep.
            if self.header_text.count("[") + self.header_text.count("{") > MAX_HEADER_DEPTH:
                if json_depth(self.header_text) > MAX_HEADER_DEPTH:
                    raise WireError("frame header nested too deeply")
            message = json.loads(self.header_text)
        except (ValueError, RecursionError) as error:
            raise WireError(f"frame header is not valid JSON ({type(error).__name__})") from None
        blobs, total = [], 0
        for _ in range(blob_count):
            (length,) = _BLOB_LEN.unpack(self._exactly(_BLOB_LEN.size, deadline))
            total += length
            if total > self.max_blob_bytes:
                raise TooLarge(f"arrays of more than {self.max_blob_bytes} bytes")
            blobs.append(self._exactly(length, deadline))
        if type(message) is not dict:
            raise WireError("frame header is not a JSON object")
        self.frame_bytes = header_len + total
        return message, blobs

    def pending(self):
        """Whether bytes beyond the frames read so far have arrived."""
        if self._buffer:
            return True
        ready, _, _ = select.select([self.fd], [], [], 0)
        return bool(ready)

    def _exactly(self, count, deadline):
        while len(self._buffer) < count:
            if deadline is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise FrameTimeout("no reply before the deadline")
                ready, _, _ = select.select([self.fd], [], [], remaining)
                if not ready:
                    raise FrameTimeout("no reply before the deadline")
            # Never more than this frame still needs beyond a small read-ahead, so the
            # buffer stays within the caps the caller checked.
            chunk = os.read(self.fd, max(count - len(self._buffer), 65536))
            if not chunk:
                raise PeerClosed("the other side closed the channel")
            self._buffer += chunk
        data = bytes(self._buffer[:count])
        del self._buffer[:count]
        return data
