"""Gradescope's results.json as a typed model, serialized once and written atomically.

The fields follow Gradescope's specification (gradescope/autograder_samples,
``docs/specs.md``); tests validate every file we write against a JSON Schema of it.
"""

import dataclasses
import json
import math
import os
import re
import tempfile
from pathlib import Path

#: The visibilities Gradescope knows, for a test and for the whole results.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
# Gradescope truncates output at about 100,000 characters. With these caps every
# output of a 15-check rubric together stays under 80,000.
MAX_TEST_OUTPUT_CHARS = 4_000
MAX_TOP_OUTPUT_CHARS = 20_000


#: Decimals of every score written (results.json, scores.csv, the gradebook, reports):
#: Gradescope shows two.
SCORE_DECIMALS = 2


def points(value):
    """A finite score (points) rounded to :data:`SCORE_DECIMALS`, as Gradescope shows it,
    so that 2/3 + 2/3 + 2/3 writes as 2 and 2/3 as 0.67; not finite: 0."""
    value = float(value)
    return round(value, SCORE_DECIMALS) + 0.0 if math.isfinite(value) else 0.0


#: What UTF-8 cannot write: a byte of a name that was not UTF-8 (which Python reads as a
#: surrogate, U+DC80 to U+DCFF), or a lone surrogate (YAML's "\ud800").
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escape_surrogate(match):
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def escaped(text):
    """``text`` with each byte that was not UTF-8 written out as the four characters
    ``\\xNN`` (``b"caf\\xe9"`` read as a name gives ``caf\\xe9``), and each other lone
    surrogate as ``\\uNNNN``: the original stays readable as data, and the text can
    always be written as UTF-8."""
    return _SURROGATE.sub(_escape_surrogate, text)


def _clip(text, limit):
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n\n*[{len(text) - limit} more characters not shown]*"


@dataclasses.dataclass(frozen=True)
class TestResult:
    """One check's entry in ``tests``."""

    __test__ = False  # not a pytest test class

    name: str
    score: float
    max_score: float
    output: str
    visibility: str = "visible"
    number: str = ""
    tags: tuple = ()
    extra_data: dict = dataclasses.field(default_factory=dict)
    failed: bool = False  # force "failed", e.g. for a 0-point entry reporting an error
    # What the entry reports, typed (written into its extra_data): the rubric check and
    # its part, how it ended (an autograder.labels.Label) and the mistake it recognised.
    # An entry of the grader's own (failure_results) reports no check.
    check_id: str = ""
    part: str = ""
    outcome: object = None
    mistake: str = ""
    #: The check's message as it gave it (``output`` is what students read of it); not written.
    message: str = ""

    @property
    def status(self):
        return "passed" if not self.failed and self.score >= self.max_score - 1e-9 else "failed"

    def to_json(self):
        entry = {
            "name": self.name,
            "score": points(self.score),
            "max_score": points(self.max_score),
            "status": self.status,
            "output": _clip(self.output, MAX_TEST_OUTPUT_CHARS),
            "output_format": "md",
            "visibility": self.visibility,
        }
        if self.number:
            entry["number"] = self.number
        if self.tags:
            entry["tags"] = list(self.tags)
        extra = dict(self.extra_data)
        if self.check_id:
            extra.update(check=self.check_id, part=self.part, outcome=self.outcome)
            if self.mistake:  # for the batch's item analytics; students read only the message
                extra["mistake"] = self.mistake
        if extra:
            entry["extra_data"] = extra
        return entry

    @property
    def fraction(self):
        """The fraction of its weight it earned, as results.json writes the points (a
        zero-point entry: 1 if it passed, else 0)."""
        if points(self.max_score):
            return points(self.score) / points(self.max_score)
        return 1.0 if self.status == "passed" else 0.0


@dataclasses.dataclass(frozen=True)
class Results:
    """The whole results.json."""

    tests: tuple
    output: str
    execution_time: float
    extra_data: dict = dataclasses.field(default_factory=dict)

    @property
    def score(self):
        return points(sum(test.score for test in self.tests))

    @property
    def checks(self):
        """The entries that report a rubric check, in rubric order."""
        return tuple(test for test in self.tests if test.check_id)

    @property
    def part_scores(self):
        """Points per part label, as written in ``extra_data``."""
        scores = {}
        for test in self.checks:
            scores[test.part] = scores.get(test.part, 0.0) + test.score
        return {label: points(score) for label, score in scores.items()}

    def to_json(self):
        return {
            "score": self.score,
            "execution_time": round(max(self.execution_time, 0.0), 3),
            "output": _clip(self.output, MAX_TOP_OUTPUT_CHARS),
            "output_format": "md",
            "test_output_format": "md",
            "visibility": "visible",
            "stdout_visibility": "hidden",
            "extra_data": self.extra_data,
            "tests": [test.to_json() for test in self.tests],
        }

    def dumps(self):
        # A name that is not UTF-8 must not stop the write: it is in strings only, where
        # its escape (doubled: one backslash of the JSON value) keeps the original.
        text = json.dumps(self.to_json(), indent=2, ensure_ascii=False, allow_nan=False)
        return _SURROGATE.sub(lambda match: "\\" + _escape_surrogate(match), text)

    def write(self, path):
        """Write atomically: a reader sees the old file or the whole new one, never a part."""
        write_atomically(Path(path), self.dumps())


def write_atomically(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


#: Bytes kept aside for the final results.json: a 15-check rubric's capped outputs come
#: to under 100 kB, so a full disk (the student's doing, or another job's) never costs
#: the file Gradescope needs.
RESERVED_BYTES = 1024 * 1024


class ReservedResults:
    """A results.json that exists before any student code runs, and whose final write
    cannot fail for lack of space.

    On creation it writes ``placeholder`` (valid results saying that grading did not
    finish) to ``path`` and allocates :data:`RESERVED_BYTES` in a hidden file beside it;
    :meth:`write` writes into those blocks, then renames the file over ``path``, which
    needs no new space. Results larger than the reserve are written the ordinary way.
    """

    def __init__(self, path, placeholder):
        self.path = Path(path)
        placeholder.write(self.path)
        self.reserve = self.path.with_name(".results.reserve")
        try:
            fd = os.open(self.reserve, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                _allocate(fd, RESERVED_BYTES)
            finally:
                os.close(fd)
        except OSError:  # no room even now: the placeholder stands, and write() tries anyway
            self.reserve = None

    def write(self, results):
        data = results.dumps().encode("utf-8")
        if self.reserve is None or len(data) > RESERVED_BYTES:
            if self.reserve is not None:  # too large for it: the room goes back first
                self.reserve.unlink(missing_ok=True)
                self.reserve = None
            results.write(self.path)
            return
        fd = os.open(self.reserve, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.ftruncate(fd, len(data))
            os.fsync(fd)
            os.fchmod(fd, 0o644)
        finally:
            os.close(fd)
        os.replace(self.reserve, self.path)
        self.reserve = None


def _allocate(fd, size):
    try:
        os.posix_fallocate(fd, 0, size)
    except (AttributeError, OSError):  # macOS, or a file system without fallocate: real bytes
        block = b"\0" * 65536
        for _ in range(size // len(block)):
            os.write(fd, block)
        os.fsync(fd)
