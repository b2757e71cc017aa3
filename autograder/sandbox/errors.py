"""What can go wrong when the grader asks a student's code for something.

Each error carries ``feedback``: markdown for the student that says what was expected
and what happened, never a traceback of the grader. Checks let these propagate; the
pytest plugin turns them into a failed check with that feedback.
"""


from autograder.labels import Label
from autograder.markdown import inline_code


def place_in_file(file, line):
    """How feedback names a place in the student's code: ``we_recur.py``, line 12."""
    return f"{inline_code(file)}, line {line}"


def format_frames(frames, place=place_in_file):
    """The student's own traceback frames as markdown lines (frames are worker data).

    ``place(file, line)`` names a location; a notebook submission passes one that
    names the cell instead.
    """
    lines = []
    for frame in (frames if type(frames) is list else [])[:8]:
        if type(frame) is not dict:
            continue
        code = f": {inline_code(frame['code'])}" if frame.get("code") else ""
        where = f"{place(frame.get('file'), frame.get('line'))}, in {inline_code(frame.get('function'))}"
        lines.append(f"- {where}{code}")
    return "\n".join(lines)


class StudentCodeError(Exception):
    """Base class: the student's code did not give a usable answer."""

    #: a short label for summaries and scores.csv
    label = Label.ERROR

    def __init__(self, feedback):
        super().__init__(feedback)
        self.feedback = feedback


class ImportFailed(StudentCodeError):
    """The student's module could not be imported (syntax error, crash, exit)."""

    label = Label.IMPORT_FAILED


class MissingFunction(StudentCodeError):
    label = Label.MISSING_FUNCTION


class SignatureMismatch(StudentCodeError):
    label = Label.WRONG_SIGNATURE


class StudentRaised(StudentCodeError):
    label = Label.RAISED


class CallTimedOut(StudentCodeError):
    label = Label.TIMED_OUT


class WorkerDied(StudentCodeError):
    """The worker process ended during a call: a crash, ``os._exit`` or a resource limit."""

    label = Label.CRASHED


class BadReturn(StudentCodeError):
    """The function returned something that cannot be used (a type, a size)."""

    label = Label.BAD_RETURN_VALUE
