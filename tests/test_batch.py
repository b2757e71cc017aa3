"""``python -m autograder batch``: every sample graded in grader processes scores what its
expected.yaml says and exactly what ``grade`` gives it; a Gradescope export zip keeps
names and emails; failures of one submission (or of its grader) never stop a batch."""

import csv
import errno
import html.parser
import io
import json
import os
import re
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest
import yaml

from autograder import batch as batching
from autograder import cli, grading
from autograder.batch import run_batch
from autograder.batch.grader import Grader
from autograder.batch.pool import GraderPool, processors_for
from autograder.batch.pool import descendants as pool_descendants
from autograder.batch.progress import Progress
from autograder.batch.scores import Row, write_csv, write_gradebook
from autograder.batch.summary import summarize, to_html, to_markdown
from autograder.export import ExportedSubmission, Submitter
from autograder.sandbox import isolation, session

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
SAMPLES = sorted(folder.name for folder in SUBMISSIONS.iterdir() if (folder / "expected.yaml").is_file())
IMPORT_FAILS = {
    "import_error", "syntax_error", "sys_exit_at_import",
    "msg_import_torch", "msg_import_scipy", "msg_import_matplotlib", "msg_import_colab",
}


def read_csv(path):
    """``{submission id: line}`` of a scores.csv whose submissions are each one student's."""
    lines = read_lines(path)
    assert len({line["submission_id"] for line in lines}) == len(lines), "a submission of several students"
    return {line["submission_id"]: line for line in lines}


def read_lines(path):
    with open(path, newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


@pytest.fixture(scope="module")
def samples_batch(tmp_path_factory):
    """The batch of every sample folder under questions/we_recur/samples, with two graders."""
    out = tmp_path_factory.mktemp("batch")
    report = run_batch(SUBMISSIONS, out, jobs=2, progress_stream=io.StringIO())
    return report, out


def test_every_sample_scores_its_expected_yaml(samples_batch):
    _, out = samples_batch
    rows = read_csv(out / "scores.csv")
    assert sorted(rows) == SAMPLES
    for sample in SAMPLES:
        expected = yaml.safe_load((SUBMISSIONS / sample / "expected.yaml").read_text())["scores"]
        for part, points in expected.items():
            assert float(rows[sample][part]) == pytest.approx(points, abs=1e-3), f"{sample} ({part})"
        assert float(rows[sample]["total"]) == pytest.approx(sum(expected.values()), abs=1e-3)


def test_statuses_say_what_happened(samples_batch):
    _, out = samples_batch
    rows = read_csv(out / "scores.csv")
    for sample in SAMPLES:
        want = "import failed" if sample in IMPORT_FAILS else "timed out" if sample == "infinite_loop" else "graded"
        assert rows[sample]["status"] == want, sample
    assert "line 7" in rows["syntax_error"]["detail"]
    assert "b.random_weights" in rows["infinite_loop"]["detail"]
    assert (out / "logs" / "infinite_loop.txt").is_file()


def test_every_results_json_is_valid(samples_batch, results_checker):
    _, out = samples_batch
    assert sorted(p.stem for p in (out / "results").iterdir()) == SAMPLES
    for path in (out / "results").iterdir():
        results_checker(path)


@pytest.fixture
def own_sandbox_user():
    """Grade in this process as a sandbox user of its own: a grader ends every process of
    its user, so a grading running meanwhile elsewhere on the machine must not share it."""
    isolation.use_slot(7)
    yield
    isolation.use_slot(0)


def test_batch_gives_each_sample_exactly_what_grade_gives(samples_batch, own_sandbox_user):
    """Same tests, scores, statuses and feedback as grading one submission on its own."""
    _, out = samples_batch
    rubric = grading.load()

    def comparable(results):
        # A warning the student's code printed names its scratch copy, a new folder each run.
        output = re.sub(r"/tmp/autograder-[^/]+/", "SCRATCH/", results["output"])
        return [(t["name"], t["score"], t["status"], t["output"]) for t in results["tests"]], output

    for sample in SAMPLES:
        alone = grading.grade(SUBMISSIONS / sample, rubric).results.to_json()
        in_batch = json.loads((out / "results" / f"{sample}.json").read_text())
        assert comparable(in_batch) == comparable(alone), sample


def test_plain_folder_files_that_are_not_submissions_are_reported(samples_batch):
    report, _ = samples_batch
    assert any("README.md" in warning for warning in report.summary.warnings)


def test_summary_files(samples_batch):
    report, out = samples_batch
    markdown = (out / "summary.md").read_text()
    assert f"{len(SAMPLES)} submissions graded" in markdown
    assert f"| import failed | {len(IMPORT_FAILS)} |" in markdown and "| timed out | 1 |" in markdown
    assert "b.random_weights" in markdown  # the most common failing check of the samples
    page = (out / "summary.html").read_text()
    parsed = _Elements()
    parsed.feed(page)
    assert parsed.tags["svg"] >= 1 + len(report.summary.parts)  # the histogram, one chart per part
    assert not parsed.external, "the page must not fetch anything (its one script is inline)"


class _Elements(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = {}
        self.external = []

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        # Links to the batch's own files (results/, logs/) are relative; anything with a
        # scheme or a host, or any src, would be fetched from elsewhere.
        self.external += [
            v for k, v in attrs
            if v and (k == "src" or (k == "href" and (":" in v or v.startswith("//"))))
        ]


# -- a Gradescope export zip through the command line --------------------------------------------

METADATA = """\
submission_11:
  :submitters:
  - :name: "=HYPERLINK(\\"http://x\\")"
    :sid: '11'
    :email: eve@example.edu
submission_12:
  :submitters:
  - :name: Ada Lovelace
    :sid: '12'
    :email: ada@example.edu
  - :name: Alan Turing
    :sid: '13'
    :email: alan@example.edu
submission_13:
  :submitters:
  - :name: Grace Hopper
    :sid: '14'
    :email: grace@example.edu
submission_14:
  :submitters:
  - :name: Never Uploaded
    :sid: '15'
    :email: never@example.edu
"""


@pytest.fixture(scope="module")
def export_batch(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    export_zip = folder / "submissions.zip"
    with zipfile.ZipFile(export_zip, "w") as archive:
        archive.writestr("assignment_1_export/submission_metadata.yml", METADATA)
        for number, sample in ((11, "correct"), (12, "b_no_transpose"), (13, "syntax_error")):
            for path in sorted((SUBMISSIONS / sample).iterdir()):
                if path.name != "expected.yaml":
                    archive.write(path, f"assignment_1_export/submission_{number}/{path.name}")
        archive.writestr("assignment_1_export/submission_12/../../../../escaped.py", "import os\n")
    out = folder / "out"
    status = cli.main(["batch", str(export_zip), "--out", str(out), "--jobs", "1"])
    return status, out


def test_export_zip_rows_carry_names_emails_and_statuses(export_batch):
    status, out = export_batch
    assert status == 0
    lines = read_lines(out / "scores.csv")
    assert [line["submission_id"] for line in lines] == ["11", "12", "12", "13", "14"]
    rows = {line["sid"]: line for line in lines}  # each student's line, by their SID
    assert rows["11"]["total"] == "12" and rows["11"]["status"] == "graded"
    # a group's submission: a line per member, each with the group's id and its score
    assert [(rows[sid]["name"], rows[sid]["email"], rows[sid]["group"]) for sid in ("12", "13")] == [
        ("Ada Lovelace", "ada@example.edu", "12"), ("Alan Turing", "alan@example.edu", "12"),
    ]
    assert all(rows[sid]["b"] == "0" and rows[sid]["total"] == "10" for sid in ("12", "13"))
    assert rows["11"]["group"] == "" and rows["11"]["folder"] == "submission_11" and rows["11"]["submitted"] == "yes"
    assert rows["14"]["status"] == "import failed" and rows["14"]["total"] == "0"
    assert rows["15"]["status"] == "no submission" and "holds no files" in rows["15"]["detail"]
    assert rows["15"]["submitted"] == "no" and rows["15"]["folder"] == "submission_14"
    # the zip-slip entry is reported on the submission it claimed to be in, and not written
    assert "escaped.py" in rows["12"]["detail"] and "leaves the export folder" in rows["12"]["detail"]
    assert not any(p.name == "escaped.py" for p in out.parent.rglob("*"))
    # a name that a spreadsheet would run as a formula is kept as text
    assert rows["11"]["name"].startswith("'=HYPERLINK")


def test_export_zip_every_submission_has_results(export_batch, results_checker):
    _, out = export_batch
    for number in ("11", "12", "13", "14"):
        results = results_checker(out / "results" / f"{number}.json")
        assert results["tests"]
    assert "we_recur.py" in json.loads((out / "results" / "14.json").read_text())["output"]


def test_bad_export_exits_2_with_a_message(tmp_path, capsys):
    bad = tmp_path / "export.zip"
    bad.write_bytes(b"PK\x03\x04 truncated")
    assert cli.main(["batch", str(bad), "--out", str(tmp_path / "out")]) == 2
    assert "not a readable zip" in capsys.readouterr().err
    assert not (tmp_path / "out" / "scores.csv").exists()


def test_out_inside_the_export_is_refused(tmp_path, capsys):
    shutil.copytree(SUBMISSIONS / "correct", tmp_path / "export" / "logs")  # a student folder named like an output
    assert cli.main(["batch", str(tmp_path / "export"), "--out", str(tmp_path / "export")]) == 2
    assert "inside the export" in capsys.readouterr().err
    assert (tmp_path / "export" / "logs" / "we_recur.py").is_file()


def test_empty_export_exits_2(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    assert cli.main(["batch", str(tmp_path / "empty"), "--out", str(tmp_path / "out")]) == 2
    assert "holds no submissions" in capsys.readouterr().err


# -- failures of the grader itself ----------------------------------------------------------------


def grade_here(grader, *samples):
    """The rows of ``samples`` (folders under questions/we_recur/samples) graded one after another
    by ``grader``, a Grader in this process."""
    rows = []
    grader.grade_each([ExportedSubmission(sample, SUBMISSIONS / sample) for sample in samples], rows.append)
    return rows


def test_a_grader_exception_gives_status_error_and_a_valid_results_json(
    tmp_path, monkeypatch, results_checker, own_sandbox_user
):
    grader = Grader((REPO / "questions" / "we_recur" / "rubric.yaml"), tmp_path, slot=7)
    real_build, calls = grading.build_results, []

    def flaky(rubric, outcomes, **kwargs):  # fails on the first submission only
        calls.append(None)
        if len(calls) == 1:
            raise RuntimeError("a bug in the grader")
        return real_build(rubric, outcomes, **kwargs)

    monkeypatch.setattr(grading, "build_results", flaky)
    broken, fine = grade_here(grader, "b_wss", "correct")
    assert broken.status == "error" and "a bug in the grader" in broken.detail
    assert broken.total == 0 and broken.part_scores == {}
    results = results_checker(tmp_path / "results" / "b_wss.json")
    assert "could not grade" in results["output"]
    assert "RuntimeError: a bug in the grader" in (tmp_path / "logs" / "b_wss.txt").read_text()
    assert fine.status == "graded" and fine.total == 12


def test_a_grader_exception_that_names_a_file_not_in_utf8_is_logged(tmp_path, monkeypatch, own_sandbox_user):
    grader = Grader((REPO / "questions" / "we_recur" / "rubric.yaml"), tmp_path, slot=7)

    def broken(rubric, outcomes, **kwargs):
        raise RuntimeError("a bug near " + os.fsdecode(b"caf\xe9.py"))

    monkeypatch.setattr(grading, "build_results", broken)
    assert grade_here(grader, "b_wss")[0].status == "error"
    assert "RuntimeError: a bug near caf\\udce9.py" in (tmp_path / "logs" / "b_wss.txt").read_text(encoding="utf-8")


def test_a_submission_whose_cleanup_fails_costs_only_its_row(tmp_path, monkeypatch, results_checker, own_sandbox_user):
    """Removing a student's scratch copy fails (a tree the disk will not let go): that row
    says so, and the next submission grades as ever."""
    grader = Grader((REPO / "questions" / "we_recur" / "rubric.yaml"), tmp_path, slot=7)
    real_close, closed = session.Sandbox.close, []

    def close_and_fail(sandbox):
        real_close(sandbox)  # the worker and its processes still end
        closed.append(None)
        if len(closed) == 1:
            raise OSError(errno.ENOTEMPTY, "Directory not empty", "/tmp/autograder-x/deep")

    monkeypatch.setattr(session.Sandbox, "close", close_and_fail)
    broken, fine = grade_here(grader, "b_wss", "correct")
    assert broken.status == "error" and "Directory not empty" in broken.detail
    assert "could not grade" in results_checker(tmp_path / "results" / "b_wss.json")["output"]
    assert fine.status == "graded" and fine.total == 12


def test_a_results_file_that_cannot_be_written_costs_only_its_row(tmp_path, monkeypatch, capsys):
    """A real batch whose results/<id>.json cannot be written for one submission (a folder
    is in the way), and whose temporary folder cannot be removed, still ends with every
    other row as before, in a complete scores.csv."""
    export, out = tmp_path / "export", tmp_path / "out"
    for name, sample in (("alice", "correct"), ("bob", "b_no_transpose"), ("carol", "syntax_error")):
        shutil.copytree(SUBMISSIONS / sample, export / name)
    assert cli.main(["batch", str(export), "--out", str(out), "--jobs", "1"]) == 0
    before = read_csv(out / "scores.csv")
    journal = out / "rows.jsonl"
    journal.write_text("".join(line for line in journal.read_text().splitlines(True) if '"bob"' not in line))
    (out / "results" / "bob.json").unlink()
    (out / "results" / "bob.json" / "in-the-way").mkdir(parents=True)
    kept = []
    monkeypatch.setattr(batching.isolation, "remove_tree", kept.append)  # the batch's scratch stays behind
    assert cli.main(["batch", str(export), "--out", str(out), "--jobs", "1", "--resume"]) == 0
    after = read_csv(out / "scores.csv")
    assert sorted(after) == ["alice", "bob", "carol"]
    assert after["alice"] == before["alice"] and after["carol"] == before["carol"]
    assert after["bob"]["status"] == "error"
    assert "results/bob.json could not be written (Is a directory)" in after["bob"]["detail"]
    assert f"The temporary folder {kept[0]} could not be removed" in capsys.readouterr().err
    shutil.rmtree(kept[0])


#: Deeper than Python's recursion limit: a walk or a removal that recurses fails on it.
DEEP = 1200


def deep_tree(folder, depth=DEEP):
    """Make ``folder``/d/d/.../d, ``depth`` folders deep (by descriptor: the path may be
    longer than a path may be)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    for _ in range(depth):
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)


def test_a_tree_deeper_than_the_recursion_limit_costs_at_most_its_row(tmp_path):
    """A student's folder holds a tree deeper than Python's recursion limit: reading the
    export, grading and cleaning up after it never stop the batch, the other rows are as
    ever, and the student is graded (the folders deeper than the copy goes stay behind)."""
    export = tmp_path / "export"
    for name in ("alice", "bob", "carol"):
        shutil.copytree(SUBMISSIONS / "correct", export / name, ignore=shutil.ignore_patterns("*.yaml"))
    deep_tree(export / "bob")
    try:
        report = run_batch(export, tmp_path / "out", jobs=1, progress_stream=io.StringIO())
        rows = read_csv(tmp_path / "out" / "scores.csv")
        assert sorted(rows) == ["alice", "bob", "carol"]
        assert rows["alice"]["total"] == rows["carol"]["total"] == "12"
        bob = rows["bob"]
        assert (bob["status"], bob["total"]) == ("graded", "12")
        assert not any("could not be removed" in warning for warning in report.summary.warnings)
    finally:
        isolation.remove_tree(export / "bob")


def test_each_grader_keeps_to_its_own_processor_with_what_it_starts(tmp_path):
    allowed = sorted(os.sched_getaffinity(0))
    assert processors_for(len(allowed)) == {slot: cpu for slot, cpu in zip(range(1, len(allowed) + 1), allowed)}
    assert processors_for(len(allowed) + 1) == {}, "more graders than processors: none is pinned"
    (tmp_path / "results").mkdir()
    with GraderPool(1, (REPO / "questions" / "we_recur" / "rubric.yaml"), tmp_path, time_limit=120) as pool:
        rows = list(pool.grade([ExportedSubmission("correct", SUBMISSIONS / "correct")]))
        grader = pool.children[0].process.pid
        tree = [grader, *pool_descendants(grader)]
        assert len(tree) >= 2, "the grader and its zygote"
        assert {pid: os.sched_getaffinity(pid) for pid in tree} == {pid: {allowed[0]} for pid in tree}
    assert rows[0].total == 12


def test_a_grader_process_that_dies_costs_only_its_submission(tmp_path, results_checker):
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "we_recur.py").write_text("import time\n\ntime.sleep(30)\n")  # the import waits, within its limits
    submissions = [
        ExportedSubmission("loop", slow),
        ExportedSubmission("correct", SUBMISSIONS / "correct"),
    ]
    with GraderPool(1, (REPO / "questions" / "we_recur" / "rubric.yaml"), tmp_path, time_limit=120) as pool:
        (tmp_path / "results").mkdir()

        killed = []

        def kill_while_grading():
            while not (pool.children and pool.children[0].submission is not None):
                time.sleep(0.05)
            time.sleep(1.0)  # while the import sleeps
            killed.append(pool.children[0])
            pool.children[0].process.kill()

        killer = threading.Thread(target=kill_while_grading)
        killer.start()
        rows = {row.submission_id: row for row in pool.grade(submissions)}
        killer.join()
    assert rows["loop"].status == "error" and "ended unexpectedly" in rows["loop"].detail
    assert not Path(killed[0].scratch).exists(), "the killed grader's temporary folders were removed"
    results_checker(tmp_path / "results" / "loop.json")
    assert rows["correct"].status == "graded" and rows["correct"].total == 12


def test_a_grader_that_overruns_its_time_is_stopped_with_what_it_started(tmp_path):
    (tmp_path / "results").mkdir()
    slow = tmp_path / "slow"
    slow.mkdir()
    (slow / "we_recur.py").write_text("import time\n\ntime.sleep(30)\n")  # the import waits, within its limits
    submissions = [
        ExportedSubmission("warm", SUBMISSIONS / "correct"),  # a warm grader first, so that its start is not timed
        ExportedSubmission("loop", slow),
        ExportedSubmission("after", SUBMISSIONS / "correct"),
    ]
    seen, rows, survivors = set(), {}, None
    with GraderPool(1, (REPO / "questions" / "we_recur" / "rubric.yaml"), tmp_path, time_limit=2.5) as pool:  # the import waits 30 s

        def watch():  # what the grader has started while it grades the loop
            while "loop" not in rows:
                child = pool.children[0] if pool.children else None
                if child is not None and child.submission is not None and child.submission.submission_id == "loop":
                    seen.update(pool_descendants(child.process.pid))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        for row in pool.grade(submissions):
            rows[row.submission_id] = row
            if row.submission_id == "loop":  # before the next grader's cleanup could hide a survivor
                survivors = [pid for pid in seen if alive(pid)]
        watcher.join()
    assert rows["loop"].status == "error" and "did not finish within 2.5 s" in rows["loop"].detail
    assert rows["warm"].total == 12 and rows["after"].total == 12
    assert len(seen) >= 2, "the grader had started a zygote and a worker"
    assert survivors == [], "what the stopped grader started was killed too"


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as stream:
            return stream.read().rpartition(b")")[2].split()[0] not in (b"Z", b"X")
    except OSError:
        return False


# -- pieces -----------------------------------------------------------------------------------


def test_summary_statistics():
    rubric = grading.load()
    labels = [part.label for part in rubric.parts]

    def row(name, scores, status="graded", failed=()):
        parts = dict(zip(labels, scores))
        return Row(name, (), parts, sum(scores), status, failed_checks=failed)

    rows = [
        row("1", [2, 2, 2, 2, 2, 2]),
        row("2", [2, 0, 2, 2, 2, 2], failed=("b.random_weights",)),
        row("3", [0, 0, 0, 0, 0, 0], "import failed", failed=("a.exam_shapes", "b.random_weights")),
        Row("4", (), {}, 0.0, "error"),
    ]
    summary = summarize(rows, rubric, seconds=2.0, jobs=2)
    assert summary.statuses == (("error", 1), ("import failed", 1), ("graded", 2))
    assert summary.scored == 3
    assert summary.totals == (pytest.approx(22 / 3), 10, 0, 12)
    # one-point bins, and full marks in a bin of their own
    assert [count for _, _, count in summary.histogram] == [1] + [0] * 9 + [1, 0, 1]
    assert summary.histogram[-1][:2] == (12, 12)
    part_b = summary.parts[1]
    assert part_b.mean == pytest.approx(2 / 3) and part_b.distribution == ((2, 1), (0, 2))
    markdown = to_markdown(summary)
    assert "| (b) dLoss\\_t/dx\\_t for RNN-A | 0.67 / 2 | 2: 1, 0: 2 |" in markdown
    # failing checks count only submissions whose code ran
    assert "`b.random_weights` (b) dLoss\\_t/dx\\_t on random weights: 1 of 2" in markdown
    assert "<svg" in to_html(summary)


def test_csv_is_sorted_by_id_and_keeps_text_as_text(tmp_path):
    people = (Submitter("+1 Mallory", "7", "@m"),)
    rows = [Row("10", (), {"a": 1.0}, 1.0, "graded"), Row("9", people, {"a": 2.0}, 2.0, "graded", "-x")]
    write_csv(tmp_path / "scores.csv", rows, ["a", "b"])
    lines = list(csv.reader((tmp_path / "scores.csv").open()))
    assert lines[0] == [
        "submission_id", "group", "name", "sid", "email", "submitted", "folder", "a", "b", "total", "status", "detail",
    ]
    assert [line[0] for line in lines[1:]] == ["9", "10"]
    assert lines[1][2] == "'+1 Mallory" and lines[1][4] == "'@m" and lines[1][-1] == "'-x"
    assert lines[1][8] == ""  # no score for a part that was not graded
    assert lines[2][1:7] == ["", "", "", "", "yes", ""], "a submission with no metadata: one line, no names"


@pytest.mark.parametrize(
    ("name", "written"),
    [
        (" =HYPERLINK(\"http://x\",\"y\")", " '=HYPERLINK(\"http://x\",\"y\")"),
        ("Ana; =1+1", "Ana; '=1+1"),
        ("Ana;@SUM(A1)", "Ana;'@SUM(A1)"),
        ("\t@SUM(A1)", "\t'@SUM(A1)"),
        ("Ana\t-2+3", "Ana\t'-2+3"),
        ("\r\n+1", "\r\n'+1"),
        ("=a;=b", "'=a;'=b"),
        ("Ana Lovelace; Alan Turing", "Ana Lovelace; Alan Turing"),
        ("ana@example.edu; alan@example.edu", "ana@example.edu; alan@example.edu"),
    ],
)
def test_csv_neutralises_formulas_after_spaces_and_in_every_part(tmp_path, name, written):
    rows = [Row("1", (Submitter(name, name, name),), {"a": -0.5}, -0.5, "graded", name)]
    write_csv(tmp_path / "scores.csv", rows, ["a"])
    with open(tmp_path / "scores.csv", newline="", encoding="utf-8") as stream:
        line = list(csv.reader(stream))[1]
    assert line[2:5] == [written] * 3
    assert line[-1] == written
    assert line[7:9] == ["-0.5", "-0.5"], "the grader's own numbers stay numbers"


def test_tables_round_every_score_as_gradescope_shows_it(tmp_path):
    rows = [Row("1", (Submitter("Ana", "1", "a@x"),), {"a": 2 / 3, "b": 1 / 3 + 10}, 11.0, "graded")]
    write_csv(tmp_path / "scores.csv", rows, ["a", "b"])
    line = read_csv(tmp_path / "scores.csv")["1"]
    assert (line["a"], line["b"], line["total"]) == ("0.67", "10.33", "11")
    write_gradebook(tmp_path / "gradebook.csv", rows, "Quiz", 12)
    assert (tmp_path / "gradebook.csv").read_text().splitlines()[2] == "Ana,,1,a@x,,11"


def test_csv_takes_names_that_are_not_utf8(tmp_path):
    name = os.fsdecode(b"Ren\xe9e")  # what a folder name, or YAML's "\\ud800" escape, can give
    rows = [Row("1", (Submitter(name, "\ud800", "a@b"),), {}, 0.0, "no submission", f"`{name}` is empty")]
    write_csv(tmp_path / "scores.csv", rows, ["a"])
    line = read_csv(tmp_path / "scores.csv")["1"]
    # the byte that is not UTF-8 is kept, written out
    assert (line["name"], line["sid"], line["detail"]) == ("Ren\\xe9e", "\\ud800", "`Ren\\xe9e` is empty")


def test_a_batch_takes_names_that_are_not_utf8(tmp_path, results_checker):
    export = os.fsencode(tmp_path / "export")
    os.makedirs(export + b"/caf\xe9")
    shutil.copy(SUBMISSIONS / "correct" / "we_recur.py", os.fsdecode(export + b"/caf\xe9/we_recur.py"))
    Path(os.fsdecode(export + b"/caf\xe9/donn\xe9es.txt")).write_text("1 2 3\n")
    os.symlink("/etc/shadow", export + b"/caf\xe9/l\xff.py")
    Path(os.fsdecode(export + b"/notes\xff.txt")).write_text("")
    out = tmp_path / "out"
    report = run_batch(tmp_path / "export", out, jobs=1, progress_stream=io.StringIO())
    assert [(row.submission_id, row.status, row.total) for row in report.rows] == [("caf", "graded", 12.0)]
    assert "`l\ufffd.py` is a symbolic link" in read_csv(out / "scores.csv")["caf"]["detail"]
    assert "`l\ufffd.py`" in results_checker(out / "results" / "caf.json")["output"]
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "Ignored" in summary and "notes\ufffd.txt" in summary


GROUP_METADATA = """\
submission_21:
  :submitters:
  - :name: José Ñúñez
    :sid: '001'
    :email: jose@example.edu
  - :name: Bo Li, Jr.
    :sid: '002'
    :email: bo@example.edu
submission_22:
  :submitters:
  - :name: Ana Pérez
    :sid: '003'
    :email: ana@example.edu
"""


def test_a_group_and_unicode_names_round_trip_into_a_line_per_student(tmp_path):
    """A group of two with names beyond ASCII and a file name that is not UTF-8: a line
    per member in scores.csv and gradebook.csv, the names as the metadata gives them."""
    export = tmp_path / "assignment_export"
    shutil.copytree(SUBMISSIONS / "correct", export / "submission_21", ignore=shutil.ignore_patterns("expected.yaml"))
    Path(os.fsdecode(os.fsencode(export / "submission_21") + b"/donn\xe9es.txt")).write_text("1 2 3\n")
    shutil.copytree(SUBMISSIONS / "b_no_transpose", export / "submission_22")
    (export / "submission_metadata.yml").write_text(GROUP_METADATA, encoding="utf-8")
    out = tmp_path / "out"
    assert cli.main(["batch", str(export), "--out", str(out), "--jobs", "1"]) == 0
    lines = read_lines(out / "scores.csv")
    assert [(line["submission_id"], line["group"], line["name"], line["sid"], line["total"]) for line in lines] == [
        ("21", "21", "José Ñúñez", "001", "12"), ("21", "21", "Bo Li, Jr.", "002", "12"), ("22", "", "Ana Pérez", "003", "10"),
    ]
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as stream:
        gradebook = list(csv.reader(stream))
    assert gradebook[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", grading.load().title]
    assert gradebook[1] == ["    Points Possible", "", "", "", "", "12"]
    assert gradebook[2:] == [
        ["José Ñúñez", "", "001", "jose@example.edu", "", "12"],
        ["Bo Li, Jr.", "", "002", "bo@example.edu", "", "12"],
        ["Ana Pérez", "", "003", "ana@example.edu", "", "10"],
    ]


def test_folder_names_are_kept_whole_beside_their_ids(tmp_path, results_checker):
    """A plain folder per student: similar names, a decomposed accent and a name that is
    not UTF-8 each get an id of their own, and scores.csv keeps each original name."""
    export = os.fsencode(tmp_path / "export")
    names = [b"Jos\xc3\xa9 \xc3\x91\xc3\xba\xc3\xb1ez", b"Jose\xcc\x81 N\xc3\xba\xc3\xb1ez", b"Jos\xe9"]
    for name in names:
        shutil.copytree(SUBMISSIONS / "correct", os.fsdecode(export + b"/" + name), ignore=shutil.ignore_patterns("*.yaml"))
    out = tmp_path / "out"
    report = run_batch(os.fsdecode(export), out, jobs=1, progress_stream=io.StringIO())
    assert sorted(row.submission_id for row in report.rows) == ["Jos", "José_Núñez", "José_Ñúñez"]
    folders = {line["submission_id"]: line["folder"] for line in read_lines(out / "scores.csv")}
    assert folders == {"José_Ñúñez": "José Ñúñez", "José_Núñez": "Jose\u0301 Núñez", "Jos": "Jos\\xe9"}
    for row in report.rows:
        results_checker(out / "results" / f"{row.submission_id}.json")
    with open(out / "gradebook.csv", newline="", encoding="utf-8") as stream:
        students = sorted(line[0] for line in list(csv.reader(stream))[2:])
    assert students == sorted(folders.values()), "without metadata, the folder names the student"


def test_an_export_and_an_out_folder_whose_paths_are_not_utf8(tmp_path, capsys):
    export, out = os.fsdecode(os.fsencode(tmp_path) + b"/exp\xe9"), os.fsdecode(os.fsencode(tmp_path) + b"/out\xe9")
    shutil.copytree(SUBMISSIONS / "correct", Path(export) / "alice")
    assert cli.main(["batch", export, "--out", out, "--jobs", "1"]) == 0
    assert cli.main(["batch", export, "--out", out, "--jobs", "1", "--resume"]) == 0  # batch.json reads back
    assert read_csv(Path(out) / "scores.csv")["alice"]["total"] == "12"
    assert "Traceback" not in capsys.readouterr().err


class _Terminal(io.StringIO):
    def __init__(self, tty):
        super().__init__()
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize("tty", [True, False])
def test_progress_bar_only_on_a_terminal(tty):
    stream = _Terminal(tty)
    progress = Progress(2, stream)
    progress.update(Row("1", (), {}, 0, "graded"))
    progress.update(Row("2", (), {}, 0, "error"))
    progress.finish()
    if tty:
        assert "2/2" in stream.getvalue() and "1 error" in stream.getvalue()
    else:  # a line at the start and one at the end, not a bar's carriage returns
        assert "\r" not in stream.getvalue() and "2 of 2" in stream.getvalue()


def test_rerun_replaces_the_earlier_batch_only(tmp_path):
    out = tmp_path / "out"
    (out / "results").mkdir(parents=True)
    (out / "results" / "stale.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    export = tmp_path / "export"
    shutil.copytree(SUBMISSIONS / "correct", export / "alice")
    run_batch(export, out, jobs=1, progress_stream=io.StringIO())
    assert sorted(p.name for p in (out / "results").iterdir()) == ["alice.json"]
    assert (out / "notes.txt").read_text() == "mine"
