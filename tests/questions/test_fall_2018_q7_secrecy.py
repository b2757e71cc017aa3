"""Fall 2018 Q7's answers stay secret, as We Recur!'s do (tests/test_secrecy.py): no name,
visible message or summary a student reads states an official answer, in either reveal
preset; the student kit holds none in plain sight (the exam's outputs and truth values
only as salted digests, no entry of Jody's W for the exam's network).

The official answers (../shared/problem/fall-2018-q7.md) are searched for in the spellings
a text might use, compared after :func:`squeezed` (lower case, no white space).
"""

import json
import math
import re
import zipfile
from pathlib import Path

import pytest

from autograder import cli, grading
from autograder import question as questions
from autograder.sandbox import isolation

REPO = Path(__file__).resolve().parents[2]
QUESTION = REPO / "questions" / "fall_2018_q7"
SAMPLES = QUESTION / "samples"
EXAMPLE = QUESTION / "example" / "rnn_q7.py"

ANSWERS = {
    # (a): y = [[-27], [-102]], from s_1 = [5, 6] and s_2 = [12, 33]
    "a": ["-27,-102", "[-27],[-102]", "-27.,-102.", "-27.0,-102.0", "y_1=-27", "y1=-27", "y_2=-102", "y2=-102",
          "[12,33]", "[12.,33.]", "s_2=[12"],
    # (b.i): yes
    "b1": ["jodyisright", "jodyiscorrect", "jodyisnotwrong", "answerisyes", "answeristrue", "shouldbetrue",
           "shouldreturntrue", "expectedtrue", "expectedyes", "(b.i)yes", "(b.i):yes"],
    # (b.ii): entry (i, j) = W_o W_ss^(i-j) W_sx, lower triangular
    "b2": ["w_ow_ss^(i-j)w_sx", "w_o@w_ss", "w_o@np.linalg.matrix_power", "matrix_power(w_ss", "w_ow_ssw_sx",
           "w_ow_ss^2w_sx", "lowertriangular", "lower-triangular", "np.tril", "-129", "-699"],
    # (c.i): no
    "c1": ["patcannot", "patcan't", "patisright", "patiswrong", "cannotrepresentthesame", "answerisno",
           "answerisfalse", "shouldbefalse", "shouldreturnfalse", "expectedfalse", "expectedno", "(c.i)no",
           "(c.i):no"],
    # (c.ii): a joint condition on two input entries
    "c2": ["simultaneouslynon-zero", "simultaneouslynonzero", "bothnon-zero", "bothnonzero", "jointcondition",
           "neverinteract", "x^(1)andx^(2)", "x1andx2werebothnon"],
}
#: The numbers of the exam's answers: (a)'s outputs and the entries of Jody's W below its
#: diagonal for the exam's network (W_o W_sx = -27 is (a)'s y_1 as well).
EXAM_NUMBERS = {-27.0, -102.0, -129.0, -699.0}


def squeezed(text):
    """``text`` in lower case without white space, and without the choice a handout or a
    message offers ("True or False", "yes or no"), which states no answer."""
    flat = re.sub(r"\s+", "", text).lower()
    for choice in ("trueorfalse", "falseortrue", "yesorno", "noryes"):
        flat = flat.replace(choice, "")
    return flat


def stated(text, part):
    flat = squeezed(text)
    return [answer for answer in ANSWERS[part] if answer in flat]


def test_the_spellings_catch_the_answers():
    for text, part in [
        ("returns [[-27], [-102]]", "a"), ("y_2 = -102", "a"), ("W[i, j] = W_o W_ss^(i-j) W_sx", "b2"),
        ("Jody is right", "b1"), ("It should be False", "c1"), ("both non-zero at once", "c2"),
    ]:
        assert stated(text, part), text


@pytest.fixture(scope="module", params=["exam", "homework"])
def rendered(request, tmp_path_factory):
    """``(preset, {sample: results.json})`` of every sample and the example in one preset."""
    text = (QUESTION / "rubric.yaml").read_text(encoding="utf-8")
    assert "\nreveal: homework\n" in text
    path = tmp_path_factory.mktemp(request.param) / "rubric.yaml"
    path.write_text(text.replace("\nreveal: homework\n", f"\nreveal: {request.param}\n"), encoding="utf-8")
    rubric = grading.load(path, question=questions.find(QUESTION))
    names = sorted(p.name for p in SAMPLES.iterdir() if (p / "expected.yaml").is_file())
    done = {}
    isolation.use_slot(6)  # a sandbox user of this process's own (see tests/test_batch.py)
    try:
        grading.grade_each([(n, SAMPLES / n) for n in names] + [("example", EXAMPLE)], rubric,
                           lambda key, graded: done.update({key: graded}))
    finally:
        isolation.use_slot(0)
    assert not [key for key, graded in done.items() if isinstance(graded, Exception)]
    return request.param, {key: graded.results.to_json() for key, graded in done.items()}


def shown_by_the_grader(test):
    """A visible check's output less the student's own text that (c2) quotes back to them."""
    lines = test["output"].splitlines()
    if test["extra_data"]["check"] == "c2.counterexample":
        lines = [line for line in lines if not line.startswith(">")]
    return "\n".join(lines)


@pytest.mark.parametrize("part", sorted(ANSWERS))
def test_no_visible_text_states_an_answer(rendered, part):
    preset, runs = rendered
    found = []
    for sample, results in runs.items():
        found += [(sample, "summary", a) for a in stated(results["output"], part)]
        for test in results["tests"]:
            found += [(sample, test["name"], a) for a in stated(test["name"], part)]
            if test["visibility"] == "visible":
                found += [(sample, test["name"], a) for a in stated(shown_by_the_grader(test), part)]
    assert not found, f"{preset}: {found}"


def test_the_exam_preset_shows_a_failed_checks_score_alone(rendered):
    preset, runs = rendered
    tests = {test["extra_data"]["check"]: test for test in runs["a_reversed_time"]["tests"]}
    shown = tests["a.exam_numbers"]["output"]
    if preset == "exam":
        assert "returned the outputs" not in shown
    else:
        assert "returned the outputs" in shown and "which is not the exam's output sequence" in shown


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """``{name: text}`` of every file of Q7's student kit."""
    out = tmp_path_factory.mktemp("kit") / "kit.zip"
    assert cli.main(["student-kit", "--question", "fall_2018_q7", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist() if not name.endswith("/")}


@pytest.mark.parametrize("part", sorted(ANSWERS))
def test_the_kit_states_no_answer(kit, part):
    found = {name: hits for name, text in kit.items() if (hits := stated(text, part))}
    assert not found, found


def _numbers(value):
    if isinstance(value, bool):
        yield value
    elif isinstance(value, (int, float)):
        yield float(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)


def test_the_kits_recorded_answers_hold_no_exam_number_and_no_plain_truth_value(kit):
    (name,) = [name for name in kit if name.endswith("_selfcheck/answers.json")]
    recorded = json.loads(kit[name])
    assert recorded["calls"], "the kit records the reference's answers to its draws"
    values = list(_numbers(recorded["calls"]))
    assert not [v for v in values if isinstance(v, bool)], "a truth value in plain sight"
    exam = [v for v in values if any(math.isclose(v, number) for number in EXAM_NUMBERS)]
    assert not exam, f"exam numbers in {name}: {exam}"
    assert '"$sealed"' in kit[name], "the exam's outputs are checked against a salted digest"


def test_the_kit_leaves_out_the_checks_shown_only_after_the_due_date(kit):
    """(b.i) and (c.i) are yes/no: a kit that checked them offline would tell by trying both."""
    rubric = json.loads(next(text for name, text in kit.items() if name.endswith("_selfcheck/rubric.json")))
    kept = {rule["check_id"] for rule in rubric["rules"]}
    assert kept and not kept & {"b1.jody", "c1.pat"}, kept
    assert rubric["has_hidden_checks"]
    checks = {name: text for name, text in kit.items() if "/question/checks/" in name}
    assert checks
    for name, text in checks.items():
        assert "jody_is_right" not in text and "pat_same_as_rnn" not in text, name
