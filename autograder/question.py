"""Questions: a folder holds everything one question is; the engine is handed one.

A question is a folder (``questions/NAME/`` in a checkout, or anywhere else)::

    rubric.yaml        the rubric: parts, checks, weights (``module:`` the student's file)
    reference/         the verified reference (a package); reference/answers.py holds
                       plain functions of arrays and numbers: what the checks compare with
    checks/            check_*.py: pytest check functions (see :mod:`autograder.checks`)
    handout/           README.md and the starter module, for the student kit
    example/           a correct solution
    samples/           CASE/ folders: a submission and its expected.yaml

The question's folder and each folder above it up to the first without an
``__init__.py`` form the Python package its checks are imported as
(``questions.we_recur.checks.check_part_a``), so two questions' check modules never
share a name. Nothing here names a question: ``questions/default.txt`` says which one
a command grades when none is named (a built zip names its own question there).
"""

import dataclasses
import importlib
import sys
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parent.parent
#: Where ``--question NAME`` looks for ``NAME/``.
QUESTIONS = SOURCE_ROOT / "questions"
#: One line: the name of the question graded when none is named.
DEFAULT_FILE = "default.txt"
RUBRIC_FILE = "rubric.yaml"


class QuestionError(Exception):
    """A question that cannot be found as named, or cannot be used (a check id defined
    twice); the message says what was looked for, or where."""


@dataclasses.dataclass(frozen=True)
class Question:
    """A question's folder, and the places inside it the engine reads."""

    folder: Path

    @property
    def name(self):
        return self.folder.name

    @property
    def rubric_path(self):
        return self.folder / RUBRIC_FILE

    @property
    def checks_dir(self):
        return self.folder / "checks"

    @property
    def reference_dir(self):
        return self.folder / "reference"

    @property
    def handout_dir(self):
        return self.folder / "handout"

    @property
    def example_dir(self):
        return self.folder / "example"

    @property
    def samples_dir(self):
        return self.folder / "samples"

    @property
    def package(self):
        """``(folder to put on sys.path, dotted name of the question's package)``, as
        pytest's default import mode computes it: up to the first folder without an
        ``__init__.py``."""
        parts, folder = [], self.folder
        while (folder / "__init__.py").is_file():
            parts.insert(0, folder.name)
            folder = folder.parent
        if not parts:
            raise QuestionError(f"{self.folder} has no __init__.py, so its checks cannot be imported as a package")
        return folder, ".".join(parts)

    def answers(self):
        """The question's ``reference/answers.py``: what its checks compare with, handed
        to each check as the ``answers`` fixture."""
        return self.import_module("reference.answers")

    def import_module(self, relative):
        """The question's module ``relative`` (such as ``"checks.check_part_a"``), imported
        under the question's package (:attr:`package`). A package of that name loaded
        from another folder (another copy of a question, graded earlier in this process)
        is forgotten first, so that the name means this folder from now on."""
        base, package = self.package
        top = package.split(".")[0]
        loaded = sys.modules.get(top)
        if loaded is not None and Path(next(iter(getattr(loaded, "__path__", [])), "")).resolve() != (base / top).resolve():
            for name in [name for name in sys.modules if name == top or name.startswith(f"{top}.")]:
                del sys.modules[name]
        if str(base) in sys.path:
            sys.path.remove(str(base))
        sys.path.insert(0, str(base))  # where pytest's default import mode puts it too
        importlib.invalidate_caches()
        return importlib.import_module(f"{package}.{relative}")


def is_question(folder):
    """Whether ``folder`` holds a question (a rubric and a checks folder)."""
    folder = Path(folder)
    return (folder / RUBRIC_FILE).is_file() and (folder / "checks").is_dir()


def find(spec, questions=QUESTIONS):
    """The question ``spec`` names: a name under ``questions``, a question's folder, or a
    rubric file inside one. Raises :class:`QuestionError`."""
    path = Path(spec)
    for candidate in (path, path.parent if path.suffix in (".yaml", ".yml") else None, Path(questions) / str(spec)):
        if candidate is not None and is_question(candidate):
            return Question(candidate.resolve())
    known = ", ".join(names(questions)) or "none"
    raise QuestionError(
        f"no question {str(spec)!r}: name a folder of {questions} (there: {known}), a question's folder, or its rubric.yaml"
    )


def names(questions=QUESTIONS):
    """The names of the questions under ``questions``, sorted; a folder whose name starts
    with ``_`` (``_template``) is a question too, but not listed."""
    folder = Path(questions)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if is_question(p) and not p.name.startswith("_"))


def default(questions=QUESTIONS):
    """The question named in ``questions/default.txt``. Raises :class:`QuestionError`."""
    marker = Path(questions) / DEFAULT_FILE
    try:
        name = marker.read_text(encoding="utf-8").strip()
    except OSError as error:
        raise QuestionError(f"no default question: cannot read {marker} ({error.strerror}); name one with --question") from None
    return find(name, questions)


def of_rubric(rubric_path, question=None):
    """The question a rubric grades: ``question`` when given, else the folder the rubric
    lies in when it is a question's, else the default question."""
    if question is not None:
        return question
    folder = Path(rubric_path).resolve().parent
    return Question(folder) if is_question(folder) else default()
