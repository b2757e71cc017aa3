"""The sandbox: the one border between the grader and a student's code.

Everything that touches student code lives in this package. Its public face is what
this module names; the rest of the grader uses nothing else of it::

    from autograder.sandbox import Limits, Sandbox

    with Sandbox(Path("submission/we_recur.py"), limits=Limits(call_timeout=1.0)) as student:
        student.import_module()               # raises ImportFailed, with feedback
        value = student.call("f", x, y=2)     # plain data back: arrays, numbers, lists, dicts
        values = student.call_each("f", [((x,), {}), ((z,), {})])   # one exchange

A call that cannot give a usable answer raises a :class:`StudentCodeError` whose
``feedback`` is written for the student (what was expected, never a grader traceback)
and whose ``label`` is its :class:`~autograder.labels.Label`.

=====================  ==========================================================
``Sandbox``            one submission's module, in a worker process (``session``)
``Limits``             every limit, with its default, unit and meaning (``limits``)
``warm_up``            start this process's zygote before the first submission
``NothingToGrade``     stands for a submission without a module: every call fails alike
``copy_submission``    copy a submission into a scratch folder, links refused
``Isolation``          who the student's code runs as (``isolation``)
``lock_down_gradescope``  as root on Gradescope: hide the grader from the sandbox user
``StudentCodeError``   and its kinds: ``ImportFailed``, ``MissingFunction``, ...
=====================  ==========================================================

How it works (for whoever maintains it): the zygote (``zygote.py``) forks each worker
(``worker.py``) into a scratch copy of the submission, under the isolation of
``isolation.py`` and the confinement of ``confine.py`` (Landlock, seccomp, rlimits, an
unprivileged user); calls and replies cross ``wire.py``'s framed protocol of JSON and
raw numpy bytes, never pickle. ``portable.py`` is the fallback where there is no fork
(the student kit on Windows).

Names are loaded on first use (PEP 562), so that importing ``autograder.sandbox.limits``
alone (the rubric does) starts nothing and loads no process control.
"""

import importlib

#: Public name -> the submodule that defines it.
_PUBLIC = {
    "Sandbox": "session",
    "NothingToGrade": "session",
    "copy_submission": "session",
    "warm_up": "session",
    "Limits": "limits",
    "Isolation": "isolation",
    "lock_down_gradescope": "isolation",
    "StudentCodeError": "errors",
    "ImportFailed": "errors",
    "MissingFunction": "errors",
    "SignatureMismatch": "errors",
    "StudentRaised": "errors",
    "CallTimedOut": "errors",
    "WorkerDied": "errors",
    "BadReturn": "errors",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    globals()[name] = value  # once loaded, an ordinary attribute
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
