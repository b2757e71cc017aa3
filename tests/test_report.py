"""autograder.report and autograder.results: what each check's output says, the per-part
summary table, and the results.json model (rounding, status, caps, atomic writes)."""

import json
import os
import re
from pathlib import Path

import pytest

from autograder import results as results_module
from autograder.outcomes import Outcome
from autograder.report import build_results, check_output, format_for_terminal, summary
from autograder.results import MAX_TEST_OUTPUT_CHARS, MAX_TOP_OUTPUT_CHARS, Results, TestResult
from autograder.rubric import CheckRule, Part, Rubric
from autograder.sandbox.session import Limits

PASSED = Outcome(1.0, "", (), "passed")
FAILED = Outcome(0.0, "`f` returned the wrong shape.", (), "failed")


def rule(check_id, weight, *, visibility="visible", feedback="", name=None):
    return CheckRule(check_id, name or f"check {check_id}", weight, visibility, feedback, "", ())


def rubric(*parts):
    return Rubric(Path("r.yaml"), "Quiz", "we_recur.py", 1, Limits(), tuple(parts))


def part(label, *rules):
    return Part(label, f"part {label}", sum(r.weight for r in rules), tuple(rules))


TWO_PARTS = rubric(
    part("a", rule("a.one", 2, feedback="Think about shapes."), rule("a.two", 0)),
    part("b", rule("b.one", 1), rule("b.two", 1)),
)


def build(rubric, outcomes, **kwargs):
    results, internal = build_results(rubric, outcomes, elapsed=0.5, **kwargs)
    return results, internal


# -- check_output ------------------------------------------------------------------------------


def test_passed_output_has_no_hint():
    assert check_output(PASSED, rule("x", 1, feedback="A hint.")) == "Passed."


def test_passed_output_keeps_its_notes():
    outcome = Outcome(1.0, "", ("You returned a flat vector.",), "passed")
    assert check_output(outcome, rule("x", 1, feedback="A hint.")) == "Passed.\n\n**Note:** You returned a flat vector."


def test_failed_output_is_message_then_hint_then_notes():
    outcome = Outcome(0.0, "Wrong.", ("note one", "note two"), "failed")
    text = check_output(outcome, rule("x", 1, feedback="A hint."))
    assert text == "Wrong.\n\n**Hint:** A hint.\n\n**Note:** note one\n\n**Note:** note two"


def test_failed_output_without_feedback_has_no_hint():
    assert check_output(FAILED, rule("x", 1)) == FAILED.message


def test_partial_output_has_the_hint():
    outcome = Outcome(0.5, "Half right.", (), "partial")
    assert check_output(outcome, rule("x", 1, feedback="More.")) == "Half right.\n\n**Hint:** More."


# -- build_results -----------------------------------------------------------------------------


def test_scores_follow_the_weights_and_fractions(results_checker):
    outcomes = {"a.one": Outcome(2 / 3, "partly", (), "partial"), "a.two": PASSED, "b.one": PASSED, "b.two": FAILED}
    results, internal = build(TWO_PARTS, outcomes)
    data = results_checker(results.dumps())
    assert [t["score"] for t in data["tests"]] == [1.33, 0, 1, 0]
    assert [t["status"] for t in data["tests"]] == ["failed", "passed", "passed", "failed"]
    assert data["extra_data"]["part_scores"] == {"a": 1.33, "b": 1.0}
    assert data["extra_data"]["outcomes"] == {"a.one": "partial", "a.two": "passed", "b.one": "passed", "b.two": "failed"}
    assert [t["extra_data"]["part"] for t in data["tests"]] == ["a", "a", "b", "b"]
    assert [t["name"] for t in data["tests"]][0] == "(a) check a.one"
    assert internal == {}


def test_a_check_without_an_outcome_scores_zero_and_says_so():
    results, _ = build(TWO_PARTS, {"a.one": PASSED, "a.two": PASSED, "b.one": PASSED})
    (missing,) = [t for t in results.to_json()["tests"] if t["extra_data"]["check"] == "b.two"]
    assert missing["score"] == 0 and missing["status"] == "failed"
    assert missing["extra_data"]["outcome"] == "not run"
    assert "did not run" in missing["output"]


def test_grader_errors_go_to_the_instructor_not_the_student():
    trace = "Traceback (most recent call last):\n  File \"/autograder/source/x.py\"\nKeyError: 'secret'"
    broken = Outcome(0.0, "The grader hit an internal error.", (), "grader error", internal_error=trace)
    results, internal = build(TWO_PARTS, {"a.one": broken, "a.two": PASSED, "b.one": PASSED, "b.two": PASSED})
    assert internal == {"a.one": trace}
    data = results.to_json()
    assert data["extra_data"]["grader_errors"] == ["a.one"]
    assert "Traceback" not in json.dumps(data["tests"]) and "Traceback" not in data["output"]


def test_a_zero_weight_check_that_fails_is_failed():
    results, _ = build(TWO_PARTS, {"a.one": PASSED, "a.two": FAILED, "b.one": PASSED, "b.two": PASSED})
    test = results.to_json()["tests"][1]
    assert (test["score"], test["max_score"], test["status"]) == (0, 0, "failed")


# -- the summary table ---------------------------------------------------------------------------


def rows(table):
    return [line for line in table.splitlines() if line.startswith("| ")]


def test_summary_table_has_one_row_per_part_and_a_total():
    outcomes = {"a.one": PASSED, "a.two": FAILED, "b.one": PASSED, "b.two": FAILED}
    results, _ = build(TWO_PARTS, outcomes)
    assert rows(results.output) == [
        "| Part | Points | Checks passed |",
        "| (a) part a | 2 / 2 | 1 / 2 |",
        "| (b) part b | 1 / 2 | 1 / 2 |",
        "| **Total** | **3 / 4** | |",
    ]
    assert results.output.startswith("## Quiz\n")


@pytest.mark.parametrize("visibility", ["hidden", "after_due_date", "after_published"])
def test_summary_counts_only_what_students_see_now(visibility):
    hidden = rubric(part("a", rule("a.one", 1), rule("a.two", 3, visibility=visibility)))
    results, _ = build(hidden, {"a.one": PASSED, "a.two": PASSED})
    # A hidden check is never shown; the others are shown later.
    unshown = "(+1 hidden)" if visibility == "hidden" else "(+1 shown later)"
    assert rows(results.output)[1:] == [f"| (a) part a | 1 / 1 | 1 / 1 {unshown} |"]
    assert "Total" not in results.output
    assert results.score == 4, "the hidden check still scores"


def test_summary_states_the_problem_notes_and_printed_output():
    text = summary(
        TWO_PARTS,
        [],
        notes=("Graded `my_answers.py`.",),
        printed="```\n**Total** 12 / 12\n```",
        problem="Your module has a syntax error.",
    )
    assert "**Your submission could not be graded:** Your module has a syntax error." in text
    assert "**Note:** Graded `my_answers.py`." in text
    # the student's text sits in a fence longer than any backtick run inside it
    assert "````text\n```\n**Total** 12 / 12\n```\n````" in text
    assert text.index("could not be graded") < text.index("| Part |") < text.index("What your code printed")


def test_terminal_report_marks_each_check():
    outcomes = {"a.one": FAILED, "a.two": PASSED, "b.one": PASSED, "b.two": PASSED}
    results, _ = build(TWO_PARTS, outcomes)
    text = format_for_terminal(results)
    assert "[FAIL] 0/2  (a) check a.one" in text
    assert "        `f` returned the wrong shape." in text
    assert "[PASS] 1/1  (b) check b.one" in text
    hidden = rubric(part("a", rule("a.one", 1, visibility="hidden")))
    assert "[hidden]" in format_for_terminal(build(hidden, {"a.one": PASSED})[0])



#: What a terminal (or Gradescope's markdown) would act on rather than show.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def test_terminal_report_writes_control_sequences_out():
    test = TestResult("(a) check", 0, 1, "raised `ValueError: \x1b]0;owned\x07\x9b2J`", failed=True)
    text = format_for_terminal(Results((test,), "## Quiz\n\x1b[2J", 0.1))
    assert not RAW_CONTROL.search(text)
    assert "\\x1b]0;owned\\x07\\x9b2J" in text and "## Quiz\n\\x1b[2J" in text


def test_results_markdown_holds_no_raw_control_sequences():
    raised = Outcome(0.0, "`f` raised `ValueError: \x1b[31mboom\x9b0m`", ("\x1b[2J",), "raised")
    results, _ = build(
        TWO_PARTS, {"a.one": raised}, printed="\x1b]0;owned\x07hi\r\n", notes=("\x85 note",), problem="\x1b[H"
    )
    data = results.to_json()
    for text in [data["output"], *(test["output"] for test in data["tests"])]:
        assert not RAW_CONTROL.search(text), text
    assert "\\x1b[31mboom\\x9b0m" in data["tests"][0]["output"]
    assert "\\x1b]0;owned\\x07hi\\x0d" in data["output"]


def test_a_name_that_is_not_utf8_reaches_results_json_replaced(tmp_path):
    name = os.fsdecode(b"caf\xe9.py")
    results, _ = build(TWO_PARTS, {}, notes=(f"Graded `{name}`, its only Python file.",), problem=f"`{name}` failed")
    results.write(tmp_path / "results.json")
    assert "Graded `caf\ufffd.py`" in json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))["output"]


# -- results.json --------------------------------------------------------------------------------


def test_results_with_names_that_are_not_utf8_are_written_escaped(tmp_path, results_checker):
    """What no check passed through printable (a grader's own message naming a file, say)
    still cannot stop the write: each undecodable byte is written out as data."""
    name = os.fsdecode(b"caf\xe9.py")
    test = TestResult(f"t {name}", score=1, max_score=1, output=f"saw {name}", extra_data={"file": name, "yaml": "\ud800"})
    Results(tests=(test,), output=f"graded {name}", execution_time=1.0).write(tmp_path / "results.json")
    data = results_checker(tmp_path / "results.json")
    assert data["output"] == "graded caf\\xe9.py" and data["tests"][0]["name"] == "t caf\\xe9.py"
    assert data["tests"][0]["extra_data"] == {"file": "caf\\xe9.py", "yaml": "\\ud800"}


def test_two_thirds_three_times_is_two(results_checker):
    tests = tuple(TestResult(f"t{i}", score=2 / 3, max_score=1, output="") for i in range(3))
    results = Results(tests=tests, output="", execution_time=1.0)
    # each test shows 0.67 (two places, as Gradescope shows it) and the total is exactly 2,
    # not 2.01: the top-level score differs from the shown tests' sum by each test's rounding
    data = results_checker(results.dumps(), sum_tolerance=3 * 0.005)
    assert data["score"] == 2
    assert [t["score"] for t in data["tests"]] == [0.67] * 3
    assert TestResult("w", score=2 / 3 * 3, max_score=2, output="").status == "passed"


def test_float_noise_does_not_fail_a_full_score():
    test = TestResult("t", score=0.1 + 0.2, max_score=0.3, output="")
    assert test.status == "passed"
    assert test.to_json()["score"] == 0.3


def test_failed_flag_forces_failed():
    assert TestResult("t", score=0, max_score=0, output="", failed=True).status == "failed"
    assert TestResult("t", score=0, max_score=0, output="").status == "passed"


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_scores_never_reach_the_file(bad, results_checker):
    results = Results(tests=(TestResult("t", score=bad, max_score=1, output=""),), output="", execution_time=0)
    data = results_checker(results.dumps())
    assert data["tests"][0]["score"] == 0 and data["score"] == 0


def test_long_outputs_are_clipped_and_say_so(results_checker):
    long = "y" * 250_000
    results = Results(tests=(TestResult("t", 1, 1, output=long),), output=long, execution_time=0)
    data = results_checker(results.dumps())
    assert MAX_TEST_OUTPUT_CHARS <= len(data["tests"][0]["output"]) < MAX_TEST_OUTPUT_CHARS + 100
    assert MAX_TOP_OUTPUT_CHARS <= len(data["output"]) < MAX_TOP_OUTPUT_CHARS + 100
    assert "more characters not shown" in data["tests"][0]["output"]


def test_optional_fields_are_left_out_when_empty():
    entry = TestResult("t", 1, 1, output="ok").to_json()
    assert set(entry) == {"name", "score", "max_score", "status", "output", "output_format", "visibility"}
    full = TestResult("t", 1, 1, output="ok", number="1.2", tags=("x",), extra_data={"k": 1}).to_json()
    assert (full["number"], full["tags"], full["extra_data"]) == ("1.2", ["x"], {"k": 1})


def test_write_is_atomic_and_leaves_no_temporary_file(tmp_path, results_checker):
    destination = tmp_path / "results" / "results.json"
    first = Results(tests=(TestResult("t", 1, 1, output="one"),), output="first", execution_time=0)
    first.write(destination)
    second = Results(tests=(TestResult("t", 0, 1, output="two"),), output="second", execution_time=0)
    second.write(destination)
    assert os.listdir(destination.parent) == ["results.json"]
    assert results_checker(destination)["output"] == "second"
    assert destination.stat().st_mode & 0o777 == 0o644


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    destination = tmp_path / "results.json"
    Results(tests=(), output="old", execution_time=0).write(destination)

    def broken_replace(source, target):
        raise OSError("disk full")

    monkeypatch.setattr(results_module.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        Results(tests=(), output="new", execution_time=0).write(destination)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["results.json"]
    assert json.loads(destination.read_text())["output"] == "old"
