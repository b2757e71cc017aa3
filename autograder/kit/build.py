"""``python -m autograder student-kit --out kit.zip``: build the student kit.

The zip holds one folder::

    we_recur-kit/
        README.md          how to self-check (autograder/kit/README.md), then the handout
        SECRECY.md         what the self-check knows, and what can be found by trying
        we_recur.py        the starter template
        check.py           the self-check: python check.py we_recur.py
        _selfcheck/        what check.py runs
            rubric.json              the visible checks only
            autograder/...           the grader's pure-Python pieces
            question/checks/...      the question's check modules, pruned to their
                                     visible checks
            answers.json             the reference's answers the visible checks asked
                                     for, recorded (autograder/kit/recording.py) and
                                     replayed (autograder/kit/replay.py)

Nothing of the question's ``reference/`` ships (it is staged beside the checks only
while the answers are recorded), nor any hidden check: its code, its inputs and its
recorded answers are left out, since the recording runs the visible checks alone. The
checks ship without docstrings, comments or tables of recognised mistakes
(:mod:`autograder.kit.pruning`). The recording draws with the rubric's public ``seed``,
never with the zip's secret scoring seed (:mod:`autograder.scoring_seed`), so the
kit's answers are to other inputs than Gradescope's.
"""

import dataclasses
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder import checks
from autograder import question as questions
from autograder.build import write_zip
from autograder.grading import SOURCE_ROOT
from autograder.kit.imports import gradescope_packages
from autograder.kit.pruning import visible_source
from autograder.rubric import RubricError, load_rubric

KIT = Path(__file__).resolve().parent
#: The grader's modules the self-check runs, as they are (paths under autograder/).
VENDORED = (
    "__init__.py", "labels.py", "markdown.py", "terminal.py", "outcomes.py", "results.py", "notebook.py", "submission.py",
    "remembered.py",
    "checks/__init__.py", "checks/values.py", "checks/shapes.py", "question.py",
    "kit/__init__.py", "kit/selfcheck.py", "kit/sealed.py", "kit/imports.py", "kit/replay.py",
)
#: Where the question's checks go in ``_selfcheck/`` (a package of that name).
KIT_QUESTION = "question"


class KitError(Exception):
    """The kit cannot be built; the message says why."""


def build_kit(out, rubric_path=None, question=None):
    """Write the student kit of ``question`` (an :class:`~autograder.question.Question`;
    None: the one the rubric lies in, else the default) for the rubric at
    ``rubric_path`` (None: the question's) to ``out``; returns the names in the zip.
    Raises :class:`KitError` (an invalid rubric included)."""
    if rubric_path is None:
        question = question if question is not None else questions.default()
        rubric_path = question.rubric_path
    question = questions.of_rubric(rubric_path, question)
    try:
        rubric = load_rubric(rubric_path, checks.discover(question))
    except RubricError as error:
        raise KitError(f"the rubric is invalid: {error}") from None
    visible = [(part, rule) for part, rule in rubric.checks if rule.visibility == "visible"]
    if not visible:
        raise KitError(f"{rubric_path} has no visible check, so a self-check would check nothing.")
    top = f"{Path(rubric.module).stem}-kit"
    with tempfile.TemporaryDirectory(prefix="autograder-kit-") as stage:
        folder = Path(stage) / top
        library = folder / "_selfcheck"
        _vendor(library, question, {rule.check_id for _, rule in visible})
        _write_rubric(library / "rubric.json", rubric, visible)
        _record(library, question, rubric.module)
        (folder / "check.py").write_text(_for_module(KIT / "check.py", rubric.module), encoding="utf-8")
        (folder / "README.md").write_text(_readme(rubric.module, question.handout_dir), encoding="utf-8")
        shutil.copyfile(KIT / "SECRECY.md", folder / "SECRECY.md")
        shutil.copyfile(question.handout_dir / rubric.module, folder / rubric.module)
        entries = {path.relative_to(stage).as_posix(): (path, 0o644) for path in folder.rglob("*") if path.is_file()}
        return write_zip(out, entries)


def _vendor(library, question, visible_ids):
    package = library / "autograder"
    for name in VENDORED:
        _copy(SOURCE_ROOT / "autograder" / name, package / name)
    for path in sorted((SOURCE_ROOT / "autograder" / "sandbox").glob("*.py")):
        _copy(path, package / "sandbox" / path.name)
    own = library / KIT_QUESTION
    for name in ("__init__.py", "checks/__init__.py"):
        _copy(question.folder / name, own / name)
    for path in sorted(question.checks_dir.glob("check_*.py")):
        module = question.import_module(f"checks.{path.stem}")
        source = visible_source(module, visible_ids)
        if source is not None:
            (own / "checks" / path.name).write_text(source, encoding="utf-8")


def _copy(source, destination):
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, destination)


def _write_rubric(path, rubric, visible):
    data = {
        "title": rubric.title,
        "module": rubric.module,
        "seed": rubric.seed,  # the public seed: the scoring seed never reaches the kit
        "rubric_sha256": rubric.sha256,  # which rubric the kit was built from, as results.json records it
        "limits": dataclasses.asdict(rubric.limits),
        "total_points": rubric.total_points,
        "manual": rubric.manual_sentence(),  # the points staff grade by hand, or ""
        "has_hidden_checks": len(visible) < len(rubric.checks),
        "gradescope_packages": _gradescope_packages(),
        "rules": [
            {
                "check_id": rule.check_id,
                "name": rule.name,
                "weight": rule.weight,
                "feedback": rule.feedback,
                "reveal": rule.reveal,
                "part": part.label,
                "heading": part.heading,
            }
            for part, rule in visible
        ],
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def _readme(module, handout):
    """The kit's README for students (``autograder/kit/README.md``, naming ``module``),
    then the handout's (in the folder ``handout``)."""
    guide = _for_module(KIT / "README.md", module)
    return guide.rstrip("\n") + "\n\n---\n\n" + (handout / "README.md").read_text(encoding="utf-8")


def _for_module(path, module):
    """The text of the kit's file at ``path``, its examples naming ``module`` (they are
    written for ``we_recur.py``, the first question's)."""
    return path.read_text(encoding="utf-8").replace("we_recur", Path(module).stem)


def _gradescope_packages():
    """What the autograder zip installs on Gradescope (its requirements.txt), as
    ``{distribution: [importable top-level modules]}``: the self-check warns of imports
    of anything else outside the standard library."""
    try:
        return gradescope_packages(SOURCE_ROOT / "requirements.txt")
    except LookupError as error:
        raise KitError(f"cannot list what Gradescope installs: {error}") from None


def _record(library, question, module):
    """Run the visible checks against the question's reference in a fresh interpreter,
    the reference staged beside the kit's checks and the recorder in place
    (:mod:`autograder.kit.recording`); keep the answers they asked for, and take the
    reference and the recorder away."""
    staged_reference = library / KIT_QUESTION / "reference"
    recorder = library / "autograder" / "kit" / "recording.py"
    shutil.copytree(question.reference_dir, staged_reference, ignore=shutil.ignore_patterns("__pycache__"))
    _copy(KIT / "recording.py", recorder)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env["PYTHONPATH"] = str(library)
    script = "import sys; from autograder.kit.recording import record; record(*sys.argv[1:])"
    example = question.example_dir / module
    done = subprocess.run(
        [sys.executable, "-c", script, str(library / "rubric.json"), str(library / "answers.json"),
         f"{KIT_QUESTION}.reference.answers", str(example)],
        cwd=library, env=env, capture_output=True, text=True, timeout=600,
    )
    if done.returncode != 0:
        raise KitError(f"recording the reference's answers failed:\n{done.stderr.strip() or done.stdout.strip()}")
    shutil.rmtree(staged_reference)
    recorder.unlink()
    for cache in library.rglob("__pycache__"):
        shutil.rmtree(cache)
