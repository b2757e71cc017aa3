"""Text that a terminal, or Gradescope's markdown, shows as it is.

A student's printed output, exception messages and file names reach the grader's
terminal and results.json. Written raw, an escape sequence in them (``ESC [ 2 J``,
``ESC ] 0 ; title BEL``, or its one-character C1 form ``U+009B``) would act on the
TA's terminal instead of being read.

Standard library only: the student kit ships this module.
"""

import re

#: C0 controls but tab and newline, DEL, C1 controls; and lone surrogates, which is
#: what a file name that is not UTF-8 becomes in Python (``os.fsdecode``).
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def _shown(match):
    char = match.group()
    if char >= "\ud800":
        return "\ufffd"
    return f"\\x{ord(char):02x}"


def printable(text):
    """``text`` with each control character but ``\\n`` and ``\\t`` written out as
    ``\\xNN`` (ESC becomes the four characters ``\\x1b``), so that no escape sequence
    survives, and each undecodable byte of a file name as U+FFFD, so that the text can
    always be written as UTF-8. Applying it twice changes nothing more."""
    return _UNPRINTABLE.sub(_shown, str(text))
