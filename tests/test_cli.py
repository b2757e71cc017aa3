"""``python -m autograder grade``: what it prints and writes, whatever the student's code
printed and whatever the submission's names hold."""

import json
import os
import re
import tempfile
import zipfile
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
    assert not (tmp_path / "results.json").exists(), "nothing was graded, so no results.json"


@pytest.mark.parametrize(
    ("command", "wrong"),
    [
        (["grade", "questions/we_recur/example/we_recur.py", "--json", "{folder}"], "--json {folder} is a folder"),
        (["batch", "questions/we_recur/samples/correct", "--out", "{file}"], "--out {file} is a file"),
        (["merge", "{folder}", "--out", "{file}"], "--out {file} is a file"),
        (["build", "--out", "{folder}"], "--out {folder} is a folder"),
        (["student-kit", "--out", "{folder}"], "--out {folder} is a folder"),
    ],
)
def test_an_output_in_the_wrong_place_is_a_one_line_error(tmp_path, capsys, command, wrong):
    paths = {"folder": str(tmp_path / "folder"), "file": str(tmp_path / "file")}
    (tmp_path / "folder").mkdir()
    (tmp_path / "file").write_text("mine\n")
    assert cli.main([part.format(**paths) for part in command]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"autograder: error: {wrong.format(**paths)}: ")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder"] and not any((tmp_path / "folder").iterdir())


def test_a_folder_that_cannot_be_made_is_a_one_line_error(tmp_path, capsys):
    (tmp_path / "file").write_text("mine\n")
    assert cli.main(["batch", "questions/we_recur/samples/correct", "--out", str(tmp_path / "file" / "graded")]) == 2
    err = capsys.readouterr().err
    assert err == f"autograder: error: {tmp_path / 'file' / 'graded'}: Not a directory\n"


def test_ctrl_c_while_unzipping_stops_in_one_line_and_leaves_nothing(tmp_path, capsys, monkeypatch):
    """Ctrl-C reaches the batch while it unpacks the export: the batch process's own
    unpacking is interrupted (not student code), the scratch folder goes, no traceback."""
    from autograder import export

    def interrupted(zip_path, destination):
        (Path(destination) / "half.py").parent.mkdir(parents=True, exist_ok=True)
        (Path(destination) / "half.py").write_text("")
        raise KeyboardInterrupt

    monkeypatch.setattr(export, "unpack", interrupted)
    export_zip = tmp_path / "export.zip"
    with zipfile.ZipFile(export_zip, "w") as archive:
        archive.writestr("alice/we_recur.py", "")
    scratch_before = set(Path(tempfile.gettempdir()).glob("autograder-batch-*"))
    assert cli.main(["batch", str(export_zip), "--out", str(tmp_path / "out")]) == 130
    assert capsys.readouterr().err == "autograder: interrupted\n"
    assert set(Path(tempfile.gettempdir()).glob("autograder-batch-*")) == scratch_before
    assert not (tmp_path / "out" / "scores.csv").exists()


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
