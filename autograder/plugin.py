"""The pytest plugin that runs a rubric's checks against one sandboxed submission.

Read top to bottom: the fixtures a check may ask for, then the hooks. Collection keeps
exactly the rubric's checks, in rubric order; each report becomes an :class:`~autograder.outcomes.Outcome`.
No rubric check can vanish: :func:`autograder.report.build_results` gives any check
without an outcome (skipped, failed in setup, never collected) zero points and says
why, which is where gradescope-utils and pytest-gradescope lose tests silently.
"""

import os
import zlib
from pathlib import Path

import numpy as np
import pytest

from autograder.checks import Feedback
from autograder.outcomes import SKIPPED, Outcome, judge

CHECKS_DIR = Path(__file__).with_name("checks")
_FEEDBACK = pytest.StashKey()


class GradingPlugin:
    def __init__(self, rubric, student):
        # Underscored: pytest reads every public attribute of a plugin as a possible fixture.
        self._rubric = rubric
        self._student = student
        self.outcomes = {}

    # -- fixtures ---------------------------------------------------------------------

    @pytest.fixture
    def student(self):
        """The sandboxed student module: ``student.call(name, *args, **kwargs)``."""
        return self._student

    @pytest.fixture
    def rng(self, request):
        """A generator seeded by the rubric's seed and the check id: same draws every run."""
        check_id = request.node.obj.__check_id__
        return np.random.default_rng([self._rubric.seed, zlib.crc32(check_id.encode())])

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
    def pytest_runtest_makereport(self, item, call):
        """Record the outcome, and give pytest a report without a formatted traceback:
        nobody reads pytest's reports here, and formatting them costs more than the check."""
        check_id = item.obj.__check_id__
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            notes = tuple(item.stash[_FEEDBACK].notes) if _FEEDBACK in item.stash else ()
            self.outcomes[check_id] = judge_call(call.excinfo, notes)
        outcome = "passed" if call.excinfo is None else "failed"
        longrepr = None if call.excinfo is None else f"{call.excinfo.typename}: see the outcome"
        return pytest.TestReport(
            item.nodeid, item.location, {}, outcome, longrepr, call.when, duration=call.duration, start=call.start,
            stop=call.stop,
        )


def judge_call(excinfo, notes):
    """The :class:`~autograder.outcomes.Outcome` of a check whose call raised ``excinfo``."""
    if excinfo is not None and isinstance(excinfo.value, pytest.skip.Exception):
        return Outcome(0.0, SKIPPED, notes, "skipped")
    return judge(None if excinfo is None else excinfo.value, notes)


_UNUSED_PLUGINS = (
    "terminal", "unraisableexception", "threadexception", "logging", "warnings", "faulthandler", "doctest",
    "junitxml", "pastebin", "stepwise", "lfplugin", "tmpdir", "monkeypatch", "setuponly", "setupplan",
    "legacypath", "capture", "debugging", "recwarn", "nose", "python_path",
)


_PYTEST_ENVIRONMENT = ("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "PYTEST_ADDOPTS", "PYTEST_PLUGINS")


def run_checks(rubric, student):
    """Run the rubric's checks on ``student`` in this process; returns the outcomes by check id."""
    plugin = GradingPlugin(rubric, student)
    args = [
        str(CHECKS_DIR),
        "-c",
        str(CHECKS_DIR / "pytest.ini"),
        "--rootdir",
        str(CHECKS_DIR),
        "-p",
        "no:cacheprovider",
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
    if status not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise GraderError(f"pytest could not run the checks (exit status {int(status)}: {status.name})")
    return plugin.outcomes


class GraderError(RuntimeError):
    """The grader itself failed; not the student's fault."""
