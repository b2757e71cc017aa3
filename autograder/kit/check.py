"""Self-check your answers before you submit: ``python check.py we_recur.py``.

This runs the autograder's visible checks on your code, on your machine, and prints
what Gradescope would show under each of them. You need Python 3.10 or newer and numpy
(``pip install numpy``); nothing else. Your code runs in a separate process with time
limits, as on Gradescope. A notebook (``.ipynb``) or a folder works too.
"""

import sys
from pathlib import Path

if sys.version_info < (3, 10):
    sys.exit(f"The self-check needs Python 3.10 or newer; this is Python {sys.version.split()[0]}.")
try:
    import numpy  # noqa: F401
except ImportError:
    sys.exit("The self-check needs numpy: install it with `python -m pip install numpy`, then try again.")

HERE = Path(__file__).resolve().parent
# The grader's own modules come first; this folder (where your files may be) is not a
# place to import the grader from.
sys.path[:] = [str(HERE / "_selfcheck")] + [entry for entry in sys.path if Path(entry or ".").resolve() != HERE]

from autograder.kit.selfcheck import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(HERE / "_selfcheck" / "rubric.json"))
