"""The comparison point of the benchmark: a conventional, insecure, in-process grader.

    python benchmarks/in_process.py SUBMISSION_DIR RESULTS_JSON [QUESTION]
    python benchmarks/in_process.py --cpu EXPORT_DIR   (CPU ms per submission, printed)

It is what a course writes with gradescope-utils and nothing else: one Python process
imports the student's module next to its own code, a ``unittest`` suite holds one test
per rubric check (``weight``, ``visibility`` and ``number`` from gradescope-utils'
decorators), and ``JSONTestRunner`` writes results.json. The tests run the same check
functions on the same draws as ours (the rubric's public seed), so the two graders do
the same work but for the border: no sandbox process, no isolation, no time limits,
and a student's ``sys.exit()`` or ``os.remove`` acts on the grader itself.

Values cross no wire here, but are put in the forms the sandbox hands the checks
(``wire.plain`` and its encoding), so both graders give the same scores; the benchmark
asserts that on the correct example before it times anything.
"""

import importlib.util
import io
import sys
import time
import unittest
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gradescope_utils.autograder_utils.decorators import number, visibility, weight  # noqa: E402
from gradescope_utils.autograder_utils.json_test_runner import JSONTestRunner  # noqa: E402

from autograder import checks, grading  # noqa: E402
from autograder import question as questions  # noqa: E402
from autograder.outcomes import run_check  # noqa: E402
from autograder.sandbox import wire  # noqa: E402


class InProcessStudent:
    """The student's module called directly, with the sandbox's interface (``call``,
    ``call_each``) and the value forms its wire gives the checks."""

    calls_for = None

    def __init__(self, module):
        self.module = module

    def call(self, function, *args, **kwargs):
        return self.call_each(function, [(args, kwargs)])[0]

    def call_each(self, function, calls):
        implementation = getattr(self.module, function)
        values = [wire.plain(implementation(*args, **kwargs)) for args, kwargs in calls]
        blobs = []
        return wire.decode_value(wire.encode_value(values, blobs), blobs)


def import_student(folder, module_file):
    path = Path(folder) / module_file
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    spec.loader.exec_module(module)
    return module


def suite_for(rubric, student):
    """A unittest suite of one test per rubric check, as a gradescope-utils course writes it."""
    found = checks.discover(rubric.question)
    answers = rubric.question.answers()
    tests = {}
    for index, (part, rule) in enumerate(rubric.checks):
        function = found[rule.check_id].function

        def test(self, function=function, check_id=rule.check_id):
            outcome = run_check(function, check_id, student=student, seed=rubric.scoring.value, answers=answers)
            self.assertEqual(outcome.fraction, 1.0, outcome.message)

        test.__doc__ = f"({part.label}) {rule.name}"
        decorated = number(f"{index + 1}")(visibility(rule.visibility)(weight(rule.weight)(test)))
        tests[f"test_{index:02d}_{rule.check_id.replace('.', '_')}"] = decorated
    case = type("Checks", (unittest.TestCase,), tests)
    return unittest.defaultTestLoader.loadTestsFromTestCase(case)


def main(submission_dir, results_json, question=None):
    """Grade ``submission_dir`` under ``question`` (a name under questions/; by default
    the one questions/default.txt names) into ``results_json``."""
    rubric = grading.load(question=None if question is None else questions.find(question))
    student = InProcessStudent(import_student(submission_dir, rubric.module))
    with open(results_json, "w") as stream:
        JSONTestRunner(stream=stream, visibility="visible").run(suite_for(rubric, student))


def cpu_per_submission(export):
    """This grader's CPU milliseconds per submission over every ``submission_*`` folder
    of ``export``, all graded in this one process (its start not counted): the cost a
    conventional grader pays for each submission, beside the batch's."""
    rubric = grading.load()
    folders = sorted(path for path in Path(export).glob("submission_*") if path.is_dir())
    students = [InProcessStudent(import_student(folder, rubric.module)) for folder in folders]
    started = time.process_time()
    for student in students:
        JSONTestRunner(stream=io.StringIO(), visibility="visible").run(suite_for(rubric, student))
    return (time.process_time() - started) / len(students) * 1000


if __name__ == "__main__":
    if sys.argv[1] == "--cpu":
        print(f"{cpu_per_submission(sys.argv[2]):.3f}")
    else:
        main(*sys.argv[1:4])
