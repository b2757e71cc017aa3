"""Gradescope's results.json as a typed model, serialized once and written atomically.

The fields follow Gradescope's specification (gradescope/autograder_samples,
``docs/specs.md``); tests validate every file we write against a JSON Schema of it.
"""

import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path

#: The visibilities Gradescope knows, for a test and for the whole results.
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
# Gradescope truncates output at about 100,000 characters. With these caps every
# output of a 15-check rubric together stays under 80,000.
MAX_TEST_OUTPUT_CHARS = 4_000
MAX_TOP_OUTPUT_CHARS = 20_000


def _score(value):
    """A finite score rounded so that sums like 2/3 + 2/3 + 2/3 print as 2."""
    value = float(value)
    return round(value, 4) if math.isfinite(value) else 0.0


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

    @property
    def status(self):
        return "passed" if not self.failed and self.score >= self.max_score - 1e-9 else "failed"

    def to_json(self):
        entry = {
            "name": self.name,
            "score": _score(self.score),
            "max_score": _score(self.max_score),
            "status": self.status,
            "output": _clip(self.output, MAX_TEST_OUTPUT_CHARS),
            "output_format": "md",
            "visibility": self.visibility,
        }
        if self.number:
            entry["number"] = self.number
        if self.tags:
            entry["tags"] = list(self.tags)
        if self.extra_data:
            entry["extra_data"] = self.extra_data
        return entry


@dataclasses.dataclass(frozen=True)
class Results:
    """The whole results.json."""

    tests: tuple
    output: str
    execution_time: float
    extra_data: dict = dataclasses.field(default_factory=dict)

    @property
    def score(self):
        return _score(sum(test.score for test in self.tests))

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
        return json.dumps(self.to_json(), indent=2, ensure_ascii=False, allow_nan=False)

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
