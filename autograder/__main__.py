"""``python -m autograder``, and the ``autograder`` command ``pip install .`` installs
(:func:`main`). The working folder may be a student's (a TA grading from inside a
submission): Python puts it first on ``sys.path``, where a ``numpy.py`` or ``yaml.py``
of theirs would be imported into the grader. It is taken off the path before anything
else is imported, unless it is the folder that holds this package. The commands that
grade one submission start the sandbox's zygote before the grader's own imports."""

import os
import sys

_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Whether the command grades one submission (its zygote starts first; it exits without teardown).
_GRADES_ONE = sys.argv[1:2] in (["gradescope"], ["grade"])


def main():
    """Run the command line of ``sys.argv``; returns its exit status."""
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != os.getcwd() or os.getcwd() == _HOME]
    if _HOME not in sys.path:
        sys.path.insert(0, _HOME)
    # The grader's own arrays are tiny: BLAS threads would only spin beside the workers.
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    if _GRADES_ONE:
        # The zygote's interpreter start and numpy import overlap the grader's own imports.
        from autograder.sandbox.zygote import warm_up

        warm_up()

    from autograder.cli import main as command_line

    return command_line()


def _exit_without_teardown(status):
    """Exit once everything is written: the exit handlers end the zygote and remove its
    files, and the interpreter's own teardown of numpy and pytest (about 70 ms, a sixth
    of a submission's latency on Gradescope) is skipped."""
    import atexit

    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status if isinstance(status, int) else 1)


if __name__ == "__main__":
    _status = main()
    if _GRADES_ONE:
        _exit_without_teardown(_status)
    raise SystemExit(_status)
