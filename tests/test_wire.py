"""autograder.sandbox.wire: values survive the trip through a real pipe, and every
malformed or oversized frame is refused (before anything large is allocated)."""

import collections
import json
import math
import os
import struct
import threading
import time
import types

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograder.sandbox import wire
from autograder.sandbox.wire import FrameTimeout, PeerClosed, TooLarge, Unsupported, WireError

PREFIX = struct.Struct(">4sII")
BLOB_LEN = struct.Struct(">Q")
SOON = 2.0  # seconds: a deadline for reads that must not wait at all


@pytest.fixture
def pipe():
    """``(read_fd, write_fd)`` of a fresh os.pipe(), closed afterwards."""
    read_fd, write_fd = os.pipe()
    yield read_fd, write_fd
    for fd in (read_fd, write_fd):
        try:
            os.close(fd)
        except OSError:
            pass


def write_in_background(fd, data):
    """Write ``data`` from a thread, so frames larger than the pipe's buffer still pass."""
    thread = threading.Thread(target=os.write if len(data) < 4096 else _write_all, args=(fd, data), daemon=True)
    thread.start()
    return thread


def _write_all(fd, data):
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def round_trip(value, pipe, *, max_blob_bytes=1 << 24):
    """``value`` encoded, sent as a frame through ``pipe``, read back and decoded."""
    read_fd, write_fd = pipe
    blobs = []
    message = {"value": wire.encode_value(value, blobs)}
    writer = write_in_background(write_fd, wire.pack(message, blobs))
    received, received_blobs = wire.FrameReader(read_fd, max_blob_bytes=max_blob_bytes).read(
        deadline=time.monotonic() + SOON
    )
    writer.join()
    return wire.decode_value(received["value"], received_blobs)


def read_raw(pipe, data, *, max_blob_bytes=1 << 20, deadline=SOON):
    """Write raw bytes to the pipe and read one frame from them."""
    read_fd, write_fd = pipe
    os.write(write_fd, data)
    return wire.FrameReader(read_fd, max_blob_bytes=max_blob_bytes).read(deadline=time.monotonic() + deadline)


def frame(header_bytes, blobs=(), *, magic=wire.MAGIC, count=None):
    parts = [PREFIX.pack(magic, len(header_bytes), len(blobs) if count is None else count), header_bytes]
    for blob in blobs:
        parts += [BLOB_LEN.pack(len(blob)), blob]
    return b"".join(parts)


def same(a, b):
    """Equality that also checks types exactly, treats NaN as equal to NaN and compares
    arrays by dtype, shape and values."""
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return a == b


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -7,
        2**63 - 1,
        -(2**63) + 1,
        1.5,
        -0.0,
        float("inf"),
        float("-inf"),
        "",
        "héllo ∑ \n \"quoted\"",
        [],
        {},
        [1, [2.5, [None, [True, "x"]]]],
        {"a": 1, "b": {"c": [1.0, {"d": None}]}, "": False},
        [{"$dict": 1}],  # a user dict that looks like a tag is still just data
        {"$array": 0, "dtype": "<f8", "shape": [1]},
    ],
    ids=repr,
)
def test_plain_values_round_trip(pipe, value):
    assert same(round_trip(value, pipe), value)


def test_nan_round_trips(pipe):
    back = round_trip([float("nan")], pipe)
    assert type(back[0]) is float and math.isnan(back[0])


def test_tuples_arrive_as_lists(pipe):
    assert same(round_trip((1, (2, 3)), pipe), [1, [2, 3]])


def test_ints_beyond_64_bits_arrive_as_floats(pipe):
    back = round_trip(2**70, pipe)
    assert type(back) is float and back == float(2**70)


@pytest.mark.parametrize("dtype", sorted(wire.ALLOWED_DTYPES))
@pytest.mark.parametrize("shape", [(0,), (3, 0), (1,), (2, 3), (2, 1, 2)], ids=str)
def test_arrays_of_every_allowed_dtype_round_trip(pipe, dtype, shape):
    array = (np.random.default_rng(7).standard_normal(shape) * 50).astype(dtype)
    back = round_trip(array, pipe)
    assert same(back, array)
    assert back.flags.writeable, "a copy, not a read-only view of the frame"


@pytest.mark.parametrize("dtype", ["<f8", "|b1", "<i8", "<c16"])
def test_zero_dimensional_array_keeps_its_shape(pipe, dtype):
    """np.array(True) is what ``np.array(x > 0)`` returns: it must not arrive as shape (1,)."""
    array = np.array(1, dtype=dtype)
    assert same(round_trip(array, pipe), array)


def test_float_array_keeps_nan_and_inf(pipe):
    array = np.array([[np.nan], [np.inf], [-np.inf], [1e-300]])
    assert same(round_trip(array, pipe), array)


def test_non_contiguous_array_round_trips(pipe):
    array = np.arange(12, dtype=np.float64).reshape(3, 4)
    assert same(round_trip([array.T, array[:, ::2]], pipe), [array.T.copy(), array[:, ::2].copy()])


def test_many_arrays_in_one_frame(pipe):
    arrays = [np.full((2, 1), i, dtype=np.int32) for i in range(20)]
    back = round_trip({"arrays": arrays}, pipe)
    assert all(same(a, b) for a, b in zip(back["arrays"], arrays))


def test_large_array_round_trips_through_a_pipe(pipe):
    array = np.random.default_rng(0).standard_normal((300, 300))  # 720 KB, more than a pipe buffer
    assert same(round_trip(array, pipe), array)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (np.float64(2.5), 2.5),
        (np.float32(0.5), 0.5),
        (np.int64(-3), -3),
        (np.uint8(200), 200),
        (np.bool_(True), True),
    ],
    ids=repr,
)
def test_numpy_scalars_arrive_as_python_numbers(pipe, value, expected):
    assert same(round_trip(value, pipe), expected)


def test_numpy_complex_scalar_arrives_as_a_0d_array(pipe):
    back = round_trip(np.complex128(1 + 2j), pipe)
    assert same(back, np.array(1 + 2j))


def test_object_array_of_numbers_arrives_as_float64(pipe):
    back = round_trip(np.array([[1, 2.5]], dtype=object), pipe)
    assert same(back, np.array([[1.0, 2.5]]))


class Sneaky(float):
    """A float subclass with a hostile method: never trusted as a float."""

    def __repr__(self):
        raise RuntimeError("called")


@pytest.mark.parametrize(
    ("value", "what"),
    [
        (object(), "object"),
        ({1: 2}, "keys"),
        (np.array(["a", "b"]), "dtype"),
        (np.zeros(2, dtype="V8"), "dtype"),
        (np.array([object()], dtype=object), "objects"),
        (np.zeros(2, dtype=">f8"), "dtype"),
        ("x" * (wire.MAX_STRING_CHARS + 1), "too long"),
        (Sneaky(1.0), "Sneaky"),
        ({1.5, 2.5}, "set"),
    ],
    ids=["object", "int-keys", "str-array", "void-array", "object-array", "big-endian", "long-string", "subclass", "set"],
)
def test_unencodable_values_arrive_as_unsupported(pipe, value, what):
    back = round_trip([value], pipe)
    assert type(back[0]) is Unsupported
    assert what in back[0].what


def test_too_deep_and_too_many_are_unsupported(pipe):
    deep = []
    for _ in range(wire.MAX_DEPTH + 5):
        deep = [deep]
    back = round_trip(deep, pipe)
    innermost = back
    while type(innermost) is list:
        innermost = innermost[0]
    assert type(innermost) is Unsupported
    many = round_trip(list(range(wire.MAX_ITEMS + 10)), pipe)
    assert type(many[-1]) is Unsupported


plain = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=5), children, max_size=5),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(plain)
def test_any_plain_value_round_trips(value):
    read_fd, write_fd = os.pipe()
    try:
        assert same(round_trip(value, (read_fd, write_fd)), value)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def _mutables(value):
    """The ids of the lists, dicts and arrays in ``value``."""
    if isinstance(value, (list, dict, np.ndarray)):
        yield id(value)
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        yield from _mutables(item)


@settings(max_examples=100, deadline=None)
@given(plain)
def test_a_copy_of_a_decoded_value_equals_it_and_shares_nothing_mutable(value):
    read_fd, write_fd = os.pipe()
    try:
        decoded = round_trip(value, (read_fd, write_fd))
    finally:
        os.close(read_fd)
        os.close(write_fd)
    copied = wire.copy_value(decoded)
    assert same(copied, decoded)
    assert not set(_mutables(copied)) & set(_mutables(decoded))


def test_a_copied_array_can_change_without_changing_the_original():
    original = {"W": np.zeros((2, 2)), "rows": [np.ones(3)], "marker": Unsupported("a thing")}
    copied = wire.copy_value(original)
    copied["W"][0, 0] = 5.0
    copied["rows"][0][:] = 0.0
    copied["rows"].append(1.0)
    assert original["W"][0, 0] == 0.0 and original["rows"][0].tolist() == [1.0, 1.0, 1.0] and len(original["rows"]) == 1
    assert copied["marker"] is original["marker"]


# -- refusals --------------------------------------------------------------------------------


def test_bad_magic_is_refused(pipe):
    with pytest.raises(WireError, match="magic"):
        read_raw(pipe, frame(b"{}", magic=b"AGW0"))


def test_oversized_header_is_refused_before_it_is_read(pipe):
    # only the prefix is sent: a reader that tried to read the header would time out
    data = PREFIX.pack(wire.MAGIC, wire.MAX_HEADER_BYTES + 1, 0)
    with pytest.raises(TooLarge):
        read_raw(pipe, data, deadline=0.5)


def test_too_many_blobs_are_refused(pipe):
    with pytest.raises(TooLarge):
        read_raw(pipe, frame(b"{}", count=wire.MAX_BLOBS + 1), deadline=0.5)


def test_blob_sum_over_the_cap_is_refused_before_allocating(pipe):
    header = b'{"value":null}'
    # the first blob fits; the second declares 1 TiB and sends nothing
    data = frame(header, [b"x" * 100], count=2) + BLOB_LEN.pack(1 << 40)
    with pytest.raises(TooLarge):
        read_raw(pipe, data, max_blob_bytes=1000, deadline=0.5)


def test_blobs_exactly_at_the_cap_are_accepted(pipe):
    message, blobs = read_raw(pipe, frame(b'{"a":1}', [b"x" * 600, b"y" * 400]), max_blob_bytes=1000)
    assert message == {"a": 1}
    assert blobs == [b"x" * 600, b"y" * 400]


@pytest.mark.parametrize("header", [b"{not json", b"\xff\xfe", b'{"a": [1, 2'], ids=["syntax", "not-utf8", "truncated"])
def test_header_that_is_not_json_is_refused(pipe, header):
    with pytest.raises(WireError, match="JSON"):
        read_raw(pipe, frame(header))


def test_header_that_is_not_an_object_is_refused(pipe):
    with pytest.raises(WireError, match="object"):
        read_raw(pipe, frame(b"[1, 2]"))


def array_tag(dtype, shape, index=0):
    return {"$array": index, "dtype": dtype, "shape": shape}


@pytest.mark.parametrize("dtype", ["|O", "|V8", "<U3", "|S4", "<M8[s]", ">f8", "float64", 5])
def test_array_of_disallowed_dtype_is_refused(dtype):
    with pytest.raises(WireError, match="dtype"):
        wire.decode_value(array_tag(dtype, [1]), [b"\0" * 8])


@pytest.mark.parametrize(
    "shape", [[3], [2, 2], [], [-1], [1.0], "8", [1] * 33], ids=["short", "long", "scalar", "negative", "float", "text", "rank"]
)
def test_array_whose_shape_does_not_match_its_bytes_is_refused(shape):
    with pytest.raises(WireError):
        wire.decode_value(array_tag("<f8", shape), [b"\0" * 16])


@pytest.mark.parametrize("index", [1, -1, "0", None])
def test_array_referring_to_a_missing_blob_is_refused(index):
    with pytest.raises(WireError, match="blob"):
        wire.decode_value(array_tag("<f8", [1], index), [b"\0" * 8])


@pytest.mark.parametrize(
    "data",
    [
        {"$set": [1, 2]},
        {"$dict": [["a", 1]], "extra": 2},
        {"$dict": [["a"]]},
        {"$dict": [[1, 2]]},
        {"$dict": "a"},
        {"plain": "dict"},
        {"$array": 0, "dtype": "<f8"},
        {"$unsupported": "x", "more": 1},
    ],
    ids=repr,
)
def test_unknown_or_malformed_tagged_dict_is_refused(data):
    with pytest.raises(WireError):
        wire.decode_value(data, [b"\0" * 8])


def test_value_nested_too_deeply_is_refused():
    data = []
    for _ in range(wire.MAX_DEPTH + 3):
        data = [data]
    with pytest.raises(WireError, match="deep"):
        wire.decode_value(data, [])


def test_deeply_nested_header_is_refused_not_a_crash(pipe):
    header = b"[" * 100_000 + b"]" * 100_000
    read_fd, write_fd = pipe
    writer = write_in_background(write_fd, frame(header))
    with pytest.raises(WireError):
        wire.FrameReader(read_fd, max_blob_bytes=0).read(deadline=time.monotonic() + SOON)
    writer.join()


# -- deadlines and closed peers ----------------------------------------------------------------


def test_deadline_on_a_silent_pipe_raises_frame_timeout(pipe):
    reader = wire.FrameReader(pipe[0], max_blob_bytes=100)
    started = time.monotonic()
    with pytest.raises(FrameTimeout):
        reader.read(deadline=started + 0.3)
    assert 0.25 <= time.monotonic() - started < 2.0


def test_deadline_mid_frame_raises_frame_timeout(pipe):
    data = frame(b'{"a":1}')
    os.write(pipe[1], data[:-3])  # the header never finishes
    with pytest.raises(FrameTimeout):
        wire.FrameReader(pipe[0], max_blob_bytes=100).read(deadline=time.monotonic() + 0.3)


def test_deadline_in_the_past_does_not_block(pipe):
    started = time.monotonic()
    with pytest.raises(FrameTimeout):
        wire.FrameReader(pipe[0], max_blob_bytes=100).read(deadline=started - 1)
    assert time.monotonic() - started < 0.5


def test_eof_before_a_frame_raises_peer_closed(pipe):
    read_fd, write_fd = pipe
    os.close(write_fd)
    with pytest.raises(PeerClosed):
        wire.FrameReader(read_fd, max_blob_bytes=100).read(deadline=time.monotonic() + SOON)


def test_eof_inside_a_frame_raises_peer_closed(pipe):
    read_fd, write_fd = pipe
    os.write(write_fd, frame(b'{"a":1}', [b"12345678"])[:-4])
    os.close(write_fd)
    with pytest.raises(PeerClosed):
        wire.FrameReader(read_fd, max_blob_bytes=100).read()


def test_frames_written_together_are_read_one_at_a_time(pipe):
    read_fd, write_fd = pipe
    wire.write_frame(write_fd, {"n": 1})
    wire.write_frame(write_fd, {"n": 2}, [b"ab"])
    reader = wire.FrameReader(read_fd, max_blob_bytes=100)
    assert reader.read(deadline=time.monotonic() + SOON) == ({"n": 1}, [])
    assert reader.read(deadline=time.monotonic() + SOON) == ({"n": 2}, [b"ab"])


def test_pack_is_the_documented_layout():
    data = wire.pack({"k": "v"}, [b"\x01\x02"])
    header = json.dumps({"k": "v"}, separators=(",", ":")).encode()
    assert data == b"AGW1" + struct.pack(">II", len(header), 1) + header + struct.pack(">Q", 2) + b"\x01\x02"


@pytest.mark.parametrize("depth", [wire.MAX_HEADER_DEPTH + 1, 200_000])
def test_a_header_nested_too_deeply_is_refused_before_it_is_parsed(depth):
    header = ("[" * depth + "]" * depth).encode()
    read, write = os.pipe()
    try:
        prefix = wire._PREFIX.pack(wire.MAGIC, len(header), 0)
        threading.Thread(target=lambda: (os.write(write, prefix + header), os.close(write)), daemon=True).start()
        with pytest.raises(WireError, match="nested too deeply"):
            wire.FrameReader(read, max_blob_bytes=1024).read(deadline=time.monotonic() + 5)
    finally:
        os.close(read)


def test_brackets_in_strings_do_not_count_as_depth():
    assert wire.json_depth(json.dumps({"a": ["[[[[" * 100]})) == 2


# -- what a student returns, as plain data (the worker's side) ----------------------------------

class _Mine(dict):
    pass


_Pair = collections.namedtuple("_Pair", "rows cols")


@pytest.mark.parametrize("value, plain", [
    (collections.OrderedDict(a=(2, 3)), {"a": [2, 3]}),
    (collections.defaultdict(int, a=_Pair(2, 3)), {"a": [2, 3]}),
    (types.MappingProxyType({"a": [1]}), {"a": [1]}),
    (_Mine(x=np.int64(3)), {"x": 3}),
    ([(1.0,), (2.0,)], [[1.0], [2.0]]),
    ((np.bool_(True), np.float64(0.5)), [True, 0.5]),
    (range(3), [0, 1, 2]),
])
def test_plain_turns_what_students_return_into_plain_data(value, plain):
    out = wire.plain(value)
    assert out == plain and type(out) is type(plain)
    blobs = []
    assert wire.decode_value(wire.encode_value(out, blobs), blobs) == plain


@pytest.mark.filterwarnings("ignore:the matrix subclass")
def test_plain_arrays_lose_their_subclass_and_keep_their_precision():
    matrix = wire.plain(np.matrix([[1.0], [2.0]]))
    assert type(matrix) is np.ndarray and matrix.shape == (2, 1)
    masked = wire.plain(np.ma.array([1.0, 2.0], mask=[False, True]))
    assert type(masked) is np.ndarray and np.isnan(masked[1]) and masked[0] == 1.0
    assert type(wire.plain(np.ma.array([1.0, 2.0]))) is np.ndarray
    narrow = wire.plain([[np.float32(1)], [np.float32(2)]])
    assert narrow.dtype == np.float32 and narrow.shape == (2, 1)
    assert wire.plain(np.float16(3)).dtype == np.float16
    assert wire.plain([np.array([1.0]), np.array([2.0, 3.0])])[1].shape == (2,)  # ragged: a list


def test_what_cannot_be_made_plain_is_refused_with_its_type_and_repr():
    class Weird:
        def __repr__(self):
            return "Weird<" + "x" * 500 + ">"

    blobs = []
    refused = wire.decode_value(wire.encode_value(wire.plain(Weird()), blobs), blobs)
    assert isinstance(refused, wire.Unsupported) and refused.what == "Weird"
    assert refused.shown.startswith("Weird<x") and len(refused.shown) <= wire.MAX_REPR_CHARS

    class Broken:
        def __repr__(self):
            raise RuntimeError

    assert "repr failed" in wire.short_repr(Broken())
