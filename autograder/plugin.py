"""The pytest plugin that runs a rubric's checks against sandboxed submissions.

Read top to bottom: the fixtures a check may ask for, then the hooks. Collection keeps
exactly the rubric's checks, in rubric order; the test loop runs them once per student,
all in one pytest session, so pytest's start (configuration, plugins, collection) is
paid once per grader process rather than once per submission; each report becomes an
:class:`~autograder.outcomes.Outcome`.
No rubric check can vanish: :func:`autograder.report.build_results` gives any check
without an outcome (skipped, failed in setup, never collected) zero points and says
why, which is where gradescope-utils and pytest-gradescope lose tests silently.
"""

import gc
import os
from pathlib import Path

import pytest

from autograder.checks import Feedback, seeded_rng
from autograder.labels import Label
from autograder.outcomes import FIXTURES, SKIPPED, Outcome, fixture_names, judge, run_check
from autograder.remembered import RememberedAnswers

#: The grader's pytest options for collecting checks (not the project's own tests').
PYTEST_INI = Path(__file__).with_name("checks") / "pytest.ini"
_FEEDBACK = pytest.StashKey()


class GradingPlugin:
    """Runs the rubric's checks for each student that ``students`` yields.

    ``students`` is a generator: it yields a student (``.call``, ``.call_each``), is sent
    that student's outcomes by check id, and yields the next student or returns.
    """

    def __init__(self, rubric, students):
        # Underscored: pytest reads every public attribute of a plugin as a possible fixture.
        self._rubric = rubric
        self._students = students
        self._student = None
        self._answers = None
        self._outcomes = {}
        self._error = None

    # -- fixtures ---------------------------------------------------------------------

    @pytest.fixture
    def student(self, request):
        """The sandboxed student module: ``student.call(name, *args, **kwargs)``. What its
        calls print is kept under the check that made them (``calls_for``), to be shown
        with that check alone."""
        self._student.calls_for = request.node.obj.__check_id__
        yield self._student
        self._student.calls_for = None

    @pytest.fixture
    def rng(self, request):
        """A generator seeded by the rubric's scoring seed (the secret one on Gradescope)
        and the check id: same draws every run."""
        return seeded_rng(self._rubric.scoring.value, request.node.obj.__check_id__)

    @pytest.fixture
    def answers(self):
        """The question's reference answers (its ``reference/answers.py``), as data,
        remembered across submissions (:mod:`autograder.remembered`)."""
        return self._question_answers()

    def _question_answers(self):
        if self._answers is None:  # imported once, when a check first asks
            self._answers = RememberedAnswers(self._rubric.question.answers())
        return self._answers

    @pytest.fixture
    def feedback(self, request):
        notes = Feedback()
        request.node.stash[_FEEDBACK] = notes
        return notes

    # -- hooks ------------------------------------------------------------------------

    def pytest_collection_modifyitems(self, session, config, items):
        order = {rule.check_id: index for index, (_, rule) in enumerate(self._rubric.checks)}
        selected = [item for item in items if getattr(getattr(item, "obj", None), "__check_id__", None) in order]
        deselected = [item for item in items if item not in selected]
        selected.sort(key=lambda item: order[item.obj.__check_id__])
        items[:] = selected
        if deselected:
            config.hook.pytest_deselected(items=deselected)

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtestloop(self, session):
        """pytest's own loop, once per student. After each student every fixture is torn
        down (``nextitem=None``), so nothing one student's checks set up reaches the next."""
        if session.testsfailed:  # a check module failed to import: grade no one with half a rubric
            raise session.Interrupted(f"{session.testsfailed} check module(s) could not be collected")
        if not session.items:
            raise session.Interrupted("none of the rubric's checks was collected")
        # What pytest, numpy and the checks have loaded lives as long as the grader: out
        # of the collector's scans, which otherwise walk it all again at every full
        # collection (a few per submission).
        gc.freeze()
        try:
            student = next(self._students)
            while True:
                self._student, self._outcomes = student, {}
                for index, item in enumerate(session.items):
                    if _FEEDBACK in item.stash:  # the previous student's notes
                        del item.stash[_FEEDBACK]
                    nextitem = session.items[index + 1] if index + 1 < len(session.items) else None
                    item.config.hook.pytest_runtest_protocol(item=item, nextitem=nextitem)
                student = self._students.send(self._outcomes)
        except StopIteration:
            pass
        except Exception as error:  # noqa: BLE001  the caller's, re-raised once pytest has finished
            self._error = error
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_protocol(self, item, nextitem):
        """A check that asks only for this plugin's fixtures runs directly, through the
        same :func:`~autograder.outcomes.run_check` as the student kit: pytest's setup,
        call and teardown phases, their reports and hooks would cost more CPU than the
        check itself, about half of a submission's grading. A check that names any other
        fixture (``tmp_path``, say) goes through pytest's own protocol."""
        # "request": what this plugin's own fixtures ask for, in pytest's closure of the check.
        if not set(fixture_names(item.obj)) <= FIXTURES or not set(item.fixturenames) <= FIXTURES | {"request"}:
            return None
        check_id = item.obj.__check_id__
        try:
            self._outcomes[check_id] = run_check(
                item.obj, check_id, student=self._student, seed=self._rubric.scoring.value, answers=self._question_answers()
            )
        except pytest.skip.Exception:
            self._outcomes[check_id] = skipped(())
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item, call):
        """Record the outcome, and give pytest a report without a formatted traceback:
        nobody reads pytest's reports here, and formatting them costs more than the check."""
        check_id = item.obj.__check_id__
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            notes = tuple(item.stash[_FEEDBACK].notes) if _FEEDBACK in item.stash else ()
            self._outcomes[check_id] = judge_call(call.excinfo, notes)
        outcome = "passed" if call.excinfo is None else "failed"
        longrepr = None if call.excinfo is None else f"{call.excinfo.typename}: see the outcome"
        return pytest.TestReport(
            item.nodeid, item.location, {}, outcome, longrepr, call.when, duration=call.duration, start=call.start,
            stop=call.stop,
        )


def judge_call(excinfo, notes):
    """The :class:`~autograder.outcomes.Outcome` of a check whose call raised ``excinfo``."""
    if excinfo is not None and isinstance(excinfo.value, pytest.skip.Exception):
        return skipped(notes)
    return judge(None if excinfo is None else excinfo.value, notes)


def skipped(notes):
    """The :class:`~autograder.outcomes.Outcome` of a check that called ``pytest.skip``."""
    return Outcome(0.0, SKIPPED, notes, Label.SKIPPED)


_UNUSED_PLUGINS = (
    "terminal", "unraisableexception", "threadexception", "logging", "warnings", "faulthandler", "doctest",
    "junitxml", "pastebin", "stepwise", "lfplugin", "tmpdir", "monkeypatch", "setuponly", "setupplan",
    "legacypath", "capture", "debugging", "recwarn", "nose", "python_path",
)


_PYTEST_ENVIRONMENT = ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")


def run_checks_each(rubric, students):
    """Run the rubric's checks (those of ``rubric.question``), in this process and one pytest session, on each student
    the generator ``students`` yields; it is sent each student's outcomes by check id
    (see :class:`GradingPlugin`). An exception the generator raises is raised here."""
    plugin = GradingPlugin(rubric, students)
    checks_dir = rubric.question.checks_dir
    args = [
        str(checks_dir),
        "-c",
        str(PYTEST_INI),
        "--rootdir",
        str(checks_dir),
        "-p",
        "no:cacheprovider",
        "--assert=plain",
    ]
    # Built-in plugins the checks do not use; leaving them out halves pytest's cost per
    # submission, which matters when a batch grades thousands.
    for unused in _UNUSED_PLUGINS:
        args += ["-p", f"no:{unused}"]
    # Plugins a TA happens to have installed (pytest-randomly, xdist, ...) and options in
    # the caller's environment (PYTEST_ADDOPTS=-x) must not change how a submission is graded.
    saved = {name: os.environ.pop(name, None) for name in _PYTEST_ENVIRONMENT}
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    try:
        status = pytest.main(args, plugins=[plugin])
    finally:
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value
    if plugin._error is not None:
        raise plugin._error
    if status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise GraderError(f"pytest could not run the checks (exit status {int(status)}: {status.name})")


class GraderError(RuntimeError):
    """The grader itself failed; not the student's fault."""
