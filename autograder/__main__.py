"""``python -m autograder``. The working folder may be a student's (a TA grading from
inside a submission): Python puts it first on ``sys.path``, where a ``numpy.py`` or
``yaml.py`` of theirs would be imported into the grader. It is taken off the path
before anything else is imported, unless it is the folder that holds this package."""

import os
import sys

_HOME = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != os.getcwd() or os.getcwd() == _HOME]
if _HOME not in sys.path:
    sys.path.insert(0, _HOME)

from autograder.cli import main  # noqa: E402

raise SystemExit(main())
