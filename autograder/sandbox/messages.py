"""What a student reads when their code gives no usable answer: the sandbox's messages.

Process control (:mod:`autograder.sandbox.session`) learns from the worker what went
wrong, as a plain report (``{"kind": "timeout", "cpu": ..., ...}``); the functions here
turn a report into the :class:`~autograder.sandbox.errors.StudentCodeError` and the
text the student reads: which function, which limit, where in their code, never a
traceback of the grader. Nothing here starts, stops or talks to a process.
"""

import re

from autograder.markdown import fenced, inline_code
from autograder.sandbox.errors import CallTimedOut, MissingFunction, SignatureMismatch, StudentRaised, format_frames


def timeout_text(error, doing, cpu_limit, limits):
    """What a timeout the worker reported says: which limit ended ``doing``, how long it ran
    (``cpu_limit`` seconds of CPU time, under ``limits``)."""
    if error.get("clock") == "cpu":
        return (
            f"{doing} used all of its {cpu_limit:g} s of CPU time without finishing and was stopped "
            "(an infinite loop, or a very slow computation?)."
        )
    wall = min(cpu_limit * limits.wall_factor, limits.total_timeout)
    return (
        f"{doing} was stopped after waiting {seconds(error.get('wall'))} by the clock while using only "
        f"{seconds(error.get('cpu'))} of CPU time (a sleep, input(), or waiting on something?). The limit "
        f"is {wall:g} s by the clock."
    )


def call_error(function, error, limits, place):
    """The :class:`StudentCodeError` a call of ``function`` ended in, from the worker's
    ``error`` report; ``place(file, line)`` names a place in the student's files."""
    error = error if type(error) is dict else {}
    kind = error.get("kind")
    if kind == "timeout":
        calls = error.get("calls")
        index = error.get("index")
        which = (
            f"`{function}` (call {index + 1} of {calls})"
            if type(index) is int and type(calls) is int and calls > 1
            else f"`{function}`"
        )
        return CallTimedOut(timeout_text(error, which, limits.call_timeout, limits))
    if kind == "signature":
        return SignatureMismatch(
            f"`{function}` could not be called with the signature the handout specifies: "
            f"{inline_code(error.get('message'))}. Your definition is {inline_code(error.get('signature'))}."
        )
    if kind == "missing":
        return MissingFunction(f"Your module does not define `{function}`.")
    if kind == "not_callable":
        return MissingFunction(f"`{function}` in your module is a {inline_code(error.get('message'))}, not a function.")
    if kind == "exit":
        return StudentRaised(
            f"`{function}` called `sys.exit()` (or raised `SystemExit`). A function should return its answer."
            + where(error, place)
        )
    return StudentRaised(
        f"`{function}` raised {inline_code(exception_text(error))}.{limit_hint(error, limits)}" + where(error, place)
    )


def limit_hint(error, limits):
    """Name the grader's limit or environment behind an exception, when one is recognisable."""
    text = f"{error.get('type')}: {error.get('message')}"
    missing = MISSING_MODULE.search(text) if error.get("type") in ("ModuleNotFoundError", "ImportError") else None
    if missing:
        return missing_module_hint(missing[1])
    for clue, limit in (
        ("MemoryError", f"the memory limit ({limits.memory_mb} MB of address space)"),
        ("[Errno 27]", f"the file size limit ({limits.file_size_mb} MB)"),
        ("[Errno 24]", f"the open files limit ({limits.open_files})"),
        ("[Errno 11]", f"the process limit ({limits.processes} processes)"),
    ):
        if clue in text:
            return f" Your code hit {limit}."
    return ""


def where(error, place):
    """Where in the student's code the error happened, as a paragraph ("" when unknown)."""
    frames = format_frames(error.get("frames"), place)
    return f"\n\nWhere it happened in your code:\n{frames}" if frames else ""


def import_feedback(error, name, shown_as, limits, place):
    """What to tell the student whose module ``name`` (shown as ``shown_as``) could not be
    imported, from the worker's ``error`` report."""
    if error.get("kind") == "syntax":
        location = place(error.get("file") or name, error.get("line"))
        text = str(error.get("text") or "")
        shown = f"\n\n{fenced(text)}" if text.strip() else ""
        return f"Your module has a syntax error in {location}: {inline_code(error.get('message'))}.{shown}"
    if error.get("kind") == "exit":
        return "Your module called `sys.exit()` while it was being imported, so nothing could be graded." + where(
            error, place
        )
    return (
        f"Importing {shown_as} raised {inline_code(exception_text(error))}, so nothing could be graded."
        + limit_hint(error, limits)
        + where(error, place)
    )


def seconds(value):
    """A duration the worker reported, for a message (it may have reported none)."""
    return f"{value:.2g} s" if type(value) in (int, float) else "an unknown time"


#: The module an import could not find, from ``ModuleNotFoundError``'s message.
MISSING_MODULE = re.compile(r"No module named '([^'.]+)")


#: Packages a student's own machine (or Colab) often has and the grader does not.
_PACKAGES_STUDENTS_HAVE = frozenset({
    "torch", "tensorflow", "keras", "jax", "jaxlib", "scipy", "sklearn", "pandas", "matplotlib", "seaborn",
    "plotly", "sympy", "autograd", "numba", "IPython", "ipywidgets", "tqdm", "cv2", "PIL", "statsmodels",
    "networkx", "mxnet", "theano", "cupy", "torchvision", "transformers", "nltk", "gensim", "spacy",
})


def missing_module_hint(name):
    """What to tell a student whose code imports ``name``, which the grader lacks: their
    machine has it, the grader's environment does not, and that is not their mistake."""
    if name == "google":
        return (
            " `google.colab` exists only inside Colab: the grader runs your code outside it, with Python's "
            "standard library and numpy only. Remove the lines that use it (file uploads, Drive) from what you submit."
        )
    if name in _PACKAGES_STUDENTS_HAVE:
        return (
            f" The grader runs your code with Python's standard library and numpy only, and `{name}` is not "
            "installed there (it may be on your own machine). Write that part with numpy instead."
        )
    return (
        f" `{name}` is neither part of the grader's environment (Python's standard library and numpy) nor a "
        f"file of your submission: if it is a module of your own, upload `{name}.py` beside your answers."
    )


def exception_text(error):
    """``Type: message`` of the exception the worker reported."""
    message = error.get("message")
    return f"{error.get('type', 'Exception')}: {message}" if message else str(error.get("type", "Exception"))
