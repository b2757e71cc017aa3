"""``python -m autograder build [--question NAME] --out autograder.zip``: the zip to upload to Gradescope.

Gradescope extracts the zip into ``/autograder/source`` and needs ``setup.sh`` and
``run_autograder`` at its root. Beside them go exactly what grading needs: the
``autograder`` package, ``requirements.txt`` and one question: ``questions/NAME/``'s
rubric, reference and checks (and the ``__init__.py`` files that make them a package),
with ``questions/default.txt`` naming it, so that ``run_autograder`` grades the question
the zip was built for. Nothing else: no other question, no handout, no example answer,
no samples, no tests, no caches, no virtual environment.

The zip also holds the secret scoring seed (``scoring_seed.txt``, see
:mod:`autograder.scoring_seed`), created here unless an earlier zip's is reused, and a
copy of it is written beside the zip (``autograder.scoring-seed``) for ``grade`` and
``batch --secret-from``. Keep both from students: the kit never holds it.

The question's rubric is validated first, so a broken rubric never reaches students.
``rubric`` (``build --rubric PATH``) puts another rubric in the place of the question's
``rubric.yaml``. ``build.json`` at the zip's root records the question, that rubric's
sha256 and the scoring seed's (never the seed), as every results.json does: a results
file shows which zip graded it. The zip is reproducible: entries are sorted and carry a
fixed date, so the same source and the same seed give the same bytes.
"""

import hashlib
import json
import zipfile
from pathlib import Path

from autograder import checks, scoring_seed
from autograder import question as questions
from autograder.grading import SOURCE_ROOT
from autograder.rubric import RubricError, load_rubric

#: Files at the zip's root, with their permissions.
ROOT_FILES = {"setup.sh": 0o755, "run_autograder": 0o755, "requirements.txt": 0o644}
#: Folders of the engine copied whole, less what :func:`_wanted` leaves out.
FOLDERS = ("autograder",)
#: What of a question's folder grading reads (the handout, example and samples stay out).
QUESTION_PARTS = ("__init__.py", "reference", "checks")
_SKIPPED_SUFFIXES = (".pyc", ".pyo", ".orig", ".rej", ".swp", "~")
_FIXED_DATE = (2020, 1, 1, 0, 0, 0)
#: The zip's record of what it grades with.
MANIFEST = "build.json"


class BuildError(Exception):
    """The zip cannot be built; the message says what to fix."""


def build(out, question, source=SOURCE_ROOT, seed=None, rubric=None):
    """Write the autograder zip of ``question`` (an :class:`~autograder.question.Question`)
    to ``out``, with the engine from the checkout at ``source``, the secret scoring
    ``seed`` (a :class:`~autograder.scoring_seed.Seed`; None: a new one) and the rubric
    file ``rubric`` (None: the question's), and the seed's copy beside it; returns the
    names the zip holds. Raises :class:`BuildError`."""
    source = Path(source)
    seed = seed if seed is not None else scoring_seed.create()
    entries = {scoring_seed.FILE_IN_ZIP: (scoring_seed.as_text(seed).encode("ascii"), 0o600)}
    for name, mode in ROOT_FILES.items():
        if not (source / name).is_file():
            raise BuildError(f"{source / name} is missing; Gradescope needs it at the zip's root.")
        entries[name] = (source / name, mode)
    for folder in FOLDERS:
        if not (source / folder).is_dir():
            raise BuildError(f"{source / folder} is missing.")
        _add_tree(entries, source / folder, source)
    _add_question(entries, question)
    graded = f"{questions.QUESTIONS.name}/{question.name}/{questions.RUBRIC_FILE}"
    text, loaded = _validated(Path(rubric) if rubric is not None else question.rubric_path, question)
    entries[graded] = (text, 0o644)
    manifest = {
        "question": question.name, "rubric": graded, "rubric_sha256": loaded.sha256, "seed_sha256": seed.sha256,
        # What the zip scores out of, and what staff grade by hand beside it (a manual question).
        "autograded_points": loaded.total_points,
        "manual_points": loaded.manual_points,
        "manual_parts": [{"part": part.label, "title": part.title, "points": part.manual_points} for part in loaded.manual_parts],
    }
    entries[MANIFEST] = ((json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode("ascii"), 0o644)
    names = write_zip(out, entries)
    Path(out).chmod(0o600)  # it holds the secret: no other user (nor a sandbox user) may read it
    copy = scoring_seed.copy_beside(out)
    copy.write_text(scoring_seed.as_text(seed), encoding="ascii")
    copy.chmod(0o600)
    return names


def _add_tree(entries, folder, base, prefix=""):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and _wanted(path.relative_to(base)):
            entries[prefix + path.relative_to(base).as_posix()] = (path, 0o644)


def _add_question(entries, question):
    """``questions/NAME/``: what of the question grading reads, and ``questions/default.txt`` naming it."""
    prefix = f"{questions.QUESTIONS.name}/"
    for part in ("rubric.yaml", "checks"):
        if not (question.folder / part).exists():
            raise BuildError(f"{question.folder / part} is missing.")
    for part in QUESTION_PARTS:  # the rubric is added as validated (build's rubric argument)
        path = question.folder / part
        if path.is_dir():
            _add_tree(entries, path, question.folder.parent, prefix)
        elif path.is_file():
            entries[f"{prefix}{question.name}/{part}"] = (path, 0o644)
    entries[prefix + "__init__.py"] = (b"", 0o644)
    entries[prefix + questions.DEFAULT_FILE] = (f"{question.name}\n".encode(), 0o644)


def write_zip(out, entries):
    """Write ``entries`` (``{name in the zip: (file or bytes, permissions)}``) to the zip ``out``,
    reproducibly: sorted, each with a fixed date, so that the same files give the same
    bytes. The zip appears whole or not at all. Returns the names, sorted."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    temporary = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(entries):
            path, mode = entries[name]
            info = zipfile.ZipInfo(name, date_time=_FIXED_DATE)
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path if isinstance(path, bytes) else path.read_bytes())
    temporary.replace(out)
    return sorted(entries)


def _wanted(relative):
    parts = relative.parts
    if any(part == "__pycache__" or part.startswith(".") for part in parts):
        return False
    return not relative.name.endswith(_SKIPPED_SUFFIXES)


def _validated(path, question):
    """``(bytes, rubric)`` of the rubric at ``path``, validated against ``question``'s
    checks: the bytes zipped are the bytes validated."""
    try:
        text = path.read_bytes()
        loaded = load_rubric(path, checks.discover(question))
    except OSError as error:
        raise BuildError(f"--rubric {path} cannot be read ({error.strerror or error}).") from None
    except RubricError as error:
        raise BuildError(f"the rubric is invalid: {error}") from None
    if hashlib.sha256(text).hexdigest() != loaded.sha256:
        raise BuildError(f"{path} changed while it was read; build again.")
    return text, loaded
