"""Fall 2018 Q7 end to end: every sample under ``questions/fall_2018_q7/samples`` is
graded by the engine from the question's folder (``autograder.grading``, what ``grade
--question fall_2018_q7`` runs), with the public seed and two standing for Gradescope's
secret one, and the per-part scores are what its ``expected.yaml`` says; no message
states a yes/no answer or an entry of the exam's W.
"""

from pathlib import Path

import pytest
import yaml

from autograder import checks as engine_checks
from autograder import grading, scoring_seed
from autograder import question as questions
from autograder.sandbox import isolation

REPO = Path(__file__).resolve().parents[2]
QUESTION = REPO / "questions" / "fall_2018_q7"
RUBRIC = yaml.safe_load((QUESTION / "rubric.yaml").read_text())
SAMPLES = sorted(path.name for path in (QUESTION / "samples").iterdir() if (path / "expected.yaml").is_file())
#: The public seed, and others standing for Gradescope's secret one: a sample's scores
#: and recognised mistakes may not depend on the draws.
SCORING_SEEDS = (RUBRIC["seed"], 1, 987654321)
#: Entries of Jody's W for the exam's network (W_o W_ss W_sx, W_o W_ss^2 W_sx): no
#: message may state them (the samples' own outputs, which a message may quote, do not hold them).
SECRET_NUMBERS = ("129", "699")


@pytest.fixture(scope="module")
def checks():
    return {check_id: spec.function for check_id, spec in engine_checks.discover(questions.find(QUESTION)).items()}


@pytest.fixture(scope="module")
def rubric():
    return grading.load(question=questions.find(QUESTION))


@pytest.fixture(scope="module")
def sandbox_user():
    isolation.use_slot(7)  # a sandbox user of this process's own (see tests/test_batch.py)
    yield
    isolation.use_slot(0)


def grade(folder, rubric, seed):
    """``({part: points}, {check id: test})`` of the sample in ``folder`` graded by the
    engine with ``seed``, or ``(scores, None)`` when it could not be imported."""
    graded = grading.grade(folder, rubric.scored_with(scoring_seed.Seed(seed, secret=True)))
    results = graded.results.to_json()
    assert "grader error" not in graded.instructor_log, graded.instructor_log
    scores = {part.label: 0.0 for part in rubric.parts}
    for test in results["tests"]:
        scores[test["extra_data"]["part"]] += test["score"]
    return scores, None if graded.problem else {test["extra_data"]["check"]: test for test in results["tests"]}


def test_rubric_names_every_check_once(checks):
    named = [rule["check"] for part in RUBRIC["parts"] for rule in part["checks"]]
    assert sorted(named) == sorted(checks)
    for part in RUBRIC["parts"]:
        assert sum(rule["weight"] for rule in part["checks"]) == part["points"], part["label"]
    assert sum(part["points"] for part in RUBRIC["parts"]) == 8  # + (c.ii)'s 2 graded by hand


def test_there_are_enough_samples():
    assert len(SAMPLES) >= 15


@pytest.mark.parametrize("seed", SCORING_SEEDS)
@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_scores_what_it_expects(sample, seed, rubric, sandbox_user):
    folder = QUESTION / "samples" / sample
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    scores, tests = grade(folder, rubric, seed)
    if tests is None:  # not importable: nothing scores
        assert all(points == 0 for points in expected["scores"].values())
        return
    assert {part: round(points, 4) for part, points in scores.items()} == expected["scores"]
    texts = {}
    for part in RUBRIC["parts"]:
        texts[part["label"]] = "\n".join(tests[rule["check"]]["output"] for rule in part["checks"]).lower()
    for check_id in ("b1.jody", "c1.pat"):  # a yes/no item's message may not name a truth value
        if tests[check_id]["extra_data"]["outcome"] == "failed":
            hint = next(rule.feedback for _, rule in rubric.checks if rule.check_id == check_id)
            message = tests[check_id]["output"].replace(hint, "").lower()  # the check's own words, not the rubric's
            assert not any(word in message for word in ("true", "false", "yes", " no ")), (check_id, message)
    for test in tests.values():  # nor any message an entry of the exam's W below its diagonal
        assert not any(value in test["output"] for value in SECRET_NUMBERS), test["output"]
    for part, words in (expected.get("feedback_contains") or {}).items():
        for word in words:
            assert word.lower() in texts[part], (part, word, texts[part])


def test_example_is_the_correct_sample():
    assert (QUESTION / "example" / "rnn_q7.py").read_text().split('"""', 2)[2] == (
        QUESTION / "samples" / "correct" / "rnn_q7.py"
    ).read_text().split('"""', 2)[2]


def test_results_say_which_points_staff_grade_by_hand(rubric):
    """(c2) is graded by hand: the summary above the checks says so; the score is out of 8."""
    graded = grading.grade(QUESTION / "example" / "rnn_q7.py", rubric)
    assert graded.results.score == 8 and rubric.total_points == 8
    assert (
        "**Graded by hand:** 2 of this question's 10 points are graded by hand and are not in this score: "
        "(c2) a counterexample (2)." in graded.results.output
    )
