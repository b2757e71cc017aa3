"""Regrade diffs from real batches: a rubric that changes one check's weight lists
exactly the students whose score that weight changes, by how much and through which
check, in ``compare.csv``, the summary and ``python -m autograder compare``."""

import csv
import io
import json
from pathlib import Path

import pytest

from autograder import cli
from autograder.batch import JournalError, run_batch
from autograder.batch.compare import compare
from autograder.batch.journal import ROWS, read_journal

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
SAMPLES = ("correct", "e_argmax_onehot", "e_zeros", "b_wss", "syntax_error")
# (e) worth 4 instead of 2: whoever earns part of e.generation gains as much again
HEAVIER_E = ("    points: 2\n    checks:\n      - check: e.generation\n        weight: 2\n",
             "    points: 4\n    checks:\n      - check: e.generation\n        weight: 4\n")


@pytest.fixture(scope="module")
def regraded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("compare")
    export = folder / "export"
    for sample in SAMPLES:
        target = export / sample
        target.mkdir(parents=True)
        for path in (SUBMISSIONS / sample).iterdir():
            if path.name != "expected.yaml":
                target.joinpath(path.name).write_bytes(path.read_bytes())
    text = (REPO / "questions" / "we_recur" / "rubric.yaml").read_text()
    assert text.count(HEAVIER_E[0]) == 1
    rubric = folder / "heavier_e.yaml"
    rubric.write_text(text.replace(*HEAVIER_E))
    run_batch(export, folder / "old", jobs=2, progress_stream=io.StringIO())
    status = cli.main(["batch", str(export), "--out", str(folder / "new"), "--jobs", "2", "--rubric", str(rubric),
                       "--compare", str(folder / "old")])
    assert status == 0
    return folder


def affected(folder):
    """The submissions whose e.generation earned points under the old rubric, from their
    results.json: exactly those a heavier (e) changes, each by what it earned there."""
    gains = {}
    for path in (folder / "old" / "results").iterdir():
        test = next(t for t in json.loads(path.read_text())["tests"] if t["extra_data"]["check"] == "e.generation")
        if test["score"] > 0:
            gains[path.stem] = test["score"]
    return gains


def test_the_diff_lists_exactly_the_affected_students(regraded):
    gains = affected(regraded)
    assert set(gains) == {"correct", "e_argmax_onehot", "b_wss"}, "e_zeros and syntax_error earn nothing in (e)"
    with open(regraded / "new" / "compare.csv", newline="", encoding="utf-8") as stream:
        rows = {row["submission_id"]: row for row in csv.DictReader(stream)}
    assert set(rows) == set(gains)
    for submission, gain in gains.items():
        row = rows[submission]
        assert float(row["new_total"]) - float(row["old_total"]) == pytest.approx(gain)
        assert float(row["change"]) == pytest.approx(gain)
        assert row["checks"].startswith("e.generation: ")
    assert rows["e_argmax_onehot"]["checks"] == (
        "e.generation: 1/2 partial (e.one_hot_choice) → 2/4 partial (e.one_hot_choice)"
    )
    assert rows["correct"]["old_total"] == "12" and rows["correct"]["new_total"] == "14"


def test_the_diff_is_a_section_of_the_summary(regraded):
    markdown = (regraded / "new" / "summary.md").read_text()
    section = markdown.split("## Regrade: changes from the earlier batch")[1].split("\n## ")[0]
    assert "3 submissions differ" in section and "another rubric" in section and "3 changed total" in section
    assert "| e\\_argmax\\_onehot |" in section and "| +1 |" in section
    assert "e_zeros" not in section.replace("\\_", "_")
    assert 'id="regrade"' in (regraded / "new" / "summary.html").read_text()


def test_compare_command_reads_the_journals(regraded, capsys, tmp_path):
    assert cli.main(["compare", str(regraded / "old"), str(regraded / "new"), "--out", str(tmp_path / "d.csv")]) == 0
    printed = capsys.readouterr().out
    assert "3 submissions differ" in printed and "correct\t\t12 -> 14 (+2)\te.generation: 2/2 passed → 4/4 passed" in printed
    assert (tmp_path / "d.csv").read_text() == (regraded / "new" / "compare.csv").read_text()
    # the same batch compared with itself: nothing changed
    assert compare(regraded / "old", regraded / "old").changes == ()
    assert cli.main(["compare", str(regraded / "old"), str(tmp_path / "nothing")]) == 2
    assert "not the output of a batch" in capsys.readouterr().err


def test_an_old_journal_without_check_scores_still_compares(regraded, tmp_path):
    """Rows written before check_scores and mistakes existed: read, and compared by total."""
    old = tmp_path / "old"
    old.mkdir()
    (old / "batch.json").write_text((regraded / "old" / "batch.json").read_text())
    lines = []
    for line in (regraded / "old" / ROWS).read_text().splitlines():
        data = json.loads(line)
        del data["check_scores"], data["mistakes"]
        lines.append(json.dumps(data))
    (old / ROWS).write_text("\n".join(lines) + "\n")
    assert all(row.check_scores == {} for row in read_journal(old)[1])
    changed = {change.submission_id for change in compare(old, regraded / "new").changes}
    assert set(affected(regraded)) <= changed


def test_batch_compare_with_no_batch_stops_before_grading(regraded, tmp_path, capsys):
    assert cli.main(["batch", str(SUBMISSIONS / "correct"), "--out", str(tmp_path / "o"), "--compare",
                     str(tmp_path / "nothing")]) == 2
    assert "--compare" in capsys.readouterr().err and not (tmp_path / "o").exists()
    with pytest.raises(JournalError, match="is the --out folder"):
        run_batch(SUBMISSIONS / "correct", regraded / "old", compare_with=regraded / "old", progress_stream=io.StringIO())
