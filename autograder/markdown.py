"""Safe markdown for text that came from a student's code, or a student's file names.

Both helpers pass the text through :func:`~autograder.terminal.printable`: what they
produce is shown on Gradescope's page, in the batch's summary and on a terminal, and
written as UTF-8.
"""

import re

from autograder.terminal import printable


def _longest_run(text, char):
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(run) for run in runs), default=0)


def inline_code(text, limit=400):
    """``text`` as an inline code span that no backtick inside it can close early,
    cut to ``limit`` characters (it may come from a student's exception message)."""
    text = printable(text).replace("\n", " ")
    if len(text) > limit:
        text = text[:limit] + "…"
    ticks = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(text, language="text"):
    """``text`` as a fenced code block whose fence is longer than any run inside it."""
    text = printable(text)
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return f"{fence}{language}\n{text}\n{fence}"
