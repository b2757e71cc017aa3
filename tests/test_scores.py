"""A batch's rows come from the typed results (autograder/batch/scores.py), never from
results.json read back: statuses are one enum, and a row says what the typed entries
say, with the points results.json writes."""

import json
from pathlib import Path

from autograder.batch.scores import row_from_graded, status_of
from autograder.export import ExportedSubmission, Submitter
from autograder.grading import Graded
from autograder.labels import STATUSES, Label, Status
from autograder.results import Results, TestResult


def entry(check_id, part, outcome, score, max_score=2.0, *, message="", mistake=""):
    return TestResult(
        name=check_id, score=score, max_score=max_score, output=f"shown for {check_id}", check_id=check_id, part=part,
        outcome=outcome, message=message, mistake=mistake, failed=outcome != Label.PASSED,
    )


SUBMISSION = ExportedSubmission("101", Path("submission_101"), (Submitter("Ada", "1", "ada@example.edu"),), (), "submission_101")


def graded(*tests, problem="", missing=None):
    return Graded(Results(tests=tests, output="summary", execution_time=0.1), "", missing=missing, problem=problem)


def test_statuses_are_one_enum_that_writes_as_its_text():
    assert [str(status) for status in STATUSES] == ["error", "no submission", "import failed", "timed out", "graded"]
    assert Status("timed out") is Status.TIMED_OUT and json.dumps(Status.GRADED) == '"graded"'


def test_a_row_reads_the_typed_entries():
    row = row_from_graded(
        SUBMISSION,
        graded(
            entry("a.one", "a", Label.PASSED, 2.0),
            entry("a.two", "a", Label.PARTIAL, 2 / 3, mistake="a.transposed"),
            entry("b.one", "b", Label.FAILED, 0.0),
        ),
        seconds=1.5,
    )
    assert row.status is Status.GRADED and row.total == 2.67
    assert row.part_scores == {"a": 2.67, "b": 0.0}
    assert row.failed_checks == ("a.two", "b.one")
    assert row.check_scores == {"a.one": 1.0, "a.two": 0.67 / 2, "b.one": 0.0}  # the points results.json writes
    assert row.mistakes == {"a.two": "a.transposed"} and row.seconds == 1.5


def test_what_went_wrong_comes_from_the_typed_outcomes():
    timed = row_from_graded(SUBMISSION, graded(entry("a.one", "a", Label.TIMED_OUT, 0.0), entry("b.one", "b", Label.PASSED, 2.0)))
    assert timed.status is Status.TIMED_OUT and timed.detail == "timed out in a.one"
    message = "Your module could not be imported: it raised `ValueError: no`.\n\n- `we_recur.py`, line 3"
    reimport = row_from_graded(SUBMISSION, graded(entry("a.one", "a", Label.IMPORT_FAILED, 0.0, message=message)))
    assert reimport.status is Status.IMPORT_FAILED
    assert reimport.detail == "Your module could not be imported: it raised `ValueError: no`."
    errors = row_from_graded(SUBMISSION, graded(entry("b.x", "b", Label.GRADER_ERROR, 0.0), entry("a.x", "a", Label.GRADER_ERROR, 0.0)))
    assert errors.status is Status.ERROR and errors.detail == "grader error in a.x, b.x"
    nothing = row_from_graded(SUBMISSION, graded(entry("a.one", "a", Label.IMPORT_FAILED, 0.0), problem="No we_recur.py.", missing="No we_recur.py."))
    assert nothing.status is Status.NO_SUBMISSION and nothing.detail == "No we_recur.py."


def test_the_most_serious_status_applies():
    assert status_of([Label.TIMED_OUT, Label.GRADER_ERROR], located=True) is Status.ERROR
    assert status_of([Label.TIMED_OUT, Label.IMPORT_FAILED], located=True) is Status.IMPORT_FAILED
    assert status_of([Label.PASSED], located=False) is Status.NO_SUBMISSION


def test_results_json_writes_the_typed_fields_as_before():
    test = entry("a.two", "a", Label.PARTIAL, 2 / 3, mistake="a.transposed", message="not written")
    written = test.to_json()
    assert written["extra_data"] == {"check": "a.two", "part": "a", "outcome": "partial", "mistake": "a.transposed"}
    assert list(written["extra_data"]) == ["check", "part", "outcome", "mistake"]
    assert "not written" not in json.dumps(written)
    assert TestResult(name="Autograder", score=0.0, max_score=0.0, output="x", failed=True).to_json().get("extra_data") is None
