"""autograder.terminal.printable: what a student controls never acts on a terminal."""

import os

import pytest

from autograder.terminal import printable


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),  # CSI: clear the screen
        ("\x1b]0;owned\x07", "\\x1b]0;owned\\x07"),  # OSC: set the window title
        ("\x9b31m", "\\x9b31m"),  # the one-character C1 form of CSI
        ("\x9d8;;https://x\x9c", "\\x9d8;;https://x\\x9c"),  # C1 OSC hyperlink
        ("a\rb\x00c\x7f", "a\\x0db\\x00c\\x7f"),
        ("tabs\tand\nnewlines stay", "tabs\tand\nnewlines stay"),
        ("é, ∑, 🙂 and \xa0 stay", "é, ∑, 🙂 and \xa0 stay"),
    ],
)
def test_controls_are_written_out(text, shown):
    assert printable(text) == shown


def test_a_name_that_is_not_utf8_can_be_written():
    name = os.fsdecode(b"caf\xe9\xff.py")
    assert printable(name) == "caf\ufffd\ufffd.py"
    printable(name).encode("utf-8")


def test_printable_twice_is_printable_once():
    text = "\x1b[31mred\x9b\udcff"
    assert printable(printable(text)) == printable(text)
