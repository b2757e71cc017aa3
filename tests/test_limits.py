"""autograder.sandbox.limits: each limit declared once, with its unit and meaning; the
sandbox's public face loads nothing a rubric does not need."""

import dataclasses
import subprocess
import sys

from autograder import grading, sandbox
from autograder.sandbox.limits import Limits


def test_every_limit_states_its_unit_and_meaning():
    for field in dataclasses.fields(Limits):
        assert field.metadata["unit"] and len(field.metadata["meaning"]) > 10, field.name
        assert isinstance(field.default, field.type), field.name


def test_the_default_question_states_no_limit_twice():
    """The default rubric leaves every limit at the one default Limits declares."""
    assert grading.load().limits == Limits()


def test_described_names_each_limit_once_with_its_unit():
    lines = Limits(call_timeout=1.5).described()
    assert len(lines) == len(dataclasses.fields(Limits))
    assert lines[0] == "call_timeout: 1.5 s CPU  one call of a student's function (answers take microseconds)"
    assert "memory_mb: 512 MiB (default)" in "\n".join(lines)


def test_loading_a_rubric_loads_no_process_control():
    code = "import sys, autograder.rubric; print(sorted(m for m in sys.modules if m.startswith('autograder.sandbox')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['autograder.sandbox', 'autograder.sandbox.limits']"


def test_the_public_face_names_what_the_grader_uses():
    assert sandbox.Sandbox.__module__ == "autograder.sandbox.session"
    assert sandbox.Limits is Limits
    assert set(sandbox.__all__) >= {"Sandbox", "Limits", "warm_up", "StudentCodeError", "Isolation"}
