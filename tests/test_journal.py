"""The batch's journal, shards and merge: every row is on disk as soon as it is graded,
N shards of an export cover it exactly once, and their merge equals one batch of the
whole export, row for row."""

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from autograder import cli
from autograder.batch import OutputInUse, merge, pool, run_batch
from autograder.batch.journal import ROWS, JournalError, Shard, read_journal, row_from_json, row_to_json
from autograder.batch.scores import Row
from autograder.export import Submitter

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
SAMPLES = ("correct", "b_reversed", "d_sigmoid", "e_argmax_onehot", "f_all_true", "syntax_error", "missing_functions",
           "a_wrong", "c_wrong", "correct_lists")


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    for sample in SAMPLES:
        shutil.copytree(SUBMISSIONS / sample, folder / sample, ignore=shutil.ignore_patterns("expected.yaml"))
    return folder


@pytest.fixture(scope="module")
def whole_and_shards(export, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    whole = run_batch(export, out / "whole", jobs=2, progress_stream=io.StringIO())
    shards = [run_batch(export, out / f"shard{k}", jobs=1, progress_stream=io.StringIO(), shard=Shard(k, 3))
              for k in (1, 2, 3)]
    return out, whole, shards


def test_shard_parses_and_rejects():
    assert Shard.parse("2/8") == Shard(2, 8)
    for text in ("0/3", "4/3", "2", "a/b", "2/0", "-1/2"):
        with pytest.raises(ValueError):
            Shard.parse(text)


def test_shards_cover_every_submission_exactly_once():
    ids = [f"submission_{n}" for n in range(2000)]
    held = [[i for i in ids if Shard(k, 7).holds(i)] for k in range(1, 8)]
    assert sorted(i for shard in held for i in shard) == sorted(ids)
    assert min(map(len, held)) > 2000 / 7 * 0.8, "the hash spreads submissions evenly"


def test_rows_survive_the_journal():
    row = Row("s1", (Submitter("José Ñúñez", "001", "j@x.edu"), Submitter("Bo Li, Jr.", "002", "")),
              {"a": 2.0, "b": 0.6667}, 2.6667, "graded", "detail", ("b.random_weights",), 0.12)
    assert row_from_json(row_to_json(row)) == row


def test_every_graded_row_is_in_the_journal(whole_and_shards):
    out, whole, _ = whole_and_shards
    meta, rows = read_journal(out / "whole")
    assert meta["submissions"] == len(SAMPLES) and meta["shard"] is None
    assert sorted(rows, key=lambda r: r.submission_id) == sorted(whole.rows, key=lambda r: r.submission_id)


def test_merged_shards_equal_the_whole_batch(whole_and_shards, results_checker):
    out, whole, shards = whole_and_shards
    assert sum(len(shard.rows) for shard in shards) == len(SAMPLES)
    assert all(shard.rows for shard in shards), "each of 3 shards of 10 submissions holds some"
    status = cli.main(["merge", *(str(out / f"shard{k}") for k in (3, 1, 2)), "--out", str(out / "merged")])
    assert status == 0
    assert (out / "merged" / "scores.csv").read_text() == (out / "whole" / "scores.csv").read_text()
    merged = sorted(p.name for p in (out / "merged" / "results").iterdir())
    assert merged == sorted(p.name for p in (out / "whole" / "results").iterdir())
    for name in merged:
        results_checker(json.loads((out / "merged" / "results" / name).read_text()))
    assert "Shard" not in (out / "merged" / "summary.md").read_text()


def test_merge_refuses_a_missing_duplicate_or_unfinished_shard(whole_and_shards, tmp_path):
    out, _, _ = whole_and_shards
    with pytest.raises(JournalError, match="shard 3/3 is missing"):
        merge(tmp_path / "m1", [out / "shard1", out / "shard2"])
    with pytest.raises(JournalError, match="are both shard 1/3"):
        merge(tmp_path / "m2", [out / "shard1", out / "shard1", out / "shard2"])
    broken = tmp_path / "shard2"
    shutil.copytree(out / "shard2", broken)
    lines = (broken / ROWS).read_text().splitlines(keepends=True)
    (broken / ROWS).write_text("".join(lines[:-1]) + lines[-1][:10])  # killed while writing its last row
    assert len(read_journal(broken)[1]) == len(lines) - 1
    with pytest.raises(JournalError, match="did not finish"):
        merge(tmp_path / "m3", [out / "shard1", broken, out / "shard3"])
    with pytest.raises(JournalError, match="not the output of a batch"):
        merge(tmp_path / "m4", [tmp_path / "nothing", out / "shard1"])


def test_merge_command_names_the_problem(whole_and_shards, tmp_path, capsys):
    out, _, _ = whole_and_shards
    assert cli.main(["merge", str(out / "shard1"), "--out", str(tmp_path / "m")]) == 2
    assert "missing" in capsys.readouterr().err


def test_jobs_beyond_the_processors_are_capped(export, tmp_path, capsys, monkeypatch):
    from autograder import batch

    monkeypatch.setattr(batch, "default_jobs", lambda: 1)
    assert cli.main(["batch", str(export / "correct"), "--out", str(tmp_path / "o"), "--jobs", "9"]) == 0
    assert "using 1" in capsys.readouterr().err


def test_shard_option_is_validated(export, tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["batch", str(export), "--out", str(tmp_path / "o"), "--shard", "4/3"])
    assert "K must be between 1 and N" in capsys.readouterr().err


# -- stopped by a signal, then resumed ------------------------------------------------------


def _batch_command(export, out, *extra):
    return [sys.executable, "-m", "autograder", "batch", str(export), "--out", str(out), "--jobs", "2", *extra]


def _wait_for_rows(out, count, process, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        rows = out / ROWS
        if rows.exists() and rows.read_text().count("\n") >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"no {count} rows in {out} (exit {process.poll()})")


@pytest.fixture
def private_tmp():
    """A temporary folder of the batch's own (TMPDIR), so that what it leaves there is
    told apart from what other gradings on this machine create meanwhile."""
    folder = Path(tempfile.mkdtemp(prefix="journal-tmp-"))
    folder.chmod(0o711)  # the sandbox user works in scratch folders under it
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize("number", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_batch_cleanly_and_resume_finishes_it(number, export, whole_and_shards, tmp_path, private_tmp):
    out = tmp_path / "out"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["TMPDIR"] = str(private_tmp)
    process = subprocess.Popen(_batch_command(export, out), cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        _wait_for_rows(out, 2, process)
        descendants = pool.descendants(process.pid)
        process.send_signal(number)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130, err
    assert not [pid for pid in descendants if _alive(pid)], "every grader, zygote and worker ended with the batch"
    assert not list(private_tmp.iterdir()), "no temporary file is left"
    summary = (out / "summary.md").read_text()
    assert "Partial" in summary.split("##")[0] + summary[:2000]
    kept = len(read_journal(out)[1])
    assert 2 <= kept < len(SAMPLES) or kept == len(SAMPLES)
    again = subprocess.run(_batch_command(export, out), cwd=REPO, env=env, capture_output=True, text=True)
    assert again.returncode == 2 and "--resume" in again.stderr, "a stopped batch is not overwritten unasked"
    resumed = subprocess.run(_batch_command(export, out, "--resume"), cwd=REPO, env=env, capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    whole_out, _, _ = whole_and_shards
    assert (out / "scores.csv").read_text() == (whole_out / "whole" / "scores.csv").read_text()
    complete = subprocess.run(_batch_command(export, out), cwd=REPO, env=env, capture_output=True, text=True)
    assert complete.returncode == 2 and "complete batch" in complete.stderr and "--force" in complete.stderr


def _alive(pid):
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_resume_refuses_another_rubric(export, tmp_path):
    out = tmp_path / "out"
    run_batch(export / "correct", out, jobs=1, progress_stream=io.StringIO())
    rubric = tmp_path / "r.yaml"
    rubric.write_text((REPO / "questions" / "we_recur" / "rubric.yaml").read_text().replace("seed: ", "seed: 1"))
    with pytest.raises(OutputInUse, match="another rubric"):
        run_batch(export / "correct", out, jobs=1, progress_stream=io.StringIO(), rubric_path=rubric, resume=True)
