"""Shared helpers for the grader's own tests.

* ``sample`` is parametrized over every folder of ``questions/we_recur/samples`` that holds an
  ``expected.yaml``, so a new sample is picked up without touching any test.
* ``results_checker`` validates a results.json against Gradescope's contract: the JSON
  Schema ``gradescope_results.schema.json`` (written from Gradescope's specification,
  not from ``autograder/results.py``) plus the rules the schema cannot state.
* ``gradescope_runner`` and ``cli_runner`` run the grader's two entry points in a
  subprocess, exactly as Gradescope and a TA do.
"""

import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import jsonschema
import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
SCHEMA = json.loads(Path(__file__).with_name("gradescope_results.schema.json").read_text(encoding="utf-8"))
#: Gradescope truncates an output field at about this many characters.
MAX_OUTPUT_CHARS = 100_000
#: Generous: a sample that loops forever costs one call timeout, a few seconds.
SUBPROCESS_TIMEOUT = 120


def sample_names():
    """Every sample folder under questions/we_recur/samples that says what it should score."""
    return sorted(folder.name for folder in SUBMISSIONS.iterdir() if (folder / "expected.yaml").is_file())


def _parametrized_by_the_test(metafunc, name):
    for marker in metafunc.definition.iter_markers("parametrize"):
        names = marker.args[0] if marker.args else marker.kwargs.get("argnames", "")
        if name in (names.replace(" ", "").split(",") if isinstance(names, str) else names):
            return True
    return False


def pytest_generate_tests(metafunc):
    if "sample" in metafunc.fixturenames and not _parametrized_by_the_test(metafunc, "sample"):
        metafunc.parametrize("sample", sample_names())


@pytest.fixture
def expected(sample):
    """The sample's expected.yaml: ``scores`` per part, optional ``feedback_contains``."""
    return yaml.safe_load((SUBMISSIONS / sample / "expected.yaml").read_text(encoding="utf-8"))


# -- the results.json contract ---------------------------------------------------------------


def _reject_constant(name):
    raise ValueError(f"results.json holds {name}, which is not JSON")


def check_results(source, *, sum_tolerance=1e-6):
    """Assert that ``source`` (a path, JSON text or a dict) is a results.json Gradescope
    accepts and that the grader's own rules hold; returns the parsed dict.

    ``sum_tolerance`` bounds |top-level score - sum of test scores|.
    """
    if isinstance(source, Path):
        text = source.read_text(encoding="utf-8")
    elif isinstance(source, str):
        text = source
    else:
        text = json.dumps(source, allow_nan=False)
    data = json.loads(text, parse_constant=_reject_constant)  # strict: no NaN or Infinity
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    tests = data.get("tests", [])
    for test in tests:
        for key in ("status", "name", "max_score", "score"):
            assert key in test, f"test {test.get('name')!r} has no {key!r}"
        assert math.isfinite(test["score"]) and math.isfinite(test["max_score"])
        assert test["score"] >= 0, f"{test['name']}: negative score {test['score']}"
        assert test["score"] <= test["max_score"] + 1e-9, f"{test['name']}: {test['score']} > {test['max_score']}"
        assert len(test.get("output", "")) < MAX_OUTPUT_CHARS, f"{test['name']}: output too long"
    assert len(data.get("output", "")) < MAX_OUTPUT_CHARS, "top-level output too long"
    if "score" in data:
        total = sum(test["score"] for test in tests)
        assert abs(data["score"] - total) <= sum_tolerance, f"score {data['score']} but the tests sum to {total}"
    return data


@pytest.fixture(scope="session")
def results_checker():
    """:func:`check_results`: validate a results.json (path, text or dict); returns the dict."""
    return check_results


# -- running the entry points ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Run:
    """One finished run of an entry point."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float  # wall time
    results_path: Path

    @property
    def text(self):
        return self.results_path.read_text(encoding="utf-8")

    @property
    def results(self):
        return json.loads(self.text)


def _environment():
    env = dict(os.environ)
    # The grader runs pytest itself; the outer run's settings must not reach it.
    for name in ("PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST", "PYTEST_PLUGINS"):
        env.pop(name, None)
    return env


def _run(command, *, env, results_path):
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=REPO, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, check=False
    )
    return Run(done.returncode, done.stdout, done.stderr, time.monotonic() - started, results_path)


def run_gradescope(files, root):
    """Run ``run_autograder`` with ``AUTOGRADER_ROOT=root`` on a submission made of
    ``files`` (a folder whose entries are copied, or a list of paths)."""
    submission = Path(root) / "submission"
    submission.mkdir(parents=True)
    entries = sorted(Path(files).iterdir()) if isinstance(files, (str, Path)) else [Path(f) for f in files]
    for entry in entries:
        if entry.is_dir():
            shutil.copytree(entry, submission / entry.name)
        else:
            shutil.copy2(entry, submission / entry.name)
    env = _environment()
    env.update({"AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable})
    return _run([str(REPO / "run_autograder")], env=env, results_path=Path(root) / "results" / "results.json")


def run_cli(path, out, *, rubric=None):
    """Run ``python -m autograder grade PATH --json OUT [--rubric RUBRIC]``."""
    command = [sys.executable, "-m", "autograder", "grade", str(path), "--json", str(out)]
    if rubric is not None:
        command += ["--rubric", str(rubric)]
    return _run(command, env=_environment(), results_path=Path(out))


@pytest.fixture(scope="session")
def gradescope_runner():
    """:func:`run_gradescope`: ``(files, root) -> Run``."""
    return run_gradescope


@pytest.fixture(scope="session")
def cli_runner():
    """:func:`run_cli`: ``(path, out, rubric=None) -> Run``."""
    return run_cli
