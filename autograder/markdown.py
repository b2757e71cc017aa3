"""Safe markdown for text that came from a student's code."""

import re


def _longest_run(text, char):
    runs = re.findall(f"{re.escape(char)}+", text)
    return max((len(run) for run in runs), default=0)


def inline_code(text, limit=400):
    """``text`` as an inline code span that no backtick inside it can close early,
    cut to ``limit`` characters (it may come from a student's exception message)."""
    text = str(text).replace("\n", " ")
    if len(text) > limit:
        text = text[:limit] + "…"
    ticks = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(text, language="text"):
    """``text`` as a fenced code block whose fence is longer than any run inside it."""
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    return f"{fence}{language}\n{text}\n{fence}"
