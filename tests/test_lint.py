"""``python -m autograder lint RUBRIC``: exit 0 and a table for a valid rubric, exit 2 and
the file, line and key of the problem for an invalid one."""

import re

import pytest

from autograder import cli, grading

VALID = """\
title: Lint test
module: we_recur.py
seed: 3
parts:
  - label: a
    title: shapes
    points: 2
    checks:
      - check: a.exam_shapes
        weight: 2
      - check: a.other_sizes
        weight: 0
        visibility: hidden
  - label: f
    title: dependence
    points: 1
    checks:
      - check: f.i
        weight: 0.5
        visibility: after_due_date
      - check: f.ii
        weight: 0.5
        visibility: after_due_date
"""


def run_lint(tmp_path, capsys, text):
    path = tmp_path / "rubric.yaml"
    path.write_text(text, encoding="utf-8")
    status = cli.main(["lint", str(path)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err, path


def table_row(out, check_id):
    """The cells of the table row of ``check_id``."""
    for line in out.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) > 1 and cells[1] == check_id:
            return cells
    raise AssertionError(f"no row for {check_id} in\n{out}")


def test_valid_rubric_exits_0_and_lists_every_check(tmp_path, capsys):
    status, out, err, _ = run_lint(tmp_path, capsys, VALID)
    assert status == 0, err
    assert table_row(out, "a.exam_shapes") == [
        "(a)", "a.exam_shapes", "weight shapes at the exam's sizes (s_dim = x_dim = p_dim = 2)", "2", "visible",
        "score, hint, diagnosis",
    ]
    assert table_row(out, "a.other_sizes")[-3:] == ["0", "hidden (never shown)", "score, hint, diagnosis"]
    assert table_row(out, "f.i")[-3:] == ["0.5", "after the due date", "score, hint, diagnosis"]
    assert "reveal preset homework" in out
    assert "3 points in 2 parts; 4 checks, 1 visible now." in out
    assert "do not see their total" in out


def test_exam_preset_shows_the_score_of_scored_checks(tmp_path, capsys):
    status, out, err, _ = run_lint(tmp_path, capsys, VALID.replace("seed: 3\n", "seed: 3\nreveal: exam\n"))
    assert status == 0, err
    assert table_row(out, "a.exam_shapes")[-1] == "score only"
    assert table_row(out, "a.other_sizes")[-1] == "score, hint", "a check worth no points shows its hint"


def test_default_rubric_is_valid_and_totals_12(capsys):
    status = cli.main(["lint", "--question", "we_recur"])
    out = capsys.readouterr().out
    assert status == 0
    rubric = grading.load()
    for _, rule in rubric.checks:
        assert table_row(out, rule.check_id)[2] == rule.name
    assert "12 points in 6 parts" in out


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (("check: f.ii", "check: f.nine"), r"rubric\.yaml:21: parts\[1\]\.checks\[1\]\.check: unknown check 'f.nine'"),
        (("points: 1", "points: 4"), r"rubric\.yaml:16: parts\[1\]\.points: part \(f\) is worth 4 points"),
        (("visibility: hidden", "visibility: secret"), r"rubric\.yaml:13: parts\[0\]\.checks\[1\]\.visibility"),
        (("seed: 3", "seed: [3"), r"rubric\.yaml:\d+: is not valid YAML"),
        (("seed: 3\n", "seed: 3\nreveal: quiz\n"), r"rubric\.yaml:4: reveal: 'quiz' is not a preset: exam, homework"),
        (("visibility: hidden", "visibility: hidden\n        reveal: everything"),
         r"rubric\.yaml:14: parts\[0\]\.checks\[1\]\.reveal: 'everything' is not one of score, hint, diagnosis"),
    ],
)
def test_invalid_rubric_exits_2_naming_file_line_and_key(tmp_path, capsys, edit, where):
    status, out, err, _ = run_lint(tmp_path, capsys, VALID.replace(*edit))
    assert status == 2
    assert out == ""
    assert re.search(where, err), err


def test_missing_rubric_exits_2(tmp_path, capsys):
    status = cli.main(["lint", str(tmp_path / "nope.yaml")])
    assert status == 2
    assert "nope.yaml: cannot be read" in capsys.readouterr().err


# -- a question's checks, as lint sees them ------------------------------------------------------

TWO_CHECKS = '''
from autograder.checks import check


@check("x.one", "the first")
def check_one(student):
    pass


@check("{second}", "the second")
def check_two(student):
    pass
'''


def tiny_question(folder, second_id):
    """A question folder whose checks are ``x.one`` and ``second_id``; its rubric uses ``x.one``."""
    (folder / "checks").mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "checks" / "__init__.py").write_text("")
    (folder / "checks" / "check_x.py").write_text(TWO_CHECKS.replace("{second}", second_id))
    (folder / "rubric.yaml").write_text(
        "title: tiny\nmodule: tiny.py\nparts:\n  - label: x\n    points: 1\n    checks:\n      - check: x.one\n        weight: 1\n"
    )
    return folder


def test_a_check_id_defined_twice_names_both_files_and_lines(tmp_path, capsys):
    folder = tiny_question(tmp_path / "twice_defined", "x.one")
    assert cli.main(["lint", "--question", str(folder)]) == 2
    err = capsys.readouterr().err
    check_file = folder.resolve() / "checks" / "check_x.py"
    assert f"{check_file}:10: check id 'x.one' is already defined at {check_file}:5" in err, err


def test_a_check_the_rubric_leaves_out_is_named_with_its_file_and_line(tmp_path, capsys):
    folder = tiny_question(tmp_path / "left_out", "x.two")
    assert cli.main(["lint", "--question", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"note: {folder.resolve() / 'checks' / 'check_x.py'}:10: check 'x.two' is not in the rubric" in out, out
