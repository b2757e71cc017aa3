"""The benchmark measures what it says (never how fast anything is: no timing is
asserted anywhere in the tests)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import speed  # noqa: E402
import synthetic  # noqa: E402


def sources(folder):
    return {path.relative_to(folder).as_posix(): path.read_text() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_a_synthetic_class_is_the_same_for_the_same_seed_and_differs_for_another(tmp_path):
    one = sources(synthetic.write("class", 60, tmp_path / "one"))
    assert sources(synthetic.write("class", 60, tmp_path / "two")) == one
    assert sources(synthetic.write("class", 60, tmp_path / "three", seed=7)) != one
    assert sum(key.startswith("submission_") for key in one["submission_metadata.yml"].splitlines()) == 60
    texts = [text for name, text in one.items() if name.endswith(".py")]
    assert any("while True" in text for text in texts) or len(texts) < 100, "loops appear in a class"
    assert sum(any(failure in text for failure in synthetic.IMPORT_FAILURES) for text in texts) >= 1


def test_the_correct_mix_scores_full_marks_through_batch(tmp_path):  # and the slow mix: in the quick run
    export = synthetic.write("correct", 3, tmp_path / "correct")
    run = speed.run_batch(export, 1, 3)
    assert run["totals"] == [synthetic.FULL_MARKS] * 3
    assert run["cpu"] > run["sandbox_cpu"] > 0, "both sides of the border are measured"
    assert run["peak_mib"] > 0


def test_the_in_process_grader_scores_as_ours(tmp_path):
    root = speed.gradescope_layout(tmp_path / "autograder")
    _, ours = speed.run_ours(root)
    _, theirs = speed.run_in_process(root)
    assert ours == theirs == synthetic.FULL_MARKS
    written = json.loads((root / "in_process.json").read_text())
    assert len(written["tests"]) == 16, "one gradescope-utils test per rubric check"


@pytest.mark.parametrize(("question", "correct", "wrong", "points"), [
    ("we_recur", "return p_t", "return 0 * p_t", synthetic.FULL_MARKS - 2),
    ("fall_2018_q7", "return False", "return True", 8 - 2),  # (c.i) answered wrongly
])
def test_the_in_process_grader_takes_off_what_a_wrong_answer_costs(tmp_path, question, correct, wrong, points):
    root = speed.gradescope_layout(tmp_path / "autograder", question)
    module = root / "submission" / speed.QUESTIONS[question].name
    assert module.read_text().count(correct) == 1
    module.write_text(module.read_text().replace(correct, wrong))
    _, ours = speed.run_ours(root)
    _, theirs = speed.run_in_process(root)
    assert ours == theirs == points


def test_the_report_states_every_target_beside_a_figure():
    runs = [{"seconds": 2.0, "cpu": 1.2, "sandbox_cpu": 0.5, "peak_mib": 300.0, "totals": [12.0] * 40}]
    batches = {f"{mix}_jobs{jobs}": {
        "per_second": speed.spread([20.0]), "cpu_ms": speed.spread([30.0]), "sandbox_cpu_ms": speed.spread([12.0]),
        "grader_cpu_ms": speed.spread([18.0]), "peak_mib": speed.spread([runs[0]["peak_mib"]]),
    } for mix in ("correct", "class") for jobs in (1, 2)}
    figures = {
        "date": "today", "machine": "this one", "load_average": (1.0, 1.0, 1.0), "submissions": 40,
        "latency": {key: speed.spread([value]) for key, value in (("ours_s", 0.4), ("in_process_s", 0.25), ("ratio", 1.6))},
        "latencies": {name: {key: speed.spread([value]) for key, value in (("ours_s", 0.4), ("in_process_s", 0.25),
                                                                          ("ratio", ratio))}
                      for name, ratio in (("we_recur", 1.6), ("fall_2018_q7", 1.3))},
        "batches": batches, "slow": {"submissions": 4, "full_marks": 4, "per_second": 2.0},
        "start": {"seconds": speed.spread([1.0]), "cpu_s": speed.spread([0.9])},
        "cpu_per_correct_ms": speed.spread([25.0]), "in_process_cpu_per_correct_ms": speed.spread([17.5]),
        "memory": {"peak_mib": 300.0, "submissions": 40, "big_peak_mib": 310.0, "big_submissions": 400, "growth": 310 / 300},
    }
    figures["targets"] = speed.verdicts(figures)
    met = {key: verdict["met"] for key, verdict in figures["targets"].items()}
    assert met == {"latency_ratio": True, "class_jobs2": False, "correct_jobs2": False, "cpu_correct_ms": False,
                   "memory_growth": True}
    text = speed.table(figures)
    for verdict in figures["targets"].values():
        assert verdict["what"] in text
    assert "1.60" in text and "4 of 4" in text and "17.5" in text
    assert "fall_2018_q7's example" in text and "1.30" in text


def test_a_quick_run_writes_every_figure_as_json(tmp_path):
    out = tmp_path / "figures.json"
    command = [sys.executable, str(REPO / "benchmarks" / "speed.py"), "--quick", "--rounds", "1", "--submissions", "3",
               "--json", str(out), "--report", str(tmp_path / "table.md")]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text())
    spread_keys = {"median", "min", "max", "runs"}
    assert set(figures["latency"]) == {"ours_s", "in_process_s", "ratio"}
    assert all(set(value) == spread_keys and value["runs"] == 2 for value in figures["latency"].values())
    # every question's latency, each with both graders' scores agreeing (else the run stops)
    assert set(figures["latencies"]) == {"we_recur", "fall_2018_q7"}
    assert figures["latencies"]["we_recur"] == figures["latency"]
    for latency in figures["latencies"].values():
        assert all(set(value) == spread_keys and value["runs"] == 2 and value["median"] > 0 for value in latency.values())
    assert set(figures["batches"]) == {f"{mix}_jobs{jobs}" for mix in ("correct", "class") for jobs in (1, 2)}
    for batch in figures["batches"].values():
        assert set(batch) == {"per_second", "cpu_ms", "sandbox_cpu_ms", "grader_cpu_ms", "peak_mib"}
        assert all(set(value) == spread_keys and value["median"] > 0 for value in batch.values())
    assert figures["slow"]["full_marks"] == figures["slow"]["submissions"] == 4
    assert set(figures["start"]) == {"seconds", "cpu_s"} and set(figures["cpu_per_correct_ms"]) == spread_keys
    assert figures["in_process_cpu_per_correct_ms"]["median"] > 0
    assert figures["memory"]["submissions"] == 3 and "growth" not in figures["memory"], "--quick has no 10x batch"
    assert set(figures["targets"]) == set(speed.TARGETS)
    assert [key for key, verdict in figures["targets"].items() if verdict["met"] is None] == ["memory_growth"]
    assert (tmp_path / "table.md").read_text().strip() == done.stdout.strip()
    assert "fall_2018_q7's example" in done.stdout


def test_the_command_runs_and_says_how_to_use_it():
    done = subprocess.run([sys.executable, str(REPO / "benchmarks" / "speed.py"), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--quick" in done.stdout
