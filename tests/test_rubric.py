"""autograder.rubric: the default rubric, every way a rubric can be invalid (each error
names the file, the line and the key), defaults for what it leaves out (never the checks'), and a
rubric with a hidden check graded end to end."""

import re
import zlib
from pathlib import Path

import numpy as np
import pytest

from autograder import checks, grading
from autograder.checks import CheckSpec
from autograder.rubric import RubricError, load_rubric
from questions.we_recur.checks import check_part_b
from questions.we_recur.reference import answer_key

HERE = Path(__file__).parent
RUBRICS = HERE / "rubrics"
SUBMISSIONS = HERE.parent / "questions" / "we_recur" / "samples"
EXAMPLE = HERE.parent / "questions" / "we_recur" / "example" / "we_recur.py"


# -- the default rubric ----------------------------------------------------------------------


def test_default_rubric_is_the_exam():
    rubric = grading.load()
    assert rubric.module == "we_recur.py"
    assert rubric.total_points == 12
    assert [(part.label, part.points) for part in rubric.parts] == [(label, 2) for label in "abcdef"]
    for part in rubric.parts:
        assert sum(rule.weight for rule in part.checks) == pytest.approx(part.points, abs=1e-12)
        assert all(rule.check_id.startswith(f"{part.label}.") for rule in part.checks)
    # (f): the four items graded together; one by one, for no points, after the due date
    assert [(rule.check_id, rule.weight, rule.visibility) for rule in rubric.part("f").checks] == [
        ("f.statements", 2, "visible"),
        *((f"f.{item}", 0, "after_due_date") for item in ("i", "ii", "iii", "iv")),
    ]


def test_default_rubric_uses_every_check_once():
    rubric = grading.load()
    ids = [rule.check_id for _, rule in rubric.checks]
    assert len(ids) == len(set(ids))
    assert set(ids) <= set(checks.discover())


# -- invalid rubrics ---------------------------------------------------------------------------

INVALID = [
    # file under tests/rubrics, line, key, words of the problem
    ("invalid_unknown_check.yaml", 9, "parts[0].checks[0].check", "unknown check 'b.random_weight'"),
    ("invalid_weights_sum.yaml", 7, "parts[0].points", "sum to 1.5"),
    ("invalid_visibility.yaml", 11, "parts[0].checks[0].visibility", "'secret'"),
    ("invalid_top_key.yaml", 4, "total_points", "unknown key"),
    ("invalid_duplicate_label.yaml", 10, "parts[1].label", "'a'"),
    ("invalid_negative_weight.yaml", 12, "parts[0].checks[1].weight", "-1"),
    ("invalid_limit_value.yaml", 6, "limits.call_timeout", "-5"),
    ("invalid_limit_name.yaml", 5, "limits.gpu_seconds", "unknown key"),
]


@pytest.mark.parametrize(("name", "line", "key", "problem"), INVALID, ids=[case[0] for case in INVALID])
def test_invalid_rubric_names_file_line_and_key(name, line, key, problem):
    path = RUBRICS / name
    with pytest.raises(RubricError) as caught:
        grading.load(path)
    error = caught.value
    assert (error.line, error.key) == (line, key)
    assert str(error).startswith(f"{path}:{line}: {key}: ")
    assert problem in str(error)


def test_yaml_syntax_error_names_its_line():
    path = RUBRICS / "invalid_yaml.yaml"
    with pytest.raises(RubricError) as caught:
        grading.load(path)
    assert caught.value.line == 8
    assert str(caught.value).startswith(f"{path}:8: ")
    assert "not valid YAML" in str(caught.value)


def test_missing_rubric_file_names_it(tmp_path):
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(RubricError, match=re.escape(str(path))):
        grading.load(path)


MINIMAL = """\
title: t
module: we_recur.py
parts:
  - label: a
    points: 2
    checks:
      - check: a.exam_shapes
        weight: 2
"""


@pytest.mark.parametrize(
    ("edit", "line", "key"),
    [
        (("  - label: a\n", "  - label: a\n    label: b\n"), 5, "parts[0].label"),
        (("        weight: 2\n", "        weight: 2\n        weight: 0\n"), 9, "parts[0].checks[0].weight"),
    ],
    ids=["label", "weight"],
)
def test_duplicate_key_in_a_mapping_is_an_error(tmp_path, edit, line, key):
    """YAML forbids a key twice in one mapping; loading must not silently keep the last."""
    path = tmp_path / "rubric.yaml"
    path.write_text(MINIMAL.replace(*edit))
    with pytest.raises(RubricError) as caught:
        grading.load(path)
    assert caught.value.line == line
    assert caught.value.key == key


def test_a_check_listed_twice_is_an_error(tmp_path):
    """Outcomes are kept per check id, so a check listed twice would score twice."""
    path = tmp_path / "rubric.yaml"
    path.write_text(MINIMAL.replace("    points: 2\n", "    points: 4\n") + "      - check: a.exam_shapes\n        weight: 2\n")
    with pytest.raises(RubricError) as caught:
        grading.load(path)
    assert caught.value.line == 9
    assert caught.value.key == "parts[0].checks[1].check"


@pytest.mark.parametrize("value", ["0.5", "1.5", "true", "fast", ".nan", ".inf"])
def test_integer_limit_rejects_what_is_not_a_positive_integer(tmp_path, value):
    """memory_mb is an integer: 0.5 must not become int(0.5) == 0 MB of address space."""
    path = tmp_path / "rubric.yaml"
    path.write_text(MINIMAL.replace("parts:\n", f"limits:\n  memory_mb: {value}\nparts:\n"))
    with pytest.raises(RubricError) as caught:
        grading.load(path)
    assert (caught.value.line, caught.value.key) == (4, "limits.memory_mb")


def test_float_limit_keeps_its_fraction(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text(MINIMAL.replace("parts:\n", "limits:\n  call_timeout: 0.25\n  memory_mb: 300\nparts:\n"))
    limits = grading.load(path).limits
    assert limits.call_timeout == 0.25
    assert limits.memory_mb == 300 and type(limits.memory_mb) is int


def test_cli_with_invalid_rubric_exits_2_and_writes_no_results(tmp_path, cli_runner):
    """Nothing was graded: a results.json would only tell a student of the command's mistake."""
    bad = RUBRICS / "invalid_unknown_check.yaml"
    run = cli_runner(EXAMPLE, tmp_path / "results.json", rubric=bad)
    assert run.returncode == 2
    assert f"{bad}:9" in run.stderr
    assert not run.results_path.exists()


# -- the rubric is the single source of weight, visibility, number and tags -----------------


def test_omitted_fields_take_their_defaults():
    rule = grading.load(RUBRICS / "defaults.yaml").part("b").checks[0]
    assert (rule.weight, rule.visibility, rule.number, rule.tags) == (2, "visible", "1.1", ())


def test_stated_fields_are_the_rubrics():
    rule = grading.load(RUBRICS / "defaults.yaml").part("b").checks[1]
    assert (rule.weight, rule.visibility, rule.number, rule.tags) == (0.5, "after_due_date", "7.7", ("mine",))


def test_check_functions_carry_no_weight_visibility_number_or_tags():
    """Everything a grade depends on is in the rubric: the checks state only id and name."""
    for spec in checks.discover().values():
        for attribute in ("__weight__", "__visibility__", "__number__", "__tags__"):
            assert not hasattr(spec.function, attribute), f"{spec.place}: {spec.check_id} sets {attribute}"


def test_weight_is_required(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text(MINIMAL.replace("        weight: 2\n", ""))
    bare = CheckSpec("a.exam_shapes", "bare", None)
    with pytest.raises(RubricError) as caught:
        load_rubric(path, {"a.exam_shapes": bare})
    assert caught.value.key == "parts[0].checks[0].weight"
    assert "required" in str(caught.value)


# -- a rubric with a hidden check, graded -----------------------------------------------------

WRONG_B = '''
def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return 2 * (W_sx.T @ (W_o.T @ dloss_dz2))  # twice the right answer: no known mistake
'''


@pytest.fixture(scope="module")
def hidden_rubric():
    return grading.load(RUBRICS / "hidden_b.yaml")


@pytest.fixture(scope="module")
def wrong_b(tmp_path_factory, hidden_rubric):
    """The example with a (b) no common mistake explains, graded under hidden_b.yaml."""
    folder = tmp_path_factory.mktemp("wrong_b")
    source = EXAMPLE.read_text()
    start = source.index("def rnn_a_dloss_dx")
    end = source.index("def rnn_b_shapes")
    (folder / "we_recur.py").write_text(source[:start] + WRONG_B.strip() + "\n\n\n" + source[end:])
    return grading.grade(folder / "we_recur.py", hidden_rubric).results


@pytest.fixture(scope="module")
def correct_hidden(hidden_rubric):
    return grading.grade(EXAMPLE, hidden_rubric).results


def by_check(results):
    return {test["extra_data"]["check"]: test for test in results.to_json()["tests"]}


def test_hidden_check_is_graded_and_hidden(correct_hidden, wrong_b, results_checker):
    for results in (correct_hidden, wrong_b):
        results_checker(results.dumps())
        assert by_check(results)["b.random_weights"]["visibility"] == "hidden"
        assert by_check(results)["b.other_sizes"]["visibility"] == "visible"
    assert by_check(correct_hidden)["b.random_weights"]["score"] == 2
    assert by_check(wrong_b)["b.random_weights"]["score"] == 0
    assert correct_hidden.score == 4
    assert wrong_b.score == 2


def test_summary_hides_the_total_and_the_hidden_points(correct_hidden, wrong_b):
    for results in (correct_hidden, wrong_b):
        table = results.output
        assert "Total" not in table
        assert not re.search(r"\b4 / 4\b|\b2 / 4\b", table)
        (row_b,) = [line for line in table.splitlines() if line.startswith("| (b)")]
        assert "0 / 0" in row_b, "(b)'s only visible check is worth 0 points"
        assert "(+1 hidden)" in row_b
        (row_a,) = [line for line in table.splitlines() if line.startswith("| (a)")]
        assert "2 / 2" in row_a


def reference_answers_of_hidden_check(rubric):
    """The reference's answers on the draws b.random_weights makes: the same seeding as
    the plugin's ``rng`` fixture (rubric seed, crc32 of the check id)."""
    rng = np.random.default_rng([rubric.seed, zlib.crc32(b"b.random_weights")])
    draws = [check_part_b.draw(rng, 2, 2, 2) for _ in range(check_part_b.EXAM_DRAWS)]
    return [answer_key.rnn_a_dloss_dx(*draw) for draw in draws]


def test_hidden_check_output_reveals_no_expected_value(wrong_b, hidden_rubric):
    output = by_check(wrong_b)["b.random_weights"]["output"]
    assert "matched the reference on 0 of" in output, "the feedback is the check's own"
    assert not re.search(r"\d\.\d", output), "no decimal number at all"
    for answer in reference_answers_of_hidden_check(hidden_rubric):
        for value in answer.ravel():
            for text in (f"{value:.2f}", f"{value:.3f}", f"{value:g}", repr(float(value))):
                assert text not in output
    # nor anywhere a student can read now
    assert not re.search(r"\d\.\d", wrong_b.output)


# -- points graded by hand --------------------------------------------------------------------


HAND_GRADED = MINIMAL + """\
  - label: f
    title: an explanation
    points: 0
    manual_points: 3
    checks:
      - check: f.statements
        weight: 0
"""


def test_hand_graded_points_are_the_questions_not_the_autograders(tmp_path):
    path = tmp_path / "rubric.yaml"
    path.write_text(HAND_GRADED)
    rubric = grading.load(path)
    assert rubric.total_points == 2 and rubric.manual_points == 3
    assert rubric.manual_sentence() == (
        "3 of this question's 5 points are graded by hand and are not in this score: (f) an explanation (3)."
    )
    assert grading.load().manual_sentence() == ""


@pytest.mark.parametrize(
    ("edit", "line", "key", "problem"),
    [
        (("    manual_points: 3\n", "    manual_points: -1\n"), 12, "parts[1].manual_points", "must be a number >= 0"),
        (("    manual_points: 3\n", "    manual_points: two\n"), 12, "parts[1].manual_points", "must be a number >= 0"),
        (("    points: 0\n    manual_points: 3\n", "    points: 1\n    manual_points: 3\n"), 12, "parts[1].manual_points",
         "its checks only collect what staff read, so each must weigh 0"),
    ],
    ids=["negative", "text", "weighted-check"],
)
def test_invalid_hand_graded_points_name_their_line(tmp_path, edit, line, key, problem):
    path = tmp_path / "rubric.yaml"
    text = HAND_GRADED.replace(*edit)
    if "points: 1\n" in edit[1]:
        text = text.replace("      - check: f.statements\n        weight: 0\n", "      - check: f.statements\n        weight: 1\n")
    path.write_text(text)
    with pytest.raises(RubricError) as caught:
        grading.load(path)
    assert (caught.value.line, caught.value.key) == (line, key)
    assert problem in caught.value.problem
