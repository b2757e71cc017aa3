"""Grade the answer, not its encoding (issue 11): what a careful TA would give, every time.

* A correct answer computed in float32 (``questions/we_recur/samples/f32_correct``) scores 12 and
  passes every check, the zero-point ones included, at each of twelve rubric seeds:
  whether it passes must not depend on the draws. Every other float32 and float16
  sample scores its expected.yaml at the same seeds: right ones in full, wrong ones
  losing exactly their part.
* A slow but honest import still scores 12 while helper processes keep every core busy.
* Messages say what happened and nothing false: an int is not "an array of shape ()",
  the overflow hint of (d) is not given to an f2 that is not a softmax, and no sample
  sees a traceback of the grader.

f32_correct is graded at each seed through ``python -m autograder grade`` (as a TA runs
it), a few at a time; the other precision samples in one ``python -m autograder batch``
per seed, and the corpus-wide message checks in one batch of every sample (a batch
scores each submission as ``grade`` does, see test_batch).
"""

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import yaml

from autograder import grading

REPO = Path(__file__).resolve().parent.parent
SUBMISSIONS = REPO / "questions" / "we_recur" / "samples"
DEFAULT_RUBRIC = REPO / "questions" / "we_recur" / "rubric.yaml"
SAMPLES = sorted(folder.name for folder in SUBMISSIONS.iterdir() if (folder / "expected.yaml").is_file())
FULL_MARKS = 12
PARALLEL_RUNS = min(4, os.cpu_count() or 1)
#: Twelve rubric seeds, drawn once (from a fixed generator, so every run asks the same).
SEEDS = sorted(int(seed) for seed in np.random.default_rng(611).choice(2**31, size=12, replace=False))
FLOAT32_SAMPLE = SUBMISSIONS / "f32_correct"
#: Every sample computed or returned in float32 or float16, right ones and wrong ones.
PRECISION_SAMPLES = [sample for sample in SAMPLES if sample.startswith(("f32_", "f16_"))]
SLOW_IMPORTS = ("slow_import_table", "slow_import_sleep")


def expected_of(sample):
    return yaml.safe_load((SUBMISSIONS / sample / "expected.yaml").read_text(encoding="utf-8"))


def rubric_with_seed(seed, folder):
    """The default rubric with its ``seed:`` line replaced, written into ``folder``."""
    text, count = re.subn(r"(?m)^seed: *\d+ *$", f"seed: {seed}", DEFAULT_RUBRIC.read_text(encoding="utf-8"))
    assert count == 1, "the default rubric has one top-level seed line"
    path = Path(folder) / "we_recur.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def run_batch(export, out, *, rubric=DEFAULT_RUBRIC, jobs=2):
    """``python -m autograder batch EXPORT --out OUT``; returns ``{submission id: row}``
    of its scores.csv."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("PYTEST")}
    command = [sys.executable, "-m", "autograder", "batch", str(export), "--out", str(out), "--jobs", str(jobs)]
    command += ["--rubric", str(rubric)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(Path(out) / "scores.csv", newline="", encoding="utf-8") as stream:
        return {row["submission_id"]: row for row in csv.DictReader(stream)}


def part_scores(results):
    scores = {}
    for test in results["tests"]:
        scores[test["extra_data"]["part"]] = scores.get(test["extra_data"]["part"], 0.0) + test["score"]
    return scores


def outputs(results, *, part=None, check=None):
    """The outputs of the tests of ``part`` (or of the one ``check``), joined."""
    chosen = [
        test
        for test in results["tests"]
        if part in (None, test["extra_data"]["part"]) and check in (None, test["extra_data"]["check"])
    ]
    return "\n".join(test["output"] for test in chosen)


# -- float32 at every seed -------------------------------------------------------------------


@pytest.fixture(scope="module")
def float32_runs(tmp_path_factory, cli_runner):
    """``{seed: Run}``: f32_correct graded under the default rubric with each seed."""

    def run(seed, folder):
        return cli_runner(FLOAT32_SAMPLE, folder / "results.json", rubric=rubric_with_seed(seed, folder))

    folders = {seed: tmp_path_factory.mktemp(f"seed-{seed}") for seed in SEEDS}  # mktemp is not thread-safe
    with ThreadPoolExecutor(max_workers=PARALLEL_RUNS) as pool:
        futures = {seed: pool.submit(run, seed, folders[seed]) for seed in SEEDS}
        return {seed: future.result() for seed, future in futures.items()}


def test_the_float32_sample_is_what_it_claims():
    """Guards the property test: f32_correct really answers (b), (d), (e) in float32."""
    source = (FLOAT32_SAMPLE / "we_recur.py").read_text(encoding="utf-8")
    assert source.count("np.float32") >= 3
    assert expected_of("f32_correct")["scores"] == {part: 2 for part in "abcdef"}


@pytest.mark.parametrize("seed", SEEDS)
def test_float32_answer_scores_12_at_every_seed(float32_runs, seed, results_checker):
    run = float32_runs[seed]
    assert run.returncode == 0, run.stdout + run.stderr
    results = results_checker(run.results_path)
    lost = {t["extra_data"]["check"]: t["output"] for t in results["tests"] if t["score"] < t["max_score"]}
    assert part_scores(results) == pytest.approx({part: 2 for part in "abcdef"}, abs=1e-6), lost
    assert results["score"] == pytest.approx(FULL_MARKS)


@pytest.mark.parametrize("seed", SEEDS)
def test_float32_answer_passes_every_check_at_every_seed(float32_runs, seed):
    """The zero-point checks too: a right answer is never told to "follow the chain"."""
    results = float32_runs[seed].results
    failed = {t["extra_data"]["check"]: t["output"] for t in results["tests"] if t["extra_data"]["outcome"] != "passed"}
    assert not failed


@pytest.fixture(scope="module")
def precision_batches(tmp_path_factory):
    """``{seed: scores.csv rows}``: every float32 and float16 sample, one batch per seed."""
    export = tmp_path_factory.mktemp("precision-export")
    for sample in PRECISION_SAMPLES:
        shutil.copytree(SUBMISSIONS / sample, export / sample, ignore=shutil.ignore_patterns("expected.yaml"))
    folders = {seed: tmp_path_factory.mktemp(f"precision-{seed}") for seed in SEEDS}

    def run(seed):
        folder = folders[seed]
        return run_batch(export, folder / "out", rubric=rubric_with_seed(seed, folder), jobs=1)

    with ThreadPoolExecutor(max_workers=min(2, PARALLEL_RUNS)) as pool:
        return dict(zip(SEEDS, pool.map(run, SEEDS)))


@pytest.mark.parametrize("seed", SEEDS)
def test_every_precision_sample_scores_as_expected_at_every_seed(precision_batches, seed):
    """A right answer in float32 or float16 keeps its points at every seed; a wrong one
    loses exactly its part at every seed (lower precision excuses rounding, not mistakes)."""
    rows = precision_batches[seed]
    assert sorted(rows) == PRECISION_SAMPLES
    wrong = {}
    for sample in PRECISION_SAMPLES:
        for part, points in expected_of(sample)["scores"].items():
            if abs(float(rows[sample][part]) - points) > 1e-3:
                wrong[f"{sample} ({part})"] = (float(rows[sample][part]), points)
    assert not wrong, "got, expected"


# -- a busy machine ----------------------------------------------------------------------------


@pytest.fixture
def every_core_busy():
    """One helper process per core, each spinning until it is killed."""
    helpers = []
    try:
        for _ in range(os.cpu_count() or 1):
            helpers.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        time.sleep(0.3)  # let them start spinning before the grading begins
        yield helpers
    finally:
        for helper in helpers:
            helper.kill()
        for helper in helpers:
            helper.wait()


@pytest.mark.parametrize("sample_name", SLOW_IMPORTS)
def test_slow_honest_import_scores_12_on_a_busy_machine(every_core_busy, sample_name, tmp_path, cli_runner):
    run = cli_runner(SUBMISSIONS / sample_name, tmp_path / "results.json")
    assert all(helper.poll() is None for helper in every_core_busy), "the helpers kept every core busy throughout"
    assert run.returncode == 0, run.stdout + run.stderr
    results = run.results
    assert part_scores(results) == pytest.approx({part: 2 for part in "abcdef"}, abs=1e-6), results["output"]
    assert results["score"] == pytest.approx(FULL_MARKS)


# -- messages, over the whole corpus -------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """``{sample: results.json}`` for every sample, from one batch with two graders."""
    out = tmp_path_factory.mktemp("corpus")
    assert sorted(run_batch(SUBMISSIONS, out)) == SAMPLES
    found = {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in (out / "results").glob("*.json")}
    assert sorted(found) == SAMPLES
    return found


GRADER_TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)"  # Python's own traceback header
    r"|File \"[^\"\n]+\", line \d+"  # a traceback frame
    r"|site-packages|_pytest|gradescope_utils"  # the grader's libraries
)


def test_no_sample_sees_a_traceback_of_the_grader(corpus):
    """What a student sees of a failure lies in their own code, as a list of their frames."""
    leaks = {}
    for sample, results in corpus.items():
        for text in [results.get("output", "")] + [t.get("output", "") for t in results["tests"]]:
            match = GRADER_TRACEBACK.search(text)
            if match:
                leaks.setdefault(sample, match.group(0))
    assert not leaks


def test_no_sample_meets_a_grader_error(corpus):
    errors = {}
    for sample, results in corpus.items():
        for test in results["tests"]:
            if test["extra_data"]["outcome"] == "grader error":
                errors.setdefault(sample, []).append(test["extra_data"]["check"])
    assert not errors
    assert not [sample for sample, results in corpus.items() if "grader_errors" in results.get("extra_data", {})]


@pytest.mark.parametrize(("sample_name", "part"), [("msg_a_int", "a"), ("msg_b_int", "b")])
def test_an_int_is_not_described_as_an_array(corpus, sample_name, part):
    """An int where a pair or a column is expected is described as what it is."""
    text = outputs(corpus[sample_name], part=part)
    assert part_scores(corpus[sample_name])[part] == 0
    assert "shape ()" not in text
    assert "array of shape" not in text


#: What the overflow check of (d) says when it blames exp().
OVERFLOW_BLAME = ("exp() overflows", "overflow or underflow in exp")


def not_softmaxes():
    """Samples whose (d) is wrong though their module imports: their f2 is no softmax."""
    return [
        sample
        for sample in SAMPLES
        if expected_of(sample)["scores"]["d"] == 0 and sum(expected_of(sample)["scores"].values()) > 0
    ]


@pytest.mark.parametrize("sample_name", not_softmaxes())
def test_the_overflow_hint_goes_only_to_a_softmax(corpus, sample_name):
    """An f2 that is not a softmax (tanh, a temperature, a wrong axis...) is not told that
    exp() overflowed: its trouble is elsewhere, and (d.softmax) says where."""
    text = outputs(corpus[sample_name], check="d.overflow")
    assert not [phrase for phrase in OVERFLOW_BLAME if phrase in text], text


def test_the_overflow_hint_still_reaches_a_naive_softmax(corpus):
    """The other side of the test above: the hint is still given where it is true."""
    text = outputs(corpus["d_naive_softmax"], check="d.overflow")
    assert any(phrase in text for phrase in OVERFLOW_BLAME), text


def test_the_corpus_covers_every_class():
    """At least 60 samples of the issue's classes, each class represented."""
    classes = ("form_", "f32_", "f16_", "lenient_f_", "lenient_shapes_", "e_sampled_", "d_", "slow_", "msg_import_")
    assert sum(sample.startswith(classes) for sample in SAMPLES) >= 60
    for prefix in classes:
        assert any(sample.startswith(prefix) for sample in SAMPLES), prefix


def test_a_reseeded_rubric_differs_from_the_default_only_in_its_seed(tmp_path):
    """Guards the property test: the rubric it grades with is the default one, reseeded."""
    default = grading.load(DEFAULT_RUBRIC)
    reseeded = grading.load(rubric_with_seed(SEEDS[0], tmp_path))
    assert reseeded.seed == SEEDS[0] != default.seed
    assert reseeded.parts == default.parts and reseeded.limits == default.limits
    assert len(set(SEEDS)) == 12 and default.seed not in SEEDS
