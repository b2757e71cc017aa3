"""Self-check your answers before you submit.

    python check.py                    checks we_recur.py beside this file (or the only notebook there)
    python check.py we_recur.ipynb     a module, a notebook, or a folder
    !python check.py we_recur.ipynb    the same, in a Jupyter or Colab cell
    %run check.py we_recur.ipynb       the same, in a Jupyter or Colab cell
    import check; check.check("we_recur.py")    from Python: prints the report, returns it

This runs the autograder's visible checks on your code, on your machine, and prints
what Gradescope would show under each of them. You need Python 3.10 or newer and numpy
(``pip install numpy``); nothing else. Your code runs in a separate process with time
limits, as on Gradescope. README.md says what this does not check.
"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
#: Where no process can be started, so neither can the self-check's: a Python in a web
#: browser (Pyodide, as JupyterLite runs it).
NO_PROCESSES = ("emscripten", "wasi")
IN_A_BROWSER = (
    "The self-check cannot run in a Python inside a web browser (JupyterLite, Pyodide), which cannot start "
    "processes: run python check.py in a terminal, or use Jupyter or Colab."
)


class Report:
    """What :func:`check` found: ``text`` as printed, ``passed`` when every check worth
    points passed."""

    def __init__(self, text, passed):
        self.text = text
        self.passed = passed

    def __str__(self):
        return self.text

    def __repr__(self):
        verdict = "every visible check with points passed" if self.passed else "some visible checks did not pass"
        return f"<self-check: {verdict}>"


def check(path=None, *more):
    """Self-check ``path`` (and ``more``; relative to the current folder; by default the
    module beside this file) in a Python of its own, print the report and return it as a
    :class:`Report`.

    Nothing of this interpreter changes (its ``sys.path``, its modules), and nothing
    ends it: in a notebook, the kernel goes on as it was."""
    return _in_own_python([os.fspath(p) for p in (path, *more) if p is not None])


def _in_own_python(args):
    if sys.platform in NO_PROCESSES:
        print(IN_A_BROWSER)
        return Report(IN_A_BROWSER, False)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, str(HERE / "check.py"), *args], capture_output=True, env=env, check=False,
    )
    text = (done.stdout + done.stderr).decode("utf-8", errors="replace").strip()
    print(text)
    return Report(text, done.returncode == 0)


def _main(argv):
    """``python check.py``: this process is the self-check's own."""
    if sys.platform in NO_PROCESSES:
        return IN_A_BROWSER
    if sys.version_info < (3, 10):
        return f"The self-check needs Python 3.10 or newer; this is Python {sys.version.split()[0]}."
    try:
        import numpy  # noqa: F401
    except ImportError:
        return "The self-check needs numpy: install it with `python -m pip install numpy`, then try again."
    # The grader's own modules come first; this folder (where your files may be) is not a
    # place to import the grader from.
    sys.path[:] = [str(HERE / "_selfcheck")] + [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]
    from autograder.kit.selfcheck import main

    return main(HERE / "_selfcheck" / "rubric.json", argv, beside=HERE)


def _in_ipython():
    """Whether this is IPython's ``%run check.py`` (Jupyter, Colab), not a Python of its own."""
    import builtins

    return bool(getattr(builtins, "__IPYTHON__", False))


if __name__ == "__main__":
    if _in_ipython():  # %run: report, and leave the kernel's path and life alone
        _in_own_python(sys.argv[1:])
    else:
        sys.exit(_main(sys.argv[1:]))
