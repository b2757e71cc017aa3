"""Rubrics: YAML files that map an exam's parts to weighted checks.

A rubric is read and validated once, here, into frozen objects; nothing downstream
sees raw YAML. Any problem stops loading with a :class:`RubricError` that names the
file, the key and the line, so an instructor can fix it without reading code::

    title: We Recur!
    module: we_recur.py            # the file students submit
    seed: 20191218                 # the public seed: the student kit draws with it
    reveal: homework               # what students read: the preset exam or homework
    limits: {call_timeout: 5}      # optional, see autograder.sandbox.limits.Limits
    parts:
      - label: b
        title: dLoss_t/dx_t for RNN-A
        points: 2
        checks:
          - check: b.random_weights   # a check id from the question's checks/
            weight: 2
            visibility: visible       # visible | hidden | after_due_date | after_published
            reveal: hint              # optional: score | hint | diagnosis (default: the preset's)
            feedback: A hint shown when the check does not pass.

The rubric is the single source of a check's weight (required), visibility (default
``visible``), number (default ``PART.CHECK`` in rubric order, ``1.1``, ``1.2``, ``2.1``)
and tags (default none); the check function states only its id and name.

``reveal`` says what a student reads under a check that does not pass (:data:`REVEALS`);
a preset (:data:`PRESETS`) gives every check its level, and a check may name its own.
Whatever the level, the student sees the score, errors of their own code (an exception,
a timeout, a missing function) and the notes a check leaves (an accepted flat vector).

Random draws use the scoring seed (:attr:`Rubric.scoring`): the public ``seed`` unless
the grader was given the secret one (:mod:`autograder.scoring_seed`).
"""

import dataclasses
import hashlib
import math
from pathlib import Path

import yaml

from autograder import scoring_seed
from autograder.results import VISIBILITIES
from autograder.sandbox.limits import Limits

_TOP_KEYS = {"title": "text", "module": "text", "seed": "int", "reveal": "text", "limits": "mapping", "parts": "list"}
_PART_KEYS = {"label", "title", "points", "manual_points", "checks"}
_CHECK_KEYS = {"check", "name", "weight", "visibility", "reveal", "feedback", "number", "tags"}

#: What a student reads under a check that does not pass, from least to most:
#: ``score`` the score alone; ``hint`` also the rubric's ``feedback`` (a conceptual hint);
#: ``diagnosis`` also the check's own message (what it found, a recognised mistake).
REVEALS = ("score", "hint", "diagnosis")
#: The presets a rubric's top-level ``reveal:`` names: the level of a check worth points,
#: and of a check worth none (which says whether an answer generalizes, and never scores).
PRESETS = {
    "exam": {"scored": "score", "unscored": "hint"},
    "homework": {"scored": "diagnosis", "unscored": "diagnosis"},
}
DEFAULT_PRESET = "homework"


class RubricError(Exception):
    """A rubric that cannot be used; ``str()`` reads ``file:line: key: problem``."""

    def __init__(self, path, line, key, problem):
        self.path, self.line, self.key, self.problem = str(path), line, key, problem
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {key}: {problem}" if key else f"{where}: {problem}")


@dataclasses.dataclass(frozen=True)
class CheckRule:
    """One check as the rubric weighs it."""

    check_id: str
    name: str  # shown to students, after the part's label
    weight: float
    visibility: str
    feedback: str  # the instructor's hint, shown when the check does not fully pass
    number: str
    tags: tuple
    reveal: str = "diagnosis"  # one of REVEALS: what the student reads when it does not pass


@dataclasses.dataclass(frozen=True)
class Part:
    label: str
    title: str
    points: float  # autograded: the sum of its checks' weights
    checks: tuple
    #: Points staff grade by hand (a manual question on Gradescope): part of the question,
    #: never of the autograder's score. Its checks collect what staff read and weigh 0.
    manual_points: float = 0.0

    @property
    def heading(self):
        return f"({self.label})"


@dataclasses.dataclass(frozen=True)
class Rubric:
    path: Path
    title: str
    module: str
    seed: int  # the public seed, the student kit's
    limits: Limits
    parts: tuple
    reveal: str = DEFAULT_PRESET  # the preset, one of PRESETS
    scoring: object = None  # the scoring_seed.Seed the checks draw with; None: the public seed
    sha256: str = ""  # of the file's bytes as loaded: results.json, the zip and the kit record it
    question: object = None  # the autograder.question.Question whose checks it weighs

    def __post_init__(self):
        if self.scoring is None:
            object.__setattr__(self, "scoring", scoring_seed.public(self.seed))

    def scored_with(self, seed):
        """This rubric, drawing with ``seed`` (a :class:`~autograder.scoring_seed.Seed`)."""
        return dataclasses.replace(self, scoring=seed)

    def part(self, label):
        for part in self.parts:
            if part.label == label:
                return part
        raise KeyError(label)

    @property
    def checks(self):
        """Every (part, rule) pair in rubric order."""
        return [(part, rule) for part in self.parts for rule in part.checks]

    @property
    def total_points(self):
        """What the autograder scores out of (the hand-graded points are not in it)."""
        return sum(part.points for part in self.parts)

    @property
    def manual_points(self):
        """The question's points graded by hand, outside the autograder's score."""
        return sum(part.manual_points for part in self.parts)

    @property
    def manual_parts(self):
        return tuple(part for part in self.parts if part.manual_points)

    def manual_sentence(self):
        """One sentence naming the points graded by hand, or "" when there are none."""
        if not self.manual_points:
            return ""
        named = ", ".join(f"{part.heading} {part.title} ({part.manual_points:g})" for part in self.manual_parts)
        return (
            f"{self.manual_points:g} of this question's {self.total_points + self.manual_points:g} points are graded "
            f"by hand and are not in this score: {named}."
        )


# -- YAML with line numbers ----------------------------------------------------------------


class _Mapping(dict):
    """A YAML mapping that remembers the line of itself and of each key (1-based), and
    any key written twice (YAML forbids it; PyYAML would silently keep the last)."""

    line = 0
    key_lines = None
    duplicates = ()


class _Sequence(list):
    line = 0
    item_lines = None


class _LineLoader(yaml.SafeLoader):
    def construct_mapping(self, node, deep=False):
        mapping = _Mapping(super().construct_mapping(node, deep=True))
        mapping.line = node.start_mark.line + 1
        mapping.key_lines, duplicates = {}, []
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in mapping.key_lines:
                duplicates.append((key, key_node.start_mark.line + 1))
            else:
                mapping.key_lines[key] = key_node.start_mark.line + 1
        mapping.duplicates = tuple(duplicates)
        return mapping

    def construct_sequence(self, node, deep=False):
        sequence = _Sequence(super().construct_sequence(node, deep=True))
        sequence.line = node.start_mark.line + 1
        sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
        return sequence


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_sequence)


# -- validation ----------------------------------------------------------------------------


def load_rubric(path, known_checks):
    """Read and validate the rubric at ``path``.

    ``known_checks`` maps check ids to their :class:`~autograder.checks.CheckSpec`
    (from :func:`autograder.checks.discover`). Raises :class:`RubricError`.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RubricError(path, 0, "", f"cannot be read ({error})") from None
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506  a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        raise RubricError(path, line, "", f"is not valid YAML: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise RubricError(path, 0, "", f"is not valid YAML: {error}") from None
    return dataclasses.replace(_Validator(path, known_checks).rubric(data), sha256=hashlib.sha256(raw).hexdigest())


class _Validator:
    def __init__(self, path, known_checks):
        self.path = path
        self.known = known_checks
        self.used = set()  # check ids already in the rubric: each may appear once

    def fail(self, line, key, problem):
        raise RubricError(self.path, line, key, problem)

    def line_of(self, container, key):
        if isinstance(container, _Mapping):
            return container.key_lines.get(key, container.line)
        if isinstance(container, _Sequence) and isinstance(key, int):
            return container.item_lines[key]
        return getattr(container, "line", 0)

    def mapping(self, value, line, key, allowed):
        if not isinstance(value, dict):
            self.fail(line, key, f"must be a mapping, not {_kind(value)}")
        for name, duplicate_line in getattr(value, "duplicates", ()):
            self.fail(duplicate_line, f"{key}.{name}" if key else name, "is written twice in the same mapping")
        for name in value:
            if name not in allowed:
                options = ", ".join(sorted(allowed))
                self.fail(self.line_of(value, name), f"{key}.{name}" if key else name, f"unknown key (expected one of: {options})")
        return value

    def number(self, container, name, key, *, default=None, minimum=0.0):
        if name not in container:
            if default is None:
                self.fail(self.line_of(container, name), key, "is required")
            return default
        value = container[name]
        if type(value) not in (int, float) or not math.isfinite(value) or value < minimum:
            self.fail(self.line_of(container, name), key, f"must be a number >= {minimum:g}, not {value!r}")
        return float(value)

    def text(self, container, name, key, *, default=None):
        value = container.get(name, default)
        if value is None:
            self.fail(self.line_of(container, name), key, "is required")
        if not isinstance(value, str):
            self.fail(self.line_of(container, name), key, f"must be text, not {_kind(value)}")
        return value

    def rubric(self, data):
        top = self.mapping(data, 1, "", set(_TOP_KEYS))
        seed = top.get("seed", 0)
        if type(seed) is not int or seed < 0:
            self.fail(self.line_of(top, "seed"), "seed", f"must be a non-negative integer, not {seed!r}")
        preset = top.get("reveal", DEFAULT_PRESET)
        if preset not in PRESETS:
            self.fail(self.line_of(top, "reveal"), "reveal", f"{preset!r} is not a preset: {', '.join(PRESETS)}")
        self.preset = PRESETS[preset]
        parts_data = top.get("parts")
        if not isinstance(parts_data, list) or not parts_data:
            self.fail(self.line_of(top, "parts"), "parts", "must be a non-empty list of parts")
        parts, labels = [], set()
        for index, part_data in enumerate(parts_data):
            part = self.part(part_data, self.line_of(parts_data, index), f"parts[{index}]", index + 1)
            if part.label in labels:
                self.fail(self.line_of(parts_data, index), f"parts[{index}].label", f"repeats the label {part.label!r}")
            labels.add(part.label)
            parts.append(part)
        return Rubric(
            path=self.path,
            title=self.text(top, "title", "title", default="Autograded assignment"),
            module=self.text(top, "module", "module"),  # the question says what students submit
            seed=seed,
            limits=self.limits(top.get("limits", {}), self.line_of(top, "limits")),
            parts=tuple(parts),
            reveal=preset,
        )

    def limits(self, data, line):
        fields = {f.name: f for f in dataclasses.fields(Limits)}
        self.mapping(data, line, "limits", set(fields))
        values = {}
        for name, value in data.items():
            key = f"limits.{name}"
            whole = type(fields[name].default) is int
            if whole and (type(value) is not int or value <= 0):
                self.fail(self.line_of(data, name), key, f"must be a positive whole number, not {value!r}")
            if type(value) not in (int, float) or not math.isfinite(value) or value <= 0:
                self.fail(self.line_of(data, name), key, f"must be a positive number, not {value!r}")
            values[name] = type(fields[name].default)(value)
        return Limits(**values)

    def part(self, data, line, key, position):
        self.mapping(data, line, key, _PART_KEYS)
        label = data.get("label")
        if not isinstance(label, str) or not label:
            self.fail(self.line_of(data, "label"), f"{key}.label", "is required (a short text such as 'a')")
        points = self.number(data, "points", f"{key}.points")
        checks_data = data.get("checks")
        if not isinstance(checks_data, list) or not checks_data:
            self.fail(self.line_of(data, "checks"), f"{key}.checks", "must be a non-empty list of checks")
        checks = tuple(
            self.check(item, self.line_of(checks_data, i), f"{key}.checks[{i}]", f"{position}.{i + 1}")
            for i, item in enumerate(checks_data)
        )
        total = sum(rule.weight for rule in checks)
        if not math.isclose(total, points, rel_tol=0, abs_tol=1e-9):
            self.fail(
                self.line_of(data, "points"),
                f"{key}.points",
                f"part ({label}) is worth {points:g} points but its check weights sum to {total:g}",
            )
        manual = self.number(data, "manual_points", f"{key}.manual_points", default=0.0)
        if manual and any(rule.weight for rule in checks):
            self.fail(
                self.line_of(data, "manual_points"),
                f"{key}.manual_points",
                f"part ({label}) is graded by hand: its checks only collect what staff read, so each must weigh 0",
            )
        return Part(
            label=label, title=self.text(data, "title", f"{key}.title", default=""), points=points, checks=checks,
            manual_points=manual,
        )

    def check(self, data, line, key, default_number):
        self.mapping(data, line, key, _CHECK_KEYS)
        check_id = data.get("check")
        if not isinstance(check_id, str):
            self.fail(self.line_of(data, "check"), f"{key}.check", "is required (a check id such as 'b.random_weights')")
        if check_id in self.used:
            self.fail(self.line_of(data, "check"), f"{key}.check", f"check {check_id!r} is already used in this rubric")
        self.used.add(check_id)
        spec = self.known.get(check_id)
        if spec is None:
            close = [known for known in self.known if known.split(".")[0] == check_id.split(".")[0]]
            hint = f" (checks for this part: {', '.join(sorted(close))})" if close else ""
            self.fail(self.line_of(data, "check"), f"{key}.check", f"unknown check {check_id!r}{hint}")
        weight = self.number(data, "weight", f"{key}.weight")
        visibility = data.get("visibility", "visible")
        if visibility not in VISIBILITIES:
            self.fail(
                self.line_of(data, "visibility"),
                f"{key}.visibility",
                f"{visibility!r} is not one of {', '.join(VISIBILITIES)}",
            )
        reveal = data.get("reveal", self.preset["scored" if weight > 0 else "unscored"])
        if reveal not in REVEALS:
            self.fail(self.line_of(data, "reveal"), f"{key}.reveal", f"{reveal!r} is not one of {', '.join(REVEALS)}")
        tags = data.get("tags", ())
        if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
            self.fail(self.line_of(data, "tags"), f"{key}.tags", "must be a list of texts")
        number = data.get("number", default_number)
        if not isinstance(number, (str, int, float)) or isinstance(number, bool):
            self.fail(self.line_of(data, "number"), f"{key}.number", f"must be text such as '1.2', not {_kind(number)}")
        return CheckRule(
            check_id=check_id,
            name=self.text(data, "name", f"{key}.name", default=spec.name),
            weight=weight,
            visibility=visibility,
            feedback=self.text(data, "feedback", f"{key}.feedback", default="").strip(),
            reveal=reveal,
            number=str(number),
            tags=tuple(tags),
        )


def _kind(value):
    return {dict: "a mapping", list: "a list", str: "text", type(None): "empty"}.get(type(value), type(value).__name__)
