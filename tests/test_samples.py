"""End to end: every sample submission under questions/we_recur/samples, graded through both
entry points, scores what its expected.yaml says.

Each sample is graded once per entry point (``run_autograder`` in a temporary
AUTOGRADER_ROOT, and ``python -m autograder grade PATH --json OUT``), in subprocesses,
and the runs are shared by every test of this module.
"""

import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder import grading

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"

ENTRY_POINTS = ("run_autograder", "cli")
#: Graded first, so that the wait for their call timeout overlaps the other runs.
SLOW_SAMPLES = ("slow_calls", "slow_import_sleep", "slow_import_table", "infinite_loop")
PARALLEL_RUNS = min(4, os.cpu_count() or 1)


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory, gradescope_runner, cli_runner):
    """``graded(sample, entry) -> Run``, each run made at most once per module.

    The samples this session's selected tests name are graded up front, a few
    subprocesses at a time (each grader process claims its own sandbox user, so they
    cannot disturb each other); any other run happens when first asked for.
    """

    def run(sample, entry, root):
        if entry == "run_autograder":
            files = [p for p in sorted((SUBMISSIONS / sample).iterdir()) if p.name != "expected.yaml"]
            return gradescope_runner(files, root)
        return cli_runner(SUBMISSIONS / sample, root / "results.json")

    pool = ThreadPoolExecutor(max_workers=PARALLEL_RUNS)
    runs = {}

    def start(sample, entry):
        if (sample, entry) not in runs:
            root = tmp_path_factory.mktemp(f"{sample}-{entry}")  # in this thread: mktemp is not thread-safe
            runs[sample, entry] = pool.submit(run, sample, entry, root)
        return runs[sample, entry]

    named = set()
    for item in request.session.items:
        params = getattr(item, "callspec", None)
        if item.module is request.module and params is not None:
            named.update(params.params[key] for key in ("sample", "sample_name") if key in params.params)
    for sample in sorted(named, key=lambda name: (name not in SLOW_SAMPLES, name)):
        for entry in ENTRY_POINTS:
            start(sample, entry)
    yield lambda sample, entry: start(sample, entry).result()
    pool.shutdown(wait=True, cancel_futures=True)


def part_scores(results):
    """Points per part, summed from the tests (not from the grader's own summary)."""
    scores = {}
    for test in results["tests"]:
        part = test["extra_data"]["part"]
        scores[part] = scores.get(part, 0.0) + test["score"]
    return scores


def outcomes(results):
    return {test["extra_data"]["check"]: test["extra_data"]["outcome"] for test in results["tests"]}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_results_json_is_valid(graded, sample, entry, results_checker):
    run = graded(sample, entry)
    assert run.returncode == 0, run.stdout + run.stderr
    results_checker(run.results_path)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_part_scores_match_expected(graded, sample, entry, expected):
    results = graded(sample, entry).results
    scores = part_scores(results)
    assert sorted(scores) == sorted(expected["scores"])
    for part, points in expected["scores"].items():
        assert scores[part] == pytest.approx(points, abs=1e-3), f"part ({part})"
        assert results["extra_data"]["part_scores"][part] == pytest.approx(scores[part], abs=1e-6)


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_feedback_contains(graded, sample, entry, expected):
    wanted = expected.get("feedback_contains") or {}
    if not wanted:
        pytest.skip(f"{sample}/expected.yaml names no feedback")
    results = graded(sample, entry).results
    for part, needles in wanted.items():
        if part == "summary":  # what is shown above the checks (an import's failure, once)
            text = results.get("output", "").lower()
        else:
            text = "\n".join(t["output"] for t in results["tests"] if t["extra_data"]["part"] == part).lower()
        for needle in needles:
            assert needle.lower() in text, f"part ({part}) feedback lacks {needle!r}"


def test_entry_points_give_the_same_scores(graded, sample):
    by_gradescope = graded(sample, "run_autograder").results
    by_cli = graded(sample, "cli").results

    def scores(results):
        return [(t["name"], t["score"], t["max_score"], t["status"]) for t in results["tests"]]

    assert scores(by_gradescope) == scores(by_cli)
    assert by_gradescope["score"] == by_cli["score"]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_infinite_loop_ends_in_bounded_time(graded, entry):
    run = graded("infinite_loop", entry)
    assert run.seconds < 60
    found = outcomes(run.results)
    assert found["b.random_weights"] == "timed out"
    # the function that timed out is not called again, and every other part is graded
    assert found["b.other_sizes"] == "timed out"
    assert {check: label for check, label in found.items() if not check.startswith("b.")} == {
        check: "passed" for check in found if not check.startswith("b.")
    }


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_big_output_is_capped(graded, entry, results_checker):
    run = graded("big_output", entry)
    assert len(run.text.encode("utf-8")) < 200_000
    results = results_checker(run.results_path)
    assert all(len(t["output"]) < 100_000 for t in results["tests"])
    assert len(results["output"]) < 100_000
    # what was printed is shown, cut short and saying so
    assert "xxxxxxxxxx" in results["output"]
    assert "not shown" in results["output"]


@pytest.mark.parametrize(("sample_name", "line"), [("syntax_error", 7), ("import_error", 3)])
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_import_failure_names_the_line(graded, sample_name, line, entry):
    results = graded(sample_name, entry).results
    assert f"line {line}" in results["output"]
    for test in results["tests"]:  # the error is shown once, above the checks
        assert f"line {line}" not in test["output"] and "could not be graded" in test["output"], test["name"]
        assert test["extra_data"]["outcome"] == "import failed"


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_import_failure_shows_only_the_students_frames(graded, entry):
    """The traceback shown to the student lies in their own files: no frame of the
    interpreter's import machinery (``<frozen importlib._bootstrap>``) or the grader."""
    results = graded("import_error", entry).results
    for text in [results["output"]] + [t["output"] for t in results["tests"]]:
        assert "<frozen" not in text
        assert "importlib" not in text
        assert "autograder/" not in text


@pytest.fixture(scope="module")
def no_python_file(tmp_path_factory, gradescope_runner):
    """run_autograder on a submission holding no .py file at all."""
    files = tmp_path_factory.mktemp("upload")
    (files / "README.txt").write_text("my answers are in the notebook\n")
    (files / "answers.ipynb.txt").write_text("{}\n")
    return gradescope_runner(sorted(files.iterdir()), tmp_path_factory.mktemp("no_python_file"))


def test_no_python_file_scores_zero_and_names_the_module(no_python_file, results_checker):
    assert no_python_file.returncode == 0, no_python_file.stdout + no_python_file.stderr
    results = results_checker(no_python_file.results_path)
    assert results["score"] == 0
    assert results["tests"], "every rubric check is still listed"
    assert all(t["score"] == 0 and t["status"] == "failed" for t in results["tests"])
    assert "we_recur.py" in results["output"]


def test_no_python_file_every_check_says_why(no_python_file):
    """The summary tells the student the module is missing, and each check refers to it;
    none reports a grader error."""
    results = no_python_file.results
    assert "we_recur.py" in results["output"]
    for test in results["tests"]:
        assert "could not be graded" in test["output"], test["name"]
        assert test["extra_data"]["outcome"] != "grader error", test["name"]
    assert "grader_errors" not in results["extra_data"]


@pytest.mark.parametrize("sample_name", ["b_no_transpose", "e_argmax_onehot"])
def test_same_submission_same_results(graded, sample_name):
    """Two in-process gradings and the run_autograder run agree on every test, feedback included."""
    rubric = grading.load()
    runs = [grading.grade(SUBMISSIONS / sample_name, rubric).results.to_json() for _ in range(2)]
    runs.append(graded(sample_name, "run_autograder").results)

    def comparable(results):
        return [(t["name"], t["score"], t["status"], t["output"]) for t in results["tests"]]

    assert comparable(runs[0]) == comparable(runs[1]) == comparable(runs[2])
    assert runs[0]["score"] == runs[1]["score"] == runs[2]["score"]


def test_every_sample_has_a_plausible_expected_yaml(sample, expected):
    """Guards the samples themselves: parts (a)-(f), scores within each part's points."""
    rubric = grading.load()
    assert set(expected["scores"]) == {part.label for part in rubric.parts}
    for part in rubric.parts:
        assert 0 <= expected["scores"][part.label] <= part.points
    for part in expected.get("feedback_contains") or {}:
        assert part in expected["scores"] or part == "summary"
    assert re.search(r"\S", expected.get("description", "")), "a one-line description"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PYTEST_ADDOPTS", "-x"),
        ("PYTEST_ADDOPTS", "--maxfail=1"),
        ("PYTEST_ADDOPTS", "-k a_"),
        ("PYTEST_PLUGINS", "no_such_plugin_module"),
    ],
)
def test_the_callers_pytest_settings_do_not_change_grading(monkeypatch, variable, value):
    """The grader runs pytest in-process; PYTEST_ADDOPTS or PYTEST_PLUGINS in a TA's
    shell (or an outer pytest run) must not stop, deselect or break its checks."""
    monkeypatch.setenv(variable, value)
    results = grading.grade(SUBMISSIONS / "b_no_transpose", grading.load()).results.to_json()
    assert part_scores(results) == pytest.approx({"a": 2, "b": 0, "c": 2, "d": 2, "e": 2, "f": 2}, abs=1e-3)
    assert "not run" not in outcomes(results).values()


def test_cli_on_a_missing_path_exits_2_and_writes_no_results(tmp_path, cli_runner):
    run = cli_runner(tmp_path / "nowhere", tmp_path / "results.json")
    assert run.returncode == 2
    assert "does not exist" in run.stderr
    assert not run.results_path.exists()


def test_run_autograder_writes_results_when_the_grader_cannot_start(tmp_path, results_checker):
    """An interpreter that fails at once (here /bin/false) still leaves a valid results.json."""
    (tmp_path / "submission").mkdir()
    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path), "AUTOGRADER_PYTHON": "/bin/false"}
    done = subprocess.run([str(REPO / "run_autograder")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    results = results_checker(tmp_path / "results" / "results.json")
    assert results["score"] == 0
    assert "not a problem with your code" in results["output"]


STUDENT_TEXT = '''

def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return {"[click me](https://evil.example/login)": 1}


def rnn_b_f2(z):
    return type("<img src=x onerror=alert(1)>", (), {})()
'''


def outside_code(markdown):
    """``markdown`` without its code spans and fenced blocks."""
    return re.sub(r"(`+).*?\1", "", markdown, flags=re.S)


def test_student_text_in_feedback_stays_in_code_spans(tmp_path):
    """Feedback is markdown: a dict key or a type name the student chose is shown as
    code, never rendered as a link or HTML."""
    source = (REPO / "questions" / "we_recur" / "example" / "we_recur.py").read_text()
    (tmp_path / "we_recur.py").write_text(source + STUDENT_TEXT)  # the later definitions win
    results = grading.grade(tmp_path / "we_recur.py", grading.load()).results.to_json()
    assert part_scores(results)["b"] == 0 and part_scores(results)["d"] == 0
    shown = "\n".join([results["output"]] + [t["output"] for t in results["tests"]])
    assert "evil.example" in shown and "onerror" in shown, "the student's text is shown..."
    assert "evil.example" not in outside_code(shown), "...but only as code"
    assert "onerror" not in outside_code(shown)
