"""``python -m autograder grade``: what it prints and writes, whatever the student's code
printed and whatever the submission's names hold."""

import json
import os
import re
from pathlib import Path

import pytest

from autograder import cli
from autograder.sandbox import isolation

#: What a terminal would act on rather than show.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
SHOUTY = """
import sys
print("\\x1b]0;owned\\x07\\x1b[2J\\x9b31m printed")
print("\\x1b[H to stderr", file=sys.stderr)

def rnn_a_shapes():
    raise ValueError("\\x1b]8;;https://example.com\\x07click\\x1b]8;;\\x07")
"""


@pytest.fixture
def own_sandbox_user():
    isolation.use_slot(7)  # a sandbox user of this process's own (see tests/test_batch.py)
    yield
    isolation.use_slot(0)


def test_grade_prints_what_the_student_printed_written_out(tmp_path, capsys, own_sandbox_user):
    folder = tmp_path / os.fsdecode(b"caf\xe9")
    folder.mkdir()
    (folder / "we_recur.py").write_text(SHOUTY)
    assert cli.main(["grade", str(folder), "--json", str(tmp_path / "results.json")]) == 0
    out, err = capsys.readouterr()
    assert not RAW_CONTROL.search(out) and not RAW_CONTROL.search(err)
    assert "\\x1b]0;owned\\x07\\x1b[2J\\x9b31m printed" in out
    assert "\\x1b]8;;https://example.com\\x07click" in out
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert not any(RAW_CONTROL.search(text) for text in [data["output"], *(t["output"] for t in data["tests"])])


def test_grade_of_a_missing_path_says_so_safely(tmp_path, capsys):
    missing = tmp_path / os.fsdecode(b"\x1b]0;owned\x07caf\xe9")
    assert cli.main(["grade", str(missing), "--json", str(tmp_path / "results.json")]) == 2
    _, err = capsys.readouterr()
    assert not RAW_CONTROL.search(err)
    assert "\\x1b]0;owned\\x07caf\ufffd does not exist" in err
    output = json.loads(Path(tmp_path / "results.json").read_text(encoding="utf-8"))["output"]
    assert "\\x1b]0;owned\\x07caf\ufffd` does not exist" in output


def test_grading_from_inside_a_students_folder_imports_none_of_its_modules(tmp_path):
    """Python puts the working folder first on sys.path: a student's numpy.py there must
    never be imported into the grader."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parent.parent
    pwned = tmp_path / "pwned"
    folder = tmp_path / "hw7"
    folder.mkdir()
    (folder / "we_recur.py").write_text((repo / "questions" / "we_recur" / "example" / "we_recur.py").read_text())
    for name in ("numpy", "yaml", "pytest"):
        (folder / f"{name}.py").write_text(f"open({str(pwned)!r}, 'a').write({name!r})\nraise ImportError\n")
    env = {**os.environ, "PYTHONPATH": str(repo)}
    done = subprocess.run(
        [sys.executable, "-m", "autograder", "grade", "."], cwd=folder, env=env, capture_output=True, text=True,
        timeout=120,
    )
    assert not pwned.exists(), pwned.read_text()
    assert "**12 / 12**" in done.stdout, done.stdout + done.stderr
