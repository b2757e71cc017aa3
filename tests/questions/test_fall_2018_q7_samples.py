"""Fall 2018 Q7 end to end without the engine's question loader: every sample under
``questions/fall_2018_q7/samples`` is imported in the real sandbox, the question's
checks run on it with the reference's ``answers``, and the per-part scores, weighted by
the question's rubric, are what its ``expected.yaml`` says.

This is a small stand-in for the engine's own sample tests (which grade a question
found by ``--question``): it reads the rubric's weights and limits with PyYAML and runs
each check through :func:`autograder.outcomes.judge`, as the plugin does. A module that
cannot be imported scores 0 everywhere here too; the engine states why once, above the
checks ("could not be graded"), so its ``feedback_contains`` is the engine's to test.
"""

import importlib
import inspect
import sys
from pathlib import Path

import pytest
import yaml

from autograder.checks import Feedback, seeded_rng
from autograder.outcomes import judge
from autograder.sandbox.errors import ImportFailed
from autograder.sandbox.session import Limits, Sandbox

REPO = Path(__file__).resolve().parents[2]
QUESTION = REPO / "questions" / "fall_2018_q7"
PACKAGE = "questions.fall_2018_q7"
RUBRIC = yaml.safe_load((QUESTION / "rubric.yaml").read_text())
SAMPLES = sorted(path.name for path in (QUESTION / "samples").iterdir() if (path / "expected.yaml").is_file())
#: The public seed, and others standing for Gradescope's secret one: a sample's scores
#: and recognised mistakes may not depend on the draws.
SCORING_SEEDS = (RUBRIC["seed"], 1, 987654321)
#: Entries of Jody's W for the exam's network (W_o W_ss W_sx, W_o W_ss^2 W_sx): no
#: message may state them (the samples' own outputs, which a message may quote, do not hold them).
SECRET_NUMBERS = ("129", "699")
#: Limits of the rubric that the sandbox's Limits knows (the rest are the engine's).
LIMITS = Limits(**{key: value for key, value in RUBRIC["limits"].items() if key in Limits.__dataclass_fields__})


def registered_checks():
    """Every check of the question, by id."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    found = {}
    for path in sorted((QUESTION / "checks").glob("check_*.py")):
        module = importlib.import_module(f"{PACKAGE}.checks.{path.stem}")
        for value in vars(module).values():
            if callable(value) and hasattr(value, "__check_id__"):
                assert value.__check_id__ not in found, f"two checks share the id {value.__check_id__}"
                found[value.__check_id__] = value
    return found


@pytest.fixture(scope="module")
def checks():
    return registered_checks()


@pytest.fixture(scope="module")
def answers():
    return importlib.import_module(f"{PACKAGE}.reference.answers")


def grade(submission, checks, answers, seed):
    """``({part: points}, {check id: Outcome})`` of ``submission`` under the rubric."""
    scores, outcomes = {}, {}
    with Sandbox(submission, folder=submission.parent, limits=LIMITS) as student:
        try:
            student.import_module()
        except ImportFailed:
            return {part["label"]: 0.0 for part in RUBRIC["parts"]}, None
        for part in RUBRIC["parts"]:
            scores[part["label"]] = 0.0
            for rule in part["checks"]:
                check_id = rule["check"]
                function = checks[check_id]
                notes = Feedback()
                made = {"student": student, "rng": seeded_rng(seed, check_id), "feedback": notes,
                        "answers": answers}
                student.calls_for = check_id
                try:
                    function(**{name: made[name] for name in inspect.signature(function).parameters})
                    error = None
                except Exception as raised:  # noqa: BLE001  judged as the plugin judges it
                    error = raised
                outcome = judge(error, tuple(notes.notes))
                outcomes[check_id] = outcome
                scores[part["label"]] += rule["weight"] * outcome.fraction
    return scores, outcomes


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
def test_sample_scores_what_it_expects(sample, seed, checks, answers):
    folder = QUESTION / "samples" / sample
    expected = yaml.safe_load((folder / "expected.yaml").read_text())
    scores, outcomes = grade(folder / RUBRIC["module"], checks, answers, seed)
    if outcomes is None:  # not importable: nothing scores
        assert all(points == 0 for points in expected["scores"].values())
        return
    assert not [o for o in outcomes.values() if o.internal_error], [o.internal_error for o in outcomes.values()]
    assert {part: round(points, 4) for part, points in scores.items()} == expected["scores"]
    texts = {}
    for part in RUBRIC["parts"]:
        texts[part["label"]] = "\n".join(
            outcomes[rule["check"]].message + "\n" + "\n".join(outcomes[rule["check"]].notes) for rule in part["checks"]
        ).lower()
    for check_id in ("b1.jody", "c1.pat"):  # a yes/no item's message may not name a truth value
        if outcomes[check_id].label == "failed":
            assert not any(word in outcomes[check_id].message.lower() for word in ("true", "false", "yes", " no ")), (
                check_id, outcomes[check_id].message)
    for outcome in outcomes.values():  # nor any message an entry of the exam's W below its diagonal
        assert not any(value in outcome.message for value in SECRET_NUMBERS), outcome.message
    for part, words in (expected.get("feedback_contains") or {}).items():
        for word in words:
            assert word.lower() in texts[part], (part, word, texts[part])


def test_example_is_the_correct_sample():
    assert (QUESTION / "example" / "rnn_q7.py").read_text().split('"""', 2)[2] == (
        QUESTION / "samples" / "correct" / "rnn_q7.py"
    ).read_text().split('"""', 2)[2]
